package node

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// Config is a node's configuration file (TOML).
type Config struct {
	// DataDir holds identity.key, the badger store and, by default, the
	// encryption key. A node restored without its store must get a new
	// identity: never copy identity.key without the store beside it.
	DataDir string `toml:"data_dir"`
	// Office is the office's name as officers and residents read it.
	Office string `toml:"office"`
	// Role and Region are used only until the roster knows this node (a
	// node added after genesis, by a dinas decision).
	Role   string `toml:"role"`
	Region string `toml:"region"`
	// Regency is printed on documents ("Kabupaten Tanggamus"; default: the
	// genesis's regency); KepalaDinas and KepalaDinasNIP sign KKs.
	Regency        string `toml:"regency"`
	KepalaDinas    string `toml:"kepala_dinas"`
	KepalaDinasNIP string `toml:"kepala_dinas_nip"`
	// Listen are libp2p multiaddrs (TCP and QUIC).
	Listen []string `toml:"listen"`
	// APIListen is host:port of the Connect API and /metrics.
	APIListen string `toml:"api_listen"`
	// Genesis is the signed roster file; ClusterKey pins its signer.
	Genesis    string `toml:"genesis"`
	ClusterKey string `toml:"cluster_key"`
	// Peers are multiaddrs (with /p2p/ID) of offices to keep connected.
	Peers []string `toml:"peers"`
	// MDNS finds sibling offices on the same LAN.
	MDNS bool `toml:"mdns"`
	// EncryptionKeyFile holds 32 bytes for badger's encryption at rest;
	// empty keeps the store unencrypted.
	EncryptionKeyFile string `toml:"encryption_key_file"`
	// ClusterKeyFile (dinas nodes only) holds the dinas cluster key: it
	// signs published decisions. A dinas node without it serves but does
	// not join the Raft group.
	ClusterKeyFile string `toml:"cluster_key_file"`
	// RaftHeartbeat is Raft's heartbeat and election timeout; default 1s.
	RaftHeartbeat  Duration `toml:"raft_heartbeat"`
	MaxClockOffset Duration `toml:"max_clock_offset"`
	SyncInterval   Duration `toml:"sync_interval"`
	LogLevel       string   `toml:"log_level"`
}

// Duration reads "30s"-style values in TOML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// MarshalText writes a Go duration.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// LoadConfig reads a TOML config; relative paths are taken from its folder.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	var c Config
	if err := toml.Unmarshal(b, &c); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	base := filepath.Dir(path)
	for _, p := range []*string{&c.DataDir, &c.Genesis, &c.EncryptionKeyFile, &c.ClusterKeyFile} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(base, *p)
		}
	}
	return c.withDefaults(), c.check()
}

// WriteConfig saves c as TOML.
func WriteConfig(path string, c Config) error {
	b, err := toml.Marshal(c)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func (c Config) withDefaults() Config {
	if c.MaxClockOffset.Duration == 0 {
		c.MaxClockOffset.Duration = 5 * time.Minute
	}
	if c.RaftHeartbeat.Duration == 0 {
		c.RaftHeartbeat.Duration = time.Second
	}
	if c.SyncInterval.Duration == 0 {
		c.SyncInterval.Duration = 30 * time.Second
	}
	if c.KepalaDinas == "" {
		c.KepalaDinas = "Kepala Dinas"
	}
	if len(c.Listen) == 0 {
		c.Listen = []string{"/ip4/0.0.0.0/tcp/4001", "/ip4/0.0.0.0/udp/4001/quic-v1"}
	}
	if c.APIListen == "" {
		c.APIListen = "127.0.0.1:8080"
	}
	return c
}

func (c Config) check() error {
	switch {
	case c.DataDir == "":
		return fmt.Errorf("config: data_dir is required")
	case c.Genesis == "":
		return fmt.Errorf("config: genesis is required")
	}
	return nil
}
