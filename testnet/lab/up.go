package lab

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/regency"
	"github.com/sinkron-id/sinkron/replication/roster"
	"github.com/sinkron-id/sinkron/testnet/netlab"
)

// Config describes a lab to bring up.
type Config struct {
	// Dir is the lab's state directory: configs, data, logs, the control
	// socket and lab.json.
	Dir string
	// Bin is the sinkron binary the nodes run (`sinkron node`).
	Bin string
	// Controller is the sinkron-lab binary that runs netlab's controller
	// (`sinkron-lab testnet serve`): the product binary does not carry the
	// lab.
	Controller string
	// Dinas and Kecamatan count the offices (defaults 3 and 5).
	Dinas, Kecamatan int
	// Profile is the kecamatan's link profile (default 3g-kecamatan),
	// DinasProfile the dinas servers' (default fiber-dinas).
	Profile, DinasProfile string
	// Prefix names the lab's namespaces (default netlab.DefaultPrefix).
	Prefix string
	// Seed fixes the links' random drops.
	Seed uint64
	// SyncInterval is the nodes' anti-entropy round (default 5s; a real
	// office's default is 30s, which would make every scenario wait).
	SyncInterval time.Duration
	// Log gets progress lines (default: none).
	Log io.Writer
}

func (c Config) withDefaults() Config {
	if c.Dinas == 0 {
		c.Dinas = 3
	}
	if c.Kecamatan == 0 {
		c.Kecamatan = 5
	}
	if c.Profile == "" {
		c.Profile = "3g-kecamatan"
	}
	if c.DinasProfile == "" {
		c.DinasProfile = "fiber-dinas"
	}
	if c.Prefix == "" {
		c.Prefix = netlab.DefaultPrefix
	}
	if c.SyncInterval == 0 {
		c.SyncInterval = 5 * time.Second
	}
	if c.Log == nil {
		c.Log = io.Discard
	}
	return c
}

// Ports every office's node listens on, at its own address.
const (
	p2pPort    = 4001
	apiPort    = 8080
	publicPort = 8081
)

// specFile is the netlab spec the controller reads.
const specFile = "netlab.json"

// Up brings a lab up and returns it open. On failure it removes what it
// made.
func Up(ctx context.Context, cfg Config) (l *Lab, err error) {
	cfg = cfg.withDefaults()
	if cfg.Kecamatan > len(regency.KecamatanNames) || cfg.Dinas < 1 {
		return nil, fmt.Errorf("lab: want 1 or more dinas servers and at most %d kecamatan", len(regency.KecamatanNames))
	}
	st, spec, err := provision(cfg)
	if err != nil {
		return nil, err
	}
	if err := startController(ctx, cfg, spec); err != nil {
		return nil, errors.Join(err, Down(context.Background(), cfg.Dir))
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, Down(context.Background(), cfg.Dir))
		}
	}()
	if err := st.checkAddrs(ctx, netlab.NewClient(cfg.Dir)); err != nil {
		return nil, err
	}
	if err := st.save(); err != nil {
		return nil, err
	}
	l = newLab(st)
	for _, o := range st.Offices {
		if err := l.StartNode(ctx, o.Name); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(cfg.Log, "lab: %d nodes answer; creating officers\n", len(st.Offices))
	if err := l.createOfficers(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// provision writes the regency's configs and genesis, the pending admin
// and the netlab spec, and returns the lab's state.
func provision(cfg Config) (*State, netlab.Spec, error) {
	if _, err := os.Stat(filepath.Join(cfg.Dir, stateFile)); err == nil {
		return nil, netlab.Spec{}, fmt.Errorf("lab: %s holds a lab already (sinkron-lab testnet down --dir %s)", cfg.Dir, cfg.Dir)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, netlab.Spec{}, fmt.Errorf("lab: state dir: %w", err)
	}
	st := &State{Dir: cfg.Dir, Prefix: cfg.Prefix, Bin: cfg.Bin, Profile: cfg.Profile, Password: rand.Text(), Hub: cfg.Prefix + "core"}
	spec := netlab.Spec{Prefix: cfg.Prefix, Seed: cfg.Seed}
	var specs []node.OfficeSpec
	for i := range cfg.Dinas + cfg.Kecamatan {
		o, nspec := officeAt(cfg, i)
		st.Offices = append(st.Offices, o)
		specs = append(specs, nspec)
		profile := cfg.Profile
		if o.Dinas() {
			profile = cfg.DinasProfile
		}
		link, err := netlab.Profile(profile)
		if err != nil {
			return nil, spec, err
		}
		spec.Offices = append(spec.Offices, netlab.OfficeSpec{Name: o.Name, Link: link})
	}
	cfgs, err := node.Provision(filepath.Join(cfg.Dir, "regency"), "Kabupaten Tanggamus", specs)
	if err != nil {
		return nil, spec, fmt.Errorf("lab: provision: %w", err)
	}
	if err := st.finishConfigs(cfg, cfgs); err != nil {
		return nil, spec, err
	}
	if err := writeJSON(filepath.Join(cfg.Dir, specFile), spec); err != nil {
		return nil, spec, err
	}
	return st, spec, nil
}

// officeAt is the i-th office: the dinas servers first, as netlab numbers
// its addresses in the spec's order (the hub has the subnet's first).
func officeAt(cfg Config, i int) (Office, node.OfficeSpec) {
	addr := netip.MustParsePrefix(netlab.DefaultSubnet).Addr().Next()
	for range i + 1 {
		addr = addr.Next()
	}
	a := addr.String()
	o := Office{Addr: a, API: fmt.Sprintf("http://%s:%d", a, apiPort), Namespace: cfg.Prefix}
	spec := node.OfficeSpec{
		Listen:    []string{fmt.Sprintf("/ip4/%s/udp/%d/quic-v1", a, p2pPort), fmt.Sprintf("/ip4/%s/tcp/%d", a, p2pPort)},
		APIListen: fmt.Sprintf("%s:%d", a, apiPort),
	}
	if i < cfg.Dinas {
		o.Name, o.Role = fmt.Sprintf("dinas-%d", i+1), string(roster.Dinas)
		o.Title = fmt.Sprintf("Dinas Dukcapil Kab. Tanggamus (server %d)", i+1)
		o.Public = fmt.Sprintf("http://%s:%d", a, publicPort)
		spec.Region = "1806"
	} else {
		k := i - cfg.Dinas
		o.Name, o.Role = slug(regency.KecamatanNames[k]), string(roster.Kecamatan)
		o.Title = "Kecamatan " + regency.KecamatanNames[k]
		spec.Region = regency.Regions[k]
	}
	o.Namespace += o.Name
	o.Region = spec.Region
	spec.Name, spec.Role = o.Title, roster.Role(o.Role)
	return o, spec
}

func slug(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "-")) }

// finishConfigs sets what Provision leaves to the operator, records each
// office's config and peer, and leaves the first ADB SIAK pending at the
// first dinas server: accounts replicate, so one is enough.
func (st *State) finishConfigs(cfg Config, cfgs []node.Config) error {
	for i := range cfgs {
		c := &cfgs[i]
		c.SyncInterval.Duration = cfg.SyncInterval
		c.LogLevel = "info"
		if st.Offices[i].Public != "" {
			c.PublicListen = strings.TrimPrefix(st.Offices[i].Public, "http://")
		}
		path := filepath.Join(c.DataDir, "sinkron.toml")
		if err := node.WriteConfig(path, *c); err != nil {
			return fmt.Errorf("lab: config of %s: %w", st.Offices[i].Name, err)
		}
		st.Offices[i].Config = path
	}
	st.Cluster = cfgs[0].ClusterKey
	r, err := loadRoster(cfgs[0].Genesis, st.Cluster)
	if err != nil {
		return err
	}
	for i := range st.Offices {
		for _, m := range r.Members() {
			if m.Office == st.Offices[i].Title {
				st.Offices[i].Peer = m.Peer.String()
			}
		}
	}
	p, err := account.NewPendingAdmin(adminUser, "Admin Lab", st.Password)
	if err != nil {
		return fmt.Errorf("lab: pending admin: %w", err)
	}
	return node.WritePendingAdmin(cfgs[0].DataDir, p)
}

func loadRoster(genesis, cluster string) (*roster.Roster, error) {
	id, err := peer.Decode(cluster)
	if err != nil {
		return nil, fmt.Errorf("lab: cluster key: %w", err)
	}
	r, err := roster.Load(genesis, id)
	if err != nil {
		return nil, fmt.Errorf("lab: genesis: %w", err)
	}
	return r, nil
}

// startController runs `sinkron-lab testnet serve` in a session of its own,
// so it outlives the command that started it, and waits until it answers.
func startController(ctx context.Context, cfg Config, spec netlab.Spec) error {
	logf, err := os.OpenFile(filepath.Join(cfg.Dir, "controller.log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("lab: controller log: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(cfg.Controller, "testnet", "serve", "--dir", cfg.Dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("lab: start controller: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }() // reaps it if this process lives on
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ready := make(chan error, 1)
	go func() { ready <- netlab.NewClient(cfg.Dir).WaitReady(wctx) }()
	select {
	case err := <-ready:
		if err != nil {
			return fmt.Errorf("lab: controller (see %s/controller.log): %w", cfg.Dir, err)
		}
		fmt.Fprintf(cfg.Log, "lab: controller up (pid %d), %d offices on prefix %s\n", cmd.Process.Pid, len(spec.Offices), spec.Prefix)
		return nil
	case err := <-exited:
		cancel()
		log, _ := os.ReadFile(filepath.Join(cfg.Dir, "controller.log"))
		return fmt.Errorf("lab: controller exited (%v): %s", err, strings.TrimSpace(string(log)))
	}
}

// checkAddrs makes sure netlab gave each office the address its config
// listens on.
func (st *State) checkAddrs(ctx context.Context, c *netlab.Client) error {
	ns, err := c.Status(ctx)
	if err != nil {
		return err
	}
	for i, o := range ns.Offices {
		if i >= len(st.Offices) || o.Addr.String() != st.Offices[i].Addr || o.Namespace != st.Offices[i].Namespace {
			return fmt.Errorf("lab: netlab put office %s at %v in %s, not where its config says", o.Name, o.Addr, o.Namespace)
		}
	}
	st.Hub = ns.Hub
	return nil
}

// Serve is the body of `sinkron-lab testnet serve`: netlab's controller for
// the lab in dir, until ctx ends or `down` asks it to stop.
func Serve(ctx context.Context, dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, specFile))
	if err != nil {
		return fmt.Errorf("lab: serve: %w", err)
	}
	var spec netlab.Spec
	if err := json.Unmarshal(b, &spec); err != nil {
		return fmt.Errorf("lab: serve: %s: %w", specFile, err)
	}
	return netlab.Serve(ctx, spec, dir, netlab.Options{})
}

// Down stops the lab in dir and removes what Up made: namespaces,
// processes, the regency's data and the state files. Logs stay, for a
// run that failed.
func Down(ctx context.Context, dir string) error {
	prefix := netlab.DefaultPrefix
	if b, err := os.ReadFile(filepath.Join(dir, specFile)); err == nil {
		var spec netlab.Spec
		if json.Unmarshal(b, &spec) == nil && spec.Prefix != "" {
			prefix = spec.Prefix
		}
	}
	errs := []error{netlab.Teardown(ctx, dir, prefix)}
	for _, name := range []string{stateFile, specFile, "regency"} {
		errs = append(errs, os.RemoveAll(filepath.Join(dir, name)))
	}
	return errors.Join(errs...)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("lab: write %s: %w", path, err)
	}
	return nil
}
