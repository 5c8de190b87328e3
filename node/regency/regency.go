package regency

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// Options shape a regency.
type Options struct {
	// Dinas is the number of dinas nodes in the Raft group (default 1).
	Dinas int
	// Kecamatan is the number of kecamatan nodes (zero or less: none; at
	// most len(Regions)).
	Kecamatan int
	// RaftHeartbeat of the dinas group (default 200ms: loopback).
	RaftHeartbeat time.Duration
	// SyncInterval of every node (default 1s: a regency in one process
	// wants quick redials).
	SyncInterval time.Duration
	Logger       *slog.Logger
	// APIPorts, if set, gives each node's API port in order (0: none).
	APIPorts []int
	// Configure, if set, adjusts each node's config before its first
	// start.
	Configure func(*node.Config)
}

// Regions are the kecamatan codes used (Kab. Tanggamus, Lampung: 18.06.xx).
var Regions = []string{"180601", "180602", "180603", "180604", "180605", "180606", "180607", "180608"}

// KecamatanNames are the offices' names, from seed 002.
var KecamatanNames = []string{"Kota Agung", "Pulau Panggung", "Talang Padang", "Wonosobo", "Pugung", "Cukuh Balak", "Semaka", "Sumberejo"}

// Regency is a regency's offices: their configs and, once started, their
// nodes, dinas servers first.
type Regency struct {
	Dir   string
	Nodes []*node.Node
	Cfgs  []node.Config
	dinas int
}

// Provision writes the regency's keys, genesis roster and configs under
// dir and returns it with no node started: Start starts them with
// node.New, a caller that needs other node.Options (testnet's in-memory
// network, a simulated clock) starts them itself and then calls Introduce.
func Provision(dir string, opt Options) (*Regency, error) {
	opt = opt.withDefaults()
	if opt.Kecamatan > len(Regions) {
		return nil, fmt.Errorf("regency: at most %d kecamatan", len(Regions))
	}
	var specs []node.OfficeSpec
	for i := range opt.Dinas {
		name := "Dinas Dukcapil Kab. Tanggamus"
		if opt.Dinas > 1 {
			name += fmt.Sprintf(" (server %d)", i+1)
		}
		specs = append(specs, node.OfficeSpec{Name: name, Role: roster.Dinas, Region: "1806"})
	}
	for i := range opt.Kecamatan {
		specs = append(specs, node.OfficeSpec{Name: "Kecamatan " + KecamatanNames[i], Role: roster.Kecamatan, Region: Regions[i]})
	}
	for i := range specs {
		// Both transports, so a regency in one process exercises QUIC as
		// well as TCP.
		specs[i].Listen = []string{"/ip4/127.0.0.1/udp/0/quic-v1", "/ip4/127.0.0.1/tcp/0"}
		if i < len(opt.APIPorts) {
			specs[i].APIListen = fmt.Sprintf("127.0.0.1:%d", opt.APIPorts[i])
		}
	}
	cfgs, err := node.Provision(dir, "Kabupaten Tanggamus", specs)
	if err != nil {
		return nil, err
	}
	for i := range cfgs {
		opt.Tune(&cfgs[i])
	}
	return &Regency{Dir: dir, Cfgs: cfgs, dinas: opt.Dinas}, nil
}

// Tune applies the options' intervals and Configure to c, as Provision
// does to every office (and a caller does to an office that joins later).
func (opt Options) Tune(c *node.Config) {
	opt = opt.withDefaults()
	c.SyncInterval.Duration = opt.SyncInterval
	c.RaftHeartbeat.Duration = opt.RaftHeartbeat
	if opt.Configure != nil {
		opt.Configure(c)
	}
}

func (opt Options) withDefaults() Options {
	opt.Kecamatan = max(opt.Kecamatan, 0)
	if opt.SyncInterval == 0 {
		opt.SyncInterval = time.Second
	}
	if opt.Dinas == 0 {
		opt.Dinas = 1
	}
	if opt.RaftHeartbeat == 0 {
		opt.RaftHeartbeat = 200 * time.Millisecond
	}
	return opt
}

// Start provisions a regency under dir, starts every office's node and
// introduces them to each other.
func Start(dir string, opt Options) (*Regency, error) {
	r, err := Provision(dir, opt)
	if err != nil {
		return nil, err
	}
	for _, c := range r.Cfgs {
		n, err := node.New(c, node.Options{Logger: opt.Logger})
		if err != nil {
			r.Close()
			return nil, err
		}
		r.Nodes = append(r.Nodes, n)
	}
	if err := r.Introduce(); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Introduce tells every node where the others listen (ports were chosen
// by the kernel after the roster was written).
func (r *Regency) Introduce() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, a := range r.Nodes {
		for _, b := range r.Nodes {
			if a == b {
				continue
			}
			if err := a.Connect(ctx, b.ID(), b.Addrs()); err != nil {
				return err
			}
		}
	}
	return nil
}

// Dinas is the first dinas node.
func (r *Regency) Dinas() *node.Node { return r.Nodes[0] }

// DinasNodes are the dinas servers of the genesis, the Raft group.
func (r *Regency) DinasNodes() []*node.Node { return r.Nodes[:r.dinas] }

// Kecamatan returns the i-th kecamatan node (0-based).
func (r *Regency) Kecamatan(i int) *node.Node { return r.Nodes[r.dinas+i] }

// Leader returns the dinas node that leads the Raft group now, or nil.
func (r *Regency) Leader() *node.Node {
	for _, n := range r.DinasNodes() {
		if c := n.Cluster(); c != nil && c.IsLeader() {
			return n
		}
	}
	return nil
}

// WaitLeader waits until the dinas group has a leader.
func (r *Regency) WaitLeader(timeout time.Duration) (*node.Node, error) {
	deadline := time.Now().Add(timeout)
	for {
		if l := r.Leader(); l != nil {
			return l, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("regency: no dinas leader within %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Converged reports whether every node holds the same events.
func (r *Regency) Converged() bool {
	v := r.Nodes[0].Store().Vector()
	for _, n := range r.Nodes[1:] {
		if !n.Store().Vector().Equal(v) {
			return false
		}
	}
	return true
}

// WaitConverged polls until Converged or the timeout.
func (r *Regency) WaitConverged(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !r.Converged() {
		if time.Now().After(deadline) {
			return fmt.Errorf("regency: no convergence within %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// Close stops every node.
func (r *Regency) Close() {
	for _, n := range r.Nodes {
		n.Close()
	}
}
