// Package testnet runs a regency's offices in one process (node/regency's
// launcher: a dinas group and N kecamatan, real libp2p, real badger) with
// links that can be cut and healed and nodes that restart, join and run
// on an in-memory network with their own clocks, for multi-node tests,
// the simulator and the lab.
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
	launch "github.com/sinkron-id/sinkron/node/regency"
)

// Options shape a network: a regency's (regency.Options) and how its
// nodes are run.
type Options struct {
	// These shape the regency, as the same fields of regency.Options do
	// (defaults: one dinas server, a 200ms heartbeat and a 1s sync
	// interval, which tests want for quick redials); the config Configure
	// leaves is kept across restarts.
	Dinas, Kecamatan            int
	RaftHeartbeat, SyncInterval time.Duration
	Logger                      *slog.Logger
	APIPorts                    []int
	Configure                   func(*node.Config)
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

// layout is the part of the options that shapes the regency itself.
func (o Options) layout() launch.Options {
	return launch.Options{Dinas: o.Dinas, Kecamatan: o.Kecamatan, RaftHeartbeat: o.RaftHeartbeat,
		SyncInterval: o.SyncInterval, Logger: o.Logger, APIPorts: o.APIPorts, Configure: o.Configure}
}

// Network is a running regency (node/regency's launcher) whose links can
// be cut and healed and whose nodes restart.
type Network struct {
	*launch.Regency
	opt Options
	cut map[[2]peer.ID]bool // mocknet links cut by Cut
	// oneWay holds the one-way cuts of a mocknet network (nil off it).
	oneWay *oneWay
}

// Start provisions and starts a dinas node and opt.Kecamatan kecamatan
// nodes under dir.
func Start(dir string, opt Options) (*Network, error) {
	r, err := launch.Provision(dir, opt.layout())
	if err != nil {
		return nil, err
	}
	nw := &Network{Regency: r, opt: opt, cut: map[[2]peer.ID]bool{}}
	if opt.Mocknet != nil {
		nw.oneWay = newOneWay()
	}
	for i := range r.Cfgs {
		n, err := nw.start(i, r.Cfgs[i])
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
	return nw, nw.Regency.Introduce()
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
	nw.opt.layout().Tune(&c)
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
