// Package testnet starts a regency's offices in one process on loopback
// (a dinas node and N kecamatan, real libp2p, real badger) with links that
// can be cut and healed, for multi-node tests, benchmarks and the demo.
package testnet

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// Options shape a network.
type Options struct {
	// Kecamatan is the number of kecamatan nodes (default 3).
	Kecamatan int
	// SyncInterval of every node (default 1s: tests want quick redials).
	SyncInterval time.Duration
	Logger       *slog.Logger
	// APIPorts, if set, gives each node's API port in order (0: none).
	APIPorts []int
}

// Network is a running regency.
type Network struct {
	Dir   string
	Nodes []*node.Node
	Cfgs  []node.Config
}

// Regions are the kecamatan codes used (Kab. Tanggamus, Lampung: 18.06.xx).
var Regions = []string{"180601", "180602", "180603", "180604", "180605", "180606", "180607", "180608"}

// KecamatanNames are the offices' names, from seed 002.
var KecamatanNames = []string{"Kota Agung", "Pulau Panggung", "Talang Padang", "Wonosobo", "Pugung", "Cukuh Balak", "Semaka", "Sumberejo"}

// Start provisions and starts a dinas node and opt.Kecamatan kecamatan
// nodes under dir.
func Start(dir string, opt Options) (*Network, error) {
	if opt.Kecamatan == 0 {
		opt.Kecamatan = 3
	}
	if opt.Kecamatan > len(Regions) {
		return nil, fmt.Errorf("testnet: at most %d kecamatan", len(Regions))
	}
	if opt.SyncInterval == 0 {
		opt.SyncInterval = time.Second
	}
	specs := []node.OfficeSpec{{Name: "Dinas Dukcapil Kab. Tanggamus", Role: roster.Dinas, Region: "1806"}}
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
	nw := &Network{Dir: dir, Cfgs: cfgs}
	for _, c := range cfgs {
		c.SyncInterval.Duration = opt.SyncInterval
		n, err := node.New(c, node.Options{Logger: opt.Logger})
		if err != nil {
			nw.Close()
			return nil, err
		}
		nw.Nodes = append(nw.Nodes, n)
	}
	return nw, nw.introduce()
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

// Dinas is the dinas node.
func (nw *Network) Dinas() *node.Node { return nw.Nodes[0] }

// Kecamatan returns the i-th kecamatan node (0-based).
func (nw *Network) Kecamatan(i int) *node.Node { return nw.Nodes[1+i] }

// Cut cuts the link between two nodes in both directions.
func (nw *Network) Cut(a, b *node.Node) { a.Cut(b.ID(), true); b.Cut(a.ID(), true) }

// Heal restores the link between two nodes.
func (nw *Network) Heal(a, b *node.Node) { a.Cut(b.ID(), false); b.Cut(a.ID(), false) }

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
