package node

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/sinkron-id/sinkron/node/outbox"
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
	// RequireLogin: every API call but Login needs an officer's token,
	// and the officer's roles must allow the call. A pointer because the
	// default, when the key is absent, is true: only an explicit
	// `require_login = false` lets calls without a token through, for a lab
	// (the node logs a warning at start). Calls that carry a token are
	// checked either way. Read it with LoginRequired.
	RequireLogin *bool `toml:"require_login,omitempty"`
	// PublicListen serves the residents' API (submit online, track one's
	// own request) on an address of its own; empty: not served.
	PublicListen string `toml:"public_listen"`
	// TLSCertFile and TLSKeyFile serve the API over TLS (PEM files).
	TLSCertFile string `toml:"tls_cert_file"`
	TLSKeyFile  string `toml:"tls_key_file"`
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
	// ForwardWindow (kecamatan) is how long events another kecamatan lacks
	// are left to the dinas to bring it, while that kecamatan gets nothing
	// from anywhere; default 10m (antientropy.Options.ForwardWindow).
	ForwardWindow Duration `toml:"forward_window"`
	LogLevel      string   `toml:"log_level"`
	// WhatsApp is the gateway of residents' notices; without it they are
	// only logged.
	WhatsApp WhatsAppConfig `toml:"whatsapp,omitempty"`
	// DWH is the data warehouse a dinas server feeds (node/dwh).
	DWH DWHConfig `toml:"dwh,omitempty"`
	// Institusi is the institutions' listener (with [dwh] only).
	Institusi InstitusiConfig `toml:"institusi,omitempty"`
	// Dinas is how the residents' portal on public_listen names the
	// regency's civil-registration office and where to reach it.
	Dinas DinasConfig `toml:"dinas,omitempty"`
}

// DinasConfig is the [dinas] section: the office residents deal with.
type DinasConfig struct {
	Nama    string `toml:"nama"`    // "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"
	Alamat  string `toml:"alamat"`  // street address, one line
	Telepon string `toml:"telepon"` // a number residents may call
}

// LoginRequired reports whether the API refuses calls without a token:
// unless the config says require_login = false.
func (c Config) LoginRequired() bool { return c.RequireLogin == nil || *c.RequireLogin }

// WhatsAppConfig is the [whatsapp] table: the WhatsApp Business Cloud API
// account notices are sent from, their retry policy and their texts.
type WhatsAppConfig struct {
	// BaseURL is the Graph API root with its version, e.g.
	// "https://graph.facebook.com/v23.0"; https except on loopback.
	BaseURL       string `toml:"base_url,omitempty"`
	PhoneNumberID string `toml:"phone_number_id,omitempty"`
	// TokenFile holds the access token; never put the token itself here.
	TokenFile string `toml:"token_file,omitempty"`
	// Timeout bounds one send (default 15s).
	Timeout Duration `toml:"timeout,omitzero"`
	// MaxAttempts sends before a notice becomes a dead letter (default 8);
	// MinBackoff and MaxBackoff bound the wait between them (1m, 1h).
	MaxAttempts int      `toml:"max_attempts,omitempty"`
	MinBackoff  Duration `toml:"min_backoff,omitzero"`
	MaxBackoff  Duration `toml:"max_backoff,omitzero"`
	// Templates are the notices' texts per status ({kode}, {catatan},
	// {layanan}, {kantor}); empty ones keep the defaults.
	Templates outbox.Templates `toml:"templates,omitempty"`
	// Template names the approved message template of each notice kind
	// ([whatsapp.template.selesai] name, language, body, params), over
	// outbox.DefaultApprovedTemplates; see whatsapp_config.go.
	Template outbox.ApprovedTemplates `toml:"template,omitempty"`
	// Relay (every office but the one holding the number): notices go to
	// the dinas's sender through the log instead of being only logged.
	Relay bool `toml:"relay,omitempty"`
	// Webhook is the Cloud API's webhook on the public listener.
	Webhook WebhookConfig `toml:"webhook,omitzero"`
}

// Enabled reports whether notices go to a gateway.
func (w WhatsAppConfig) Enabled() bool { return w.PhoneNumberID != "" }

// Sender is the gateway sender, with the token read from TokenFile.
func (w WhatsAppConfig) Sender(log *slog.Logger) (*outbox.WhatsApp, error) {
	token, err := outbox.ReadToken(w.TokenFile)
	if err != nil {
		return nil, err
	}
	wa, err := outbox.NewWhatsApp(w.BaseURL, w.PhoneNumberID, token, w.Timeout.Duration, log)
	if err != nil {
		return nil, err
	}
	wa.Templates = w.ApprovedTemplates()
	return wa, nil
}

// OutboxOptions is the configured retry policy.
func (w WhatsAppConfig) OutboxOptions() []outbox.Option {
	return []outbox.Option{outbox.WithRetry(w.MaxAttempts, w.MinBackoff.Duration, w.MaxBackoff.Duration)}
}

func (w WhatsAppConfig) check() error {
	err := errors.Join(w.Templates.Check(), w.ApprovedTemplates().Check(), w.Webhook.check(w.Enabled()))
	if w.Enabled() && (w.BaseURL == "" || w.TokenFile == "") {
		err = errors.Join(err, errors.New("whatsapp: base_url and token_file are required with phone_number_id"))
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
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
	for _, p := range []*string{&c.DataDir, &c.Genesis, &c.EncryptionKeyFile, &c.ClusterKeyFile, &c.WhatsApp.TokenFile,
		&c.WhatsApp.Webhook.VerifyTokenFile, &c.WhatsApp.Webhook.AppSecretFile} {
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
	return c.WhatsApp.check()
}
