package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/api/console"
	"github.com/sinkron-id/sinkron/api/portal"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/zone"
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
	if !cfg.LoginRequired() {
		log.Warn("require_login = false: the API takes calls without an officer's token; for a lab only, never an office")
		opts = append(opts, api.AllowAnonymous())
	}
	officers, con, err := console.Mount(api.NewHandler(n, opts...), console.Logger(log))
	if err != nil {
		n.Close()
		return err
	}
	defer con.Close()
	srv, err := api.ListenTLS(cfg.APIListen, officers, cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		n.Close()
		return err
	}
	scheme := "http://"
	if cfg.TLSCertFile != "" {
		scheme = "https://"
	}
	log.Info("api listening", "addr", scheme+srv.Addr(), "console", scheme+srv.Addr()+console.Prefix)
	if cfg.PublicListen != "" {
		residents := api.NewPublicHandler(n, api.PublicZone(zone.Of(n.Member().Region)),
			api.PublicDinas(portal.Dinas{Name: cfg.Dinas.Nama, Address: cfg.Dinas.Alamat, Phone: cfg.Dinas.Telepon}, n.Member().Office))
		pub, err := api.ListenTLS(cfg.PublicListen, residents, cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			srv.Close()
			n.Close()
			return err
		}
		defer pub.Close()
		log.Info("residents' portal and public api listening", "addr", scheme+pub.Addr())
	}
	if cfg.Institusi.Listen != "" {
		inst, instScheme, err := listenInstitutions(cfg, api.NewInstitutionHandler(n))
		if err != nil {
			srv.Close()
			n.Close()
			return err
		}
		defer inst.Close()
		log.Info("institutions' api listening", "addr", instScheme+inst.Addr())
	}
	<-ctx.Done()
	log.Info("shutting down")
	srv.Close()
	return n.Close()
}

// initNode creates an office's data directory, identity and config; the
// printed peer ID goes to the dinas for the roster. With --admin it also
// leaves the node's first ADB SIAK account, hashed, for its first start:
// the password is the operator's, read from the terminal or stdin.
func initNode(args []string, in io.Reader, out io.Writer) error {
	fs := flag.NewFlagSet("init", flag.ContinueOnError)
	dir := fs.String("dir", "", "data directory to create")
	office := fs.String("office", "", "office name, e.g. \"Kecamatan Kota Agung\"")
	role := fs.String("role", "kecamatan", "dinas, kecamatan or mobile")
	region := fs.String("region", "", "6-digit kecamatan code")
	apiAddr := fs.String("api", "127.0.0.1:8080", "API listen address")
	admin := fs.String("admin", "", "username of the first ADB SIAK account (password asked)")
	adminName := fs.String("admin-name", defaultAdminName, "full name of the first ADB SIAK")
	var listen multi
	fs.Var(&listen, "listen", "libp2p listen multiaddr (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" || *office == "" {
		return fmt.Errorf("init: --dir and --office are required")
	}
	var first account.PendingAdmin
	if *admin != "" { // before anything is created: a refused password leaves no half-made directory
		pw, err := readNewPassword(in, os.Stderr)
		if err != nil {
			return err
		}
		if first, err = account.NewPendingAdmin(*admin, *adminName, pw); err != nil {
			return fmt.Errorf("akun ADB SIAK: %w", err)
		}
	}
	priv, err := node.CreateIdentity(*dir)
	if err != nil {
		return err
	}
	id, _ := peer.IDFromPrivateKey(priv)
	if len(listen) == 0 {
		listen = multi{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"}
	}
	required := true // written out, so the operator sees it
	cfg := node.Config{
		DataDir: ".", Office: *office, Role: *role, Region: *region, Listen: listen, APIListen: *apiAddr, Genesis: "genesis.json",
		RequireLogin: &required, EncryptionKeyFile: "store.key", MDNS: true, LogLevel: "info",
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
	if *admin == "" {
		fmt.Fprintf(out, "belum ada akun petugas: buat ADB SIAK dengan `sinkron akun admin --config %s --user NAMA`\n"+
			"sebelum node dijalankan, kecuali akun akan datang dari kantor lain di kabupaten ini\n", filepath.Join(*dir, "sinkron.toml"))
		return nil
	}
	if err := node.WritePendingAdmin(*dir, first); err != nil {
		return err
	}
	fmt.Fprintf(out, "akun ADB SIAK %q akan dibuat saat node pertama kali dijalankan. Nama pengguna yang sama di dua kantor\n"+
		"menjadi akun ganda yang tidak dapat dipakai: buat akun ADB SIAK pertama hanya di satu kantor.\n", first.Username)
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

// listenInstitutions serves the institutions' listener: over TLS with
// client certificates requested when [institusi] cert and key (or the
// node's tls_cert_file and tls_key_file) are set, else in cleartext, where
// only API keys authenticate.
func listenInstitutions(cfg node.Config, h http.Handler) (*api.Server, string, error) {
	cert, key := cfg.Institusi.Cert, cfg.Institusi.Key
	if cert == "" && key == "" {
		cert, key = cfg.TLSCertFile, cfg.TLSKeyFile
	}
	if cert == "" && key == "" {
		if cfg.Institusi.CA != "" {
			return nil, "", errors.New("[institusi] ca butuh [institusi] cert dan key (atau tls_cert_file dan tls_key_file)")
		}
		s, err := api.Listen(cfg.Institusi.Listen, h)
		return s, "http://", err
	}
	conf, err := api.InstitutionTLS(cert, key, cfg.Institusi.CA)
	if err != nil {
		return nil, "", err
	}
	s, err := api.ListenConfig(cfg.Institusi.Listen, h, conf)
	return s, "https://", err
}
