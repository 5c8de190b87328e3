package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/replication/roster"
)

func runNode(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	cfgPath := fs.String("config", "sinkron.toml", "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := node.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel)
	opt := node.Options{Logger: log}
	if cfg.WhatsApp.Enabled() { // otherwise notices are only logged
		if opt.Sender, err = cfg.WhatsApp.Sender(log); err != nil {
			return err
		}
	}
	n, err := node.New(cfg, opt)
	if err != nil {
		return err
	}
	var opts []api.Option
	if cfg.RequireLogin {
		opts = append(opts, api.RequireLogin())
	}
	srv, err := api.ListenTLS(cfg.APIListen, api.NewHandler(n, opts...), cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		n.Close()
		return err
	}
	scheme := "http://"
	if cfg.TLSCertFile != "" {
		scheme = "https://"
	}
	log.Info("api listening", "addr", scheme+srv.Addr())
	if cfg.PublicListen != "" {
		pub, err := api.ListenTLS(cfg.PublicListen, api.NewPublicHandler(n), cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			srv.Close()
			n.Close()
			return err
		}
		defer pub.Close()
		log.Info("public api listening", "addr", scheme+pub.Addr())
	}
	<-ctx.Done()
	log.Info("shutting down")
	srv.Close()
	return n.Close()
}

// initNode creates an office's data directory, identity and config; the
// printed peer ID goes to the dinas for the roster.
func initNode(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	dir := fs.String("dir", "", "data directory to create")
	office := fs.String("office", "", "office name, e.g. \"Kecamatan Kota Agung\"")
	role := fs.String("role", "kecamatan", "dinas, kecamatan or mobile")
	region := fs.String("region", "", "6-digit kecamatan code")
	apiAddr := fs.String("api", "127.0.0.1:8080", "API listen address")
	var listen multi
	fs.Var(&listen, "listen", "libp2p listen multiaddr (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *office == "" {
		return fmt.Errorf("init: --dir and --office are required")
	}
	priv, err := node.CreateIdentity(*dir)
	if err != nil {
		return err
	}
	id, _ := peer.IDFromPrivateKey(priv)
	if len(listen) == 0 {
		listen = multi{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"}
	}
	cfg := node.Config{
		DataDir: ".", Office: *office, Role: *role, Region: *region, Listen: listen, APIListen: *apiAddr, Genesis: "genesis.json",
		EncryptionKeyFile: "store.key", MDNS: true, LogLevel: "info",
		MaxClockOffset: node.Duration{Duration: 5 * time.Minute}, SyncInterval: node.Duration{Duration: 30 * time.Second},
	}
	if err := node.WriteConfig(filepath.Join(*dir, "sinkron.toml"), cfg); err != nil {
		return err
	}
	m := roster.Member{Peer: id, Office: *office, Role: roster.Role(*role), Region: *region, Addrs: listen}
	if err := writeJSON(filepath.Join(*dir, "member.json"), m); err != nil {
		return err
	}
	fmt.Fprintf(out, "created %s\npeer id: %s\nsend %s to the dinas for the roster; put the signed genesis.json beside sinkron.toml\n", *dir, id, filepath.Join(*dir, "member.json"))
	return nil
}

// genesis signs a roster from members' member.json files with the dinas
// cluster key (created on first use in --dir/cluster.key).
func genesis(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("genesis", flag.ContinueOnError)
	dir := fs.String("dir", ".", "where cluster.key lives and genesis.json is written")
	regency := fs.String("regency", "", "regency name")
	var members multi
	fs.Var(&members, "member", "member.json of an office (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	key, err := clusterKey(filepath.Join(*dir, "cluster.key"))
	if err != nil {
		return err
	}
	g := &roster.Genesis{Regency: *regency}
	for _, path := range members {
		var m roster.Member
		if err := readJSON(path, &m); err != nil {
			return err
		}
		g.Members = append(g.Members, m)
	}
	if err := g.Sign(key); err != nil {
		return err
	}
	if err := g.Write(filepath.Join(*dir, "genesis.json")); err != nil {
		return err
	}
	fmt.Fprintf(out, "genesis.json signed by %s with %d offices; set cluster_key = %q in each config\n", g.Cluster, len(g.Members), g.Cluster.String())
	return nil
}

func clusterKey(path string) (crypto.PrivKey, error) {
	if b, err := os.ReadFile(path); err == nil {
		return crypto.UnmarshalPrivateKey(b)
	}
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	b, _ := crypto.MarshalPrivateKey(priv)
	return priv, os.WriteFile(path, b, 0o600)
}

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
