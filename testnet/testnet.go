// Package testnet starts a regency's offices in one process on loopback
// (a dinas node and N kecamatan, real libp2p, real badger) with links that
// can be cut and healed, for multi-node tests, benchmarks and the demo.
package testnet

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// Options shape a network.
type Options struct {
	// Dinas is the number of dinas nodes in the Raft group (default 1).
	Dinas int
	// Kecamatan is the number of kecamatan nodes (zero or less: none).
	Kecamatan int
	// RaftHeartbeat of the dinas group (default 200ms: loopback).
	RaftHeartbeat time.Duration
	// SyncInterval of every node (default 1s: tests want quick redials).
	SyncInterval time.Duration
	Logger       *slog.Logger
	// APIPorts, if set, gives each node's API port in order (0: none).
	APIPorts []int
	// Configure, if set, adjusts each node's config before its first
	// start; restarts keep the result.
	Configure func(*node.Config)
	// Sender, if set, makes a node's WhatsApp sender from its config at
	// every start (as `sinkron node` does); without it notices are logged.
	Sender func(node.Config) (outbox.Sender, error)
	// Mocknet, if set, carries every node's libp2p host in memory instead
	// of on loopback: Cut and Heal then remove and restore the link itself,
	// as the simulator wants.
	Mocknet mocknet.Mocknet
	// Now, if set, gives node i its clock (the simulator's, with a skew).
	Now func(i int) func() time.Time
}

// Network is a running regency.
type Network struct {
	Dir   string
	Nodes []*node.Node
	Cfgs  []node.Config
	dinas int
	opt   Options
	cut   map[[2]peer.ID]bool // mocknet links cut by Cut
	// oneWay holds the one-way cuts of a mocknet network (nil off it).
	oneWay *oneWay
}

// Regions are the kecamatan codes used (Kab. Tanggamus, Lampung: 18.06.xx).
var Regions = []string{"180601", "180602", "180603", "180604", "180605", "180606", "180607", "180608"}

// KecamatanNames are the offices' names, from seed 002.
var KecamatanNames = []string{"Kota Agung", "Pulau Panggung", "Talang Padang", "Wonosobo", "Pugung", "Cukuh Balak", "Semaka", "Sumberejo"}

// Start provisions and starts a dinas node and opt.Kecamatan kecamatan
// nodes under dir.
func Start(dir string, opt Options) (*Network, error) {
	opt.Kecamatan = max(opt.Kecamatan, 0)
	if opt.Kecamatan > len(Regions) {
		return nil, fmt.Errorf("testnet: at most %d kecamatan", len(Regions))
	}
	if opt.SyncInterval == 0 {
		opt.SyncInterval = time.Second
	}
	if opt.Dinas == 0 {
		opt.Dinas = 1
	}
	if opt.RaftHeartbeat == 0 {
		opt.RaftHeartbeat = 200 * time.Millisecond
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
		// Both transports, so tests exercise QUIC as well as TCP.
		specs[i].Listen = []string{"/ip4/127.0.0.1/udp/0/quic-v1", "/ip4/127.0.0.1/tcp/0"}
		if i < len(opt.APIPorts) {
			specs[i].APIListen = fmt.Sprintf("127.0.0.1:%d", opt.APIPorts[i])
		}
	}
	cfgs, err := node.Provision(dir, "Kabupaten Tanggamus", specs)
	if err != nil {
		return nil, err
	}
	nw := &Network{Dir: dir, Cfgs: cfgs, dinas: opt.Dinas, opt: opt, cut: map[[2]peer.ID]bool{}}
	if opt.Mocknet != nil {
		nw.oneWay = newOneWay()
	}
	for i := range cfgs {
		cfgs[i].SyncInterval.Duration = opt.SyncInterval
		cfgs[i].RaftHeartbeat.Duration = opt.RaftHeartbeat
		if opt.Configure != nil {
			opt.Configure(&cfgs[i])
		}
		n, err := nw.start(i, cfgs[i])
		if err != nil {
			nw.Close()
			return nil, err
		}
		nw.Nodes = append(nw.Nodes, n)
	}
	if opt.Mocknet != nil {
		if err := opt.Mocknet.LinkAll(); err != nil {
			nw.Close()
			return nil, fmt.Errorf("testnet: link mocknet: %w", err)
		}
	}
	return nw, nw.introduce()
}

// start starts node i with the network's options.
func (nw *Network) start(i int, c node.Config) (*node.Node, error) {
	o := node.Options{Logger: nw.opt.Logger}
	if nw.opt.Now != nil {
		o.Now = nw.opt.Now(i)
	}
	if mn := nw.opt.Mocknet; mn != nil {
		addr := ma.StringCast(fmt.Sprintf("/ip4/10.77.0.%d/tcp/4001", i+1))
		o.Host = func(priv crypto.PrivKey) (host.Host, error) {
			h, err := mn.AddPeer(priv, addr)
			if err != nil {
				return nil, err
			}
			return nw.oneWay.wrap(h), nil
		}
	}
	if nw.opt.Sender != nil {
		var err error
		if o.Sender, err = nw.opt.Sender(c); err != nil {
			return nil, fmt.Errorf("testnet: whatsapp sender: %w", err)
		}
	}
	return node.New(c, o)
}

// Restart stops node i and starts it again from its data directory (same
// identity, same store), as after a power cut or an upgrade.
func (nw *Network) Restart(i int) error { return nw.RestartAfter(i, nil) }

// RestartAfter is Restart with whileDown run between the stop and the start,
// to do to the node's files what a crash or an operator would.
func (nw *Network) RestartAfter(i int, whileDown func(node.Config) error) error {
	nw.Nodes[i].Close()
	if whileDown != nil {
		if err := whileDown(nw.Cfgs[i]); err != nil {
			return err
		}
	}
	old := nw.Nodes[i].ID()
	if mn := nw.opt.Mocknet; mn != nil { // links hold the old host's network
		nw.unlinkAll(old)
	}
	n, err := nw.start(i, nw.Cfgs[i])
	if err != nil {
		return err
	}
	nw.Nodes[i] = n
	if mn := nw.opt.Mocknet; mn != nil {
		for j, o := range nw.Nodes {
			if j != i && !nw.cut[pair(old, o.ID())] {
				_, _ = mn.LinkPeers(old, o.ID())
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for j, o := range nw.Nodes {
		if j != i {
			_ = n.Connect(ctx, o.ID(), o.Addrs())
			_ = o.Connect(ctx, n.ID(), n.Addrs())
		}
	}
	return nil
}

// Leader returns the dinas node that leads the Raft group now, or nil.
func (nw *Network) Leader() *node.Node {
	for _, n := range nw.Nodes[:nw.dinas] {
		if c := n.Cluster(); c != nil && c.IsLeader() {
			return n
		}
	}
	return nil
}

// WaitLeader waits until the dinas group has a leader.
func (nw *Network) WaitLeader(timeout time.Duration) (*node.Node, error) {
	deadline := time.Now().Add(timeout)
	for {
		if l := nw.Leader(); l != nil {
			return l, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("testnet: no dinas leader within %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// introduce tells every node where the others listen (ports were chosen by
// the kernel after the roster was written).
func (nw *Network) introduce() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, a := range nw.Nodes {
		for _, b := range nw.Nodes {
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
func (nw *Network) Dinas() *node.Node { return nw.Nodes[0] }

// DinasNodes are the dinas cluster's nodes.
func (nw *Network) DinasNodes() []*node.Node { return nw.Nodes[:nw.dinas] }

// Kecamatan returns the i-th kecamatan node (0-based).
func (nw *Network) Kecamatan(i int) *node.Node { return nw.Nodes[nw.dinas+i] }

// Cut cuts the link between two nodes in both directions.
func (nw *Network) Cut(a, b *node.Node) {
	if mn := nw.opt.Mocknet; mn != nil {
		if nw.cut[pair(a.ID(), b.ID())] {
			return
		}
		nw.cut[pair(a.ID(), b.ID())] = true
		_ = mn.UnlinkPeers(a.ID(), b.ID())
		_ = mn.DisconnectPeers(a.ID(), b.ID())
		_ = mn.DisconnectPeers(b.ID(), a.ID())
		return
	}
	a.Cut(b.ID(), true)
	b.Cut(a.ID(), true)
}

// Heal restores the link between two nodes.
func (nw *Network) Heal(a, b *node.Node) {
	if mn := nw.opt.Mocknet; mn != nil {
		nw.oneWay.set(a.ID(), b.ID(), false)
		nw.oneWay.set(b.ID(), a.ID(), false)
		if !nw.cut[pair(a.ID(), b.ID())] {
			return
		}
		delete(nw.cut, pair(a.ID(), b.ID()))
		_, _ = mn.LinkPeers(a.ID(), b.ID())
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = a.Connect(ctx, b.ID(), b.Addrs())
		return
	}
	a.Cut(b.ID(), false)
	b.Cut(a.ID(), false)
}

// pair names an unordered link.
func pair(a, b peer.ID) [2]peer.ID {
	if a > b {
		a, b = b, a
	}
	return [2]peer.ID{a, b}
}

// unlinkAll removes every mocknet link of p.
func (nw *Network) unlinkAll(p peer.ID) {
	for _, o := range nw.Nodes {
		if o.ID() != p {
			_ = nw.opt.Mocknet.UnlinkPeers(p, o.ID())
		}
	}
}

// Close stops every node.
func (nw *Network) Close() {
	for _, n := range nw.Nodes {
		n.Close()
	}
}

// Converged reports whether every node holds the same events.
func (nw *Network) Converged() bool {
	v := nw.Nodes[0].Store().Vector()
	for _, n := range nw.Nodes[1:] {
		if !n.Store().Vector().Equal(v) {
			return false
		}
	}
	return true
}

// WaitConverged polls until Converged or the timeout.
func (nw *Network) WaitConverged(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !nw.Converged() {
		if time.Now().After(deadline) {
			return fmt.Errorf("testnet: no convergence within %v", timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// Join starts one more node not in the genesis (as a regency adds an
// office), connected to the others; the dinas must then add it to the
// roster. It returns the node's index.
func (nw *Network) Join(spec node.OfficeSpec) (int, error) {
	if len(spec.Listen) == 0 {
		spec.Listen = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	c, _, err := node.ProvisionJoin(nw.Dir, fmt.Sprintf("join-%d", len(nw.Nodes)), spec)
	if err != nil {
		return 0, err
	}
	c.SyncInterval.Duration = nw.opt.SyncInterval
	c.RaftHeartbeat.Duration = nw.opt.RaftHeartbeat
	if nw.opt.Configure != nil {
		nw.opt.Configure(&c)
	}
	n, err := nw.start(len(nw.Nodes), c)
	if err != nil {
		return 0, err
	}
	nw.Nodes = append(nw.Nodes, n)
	if mn := nw.opt.Mocknet; mn != nil {
		for _, o := range nw.Nodes[:len(nw.Nodes)-1] {
			_, _ = mn.LinkPeers(n.ID(), o.ID())
		}
	}
	nw.Cfgs = append(nw.Cfgs, c)
	return len(nw.Nodes) - 1, nil
}

// Introduce has node i dial every other node (after the roster admits it).
func (nw *Network) Introduce(i int) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for j, o := range nw.Nodes {
		if j != i {
			_ = nw.Nodes[i].Connect(ctx, o.ID(), o.Addrs())
		}
	}
}
