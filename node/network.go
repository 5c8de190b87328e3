package node

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	quic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/sinkron-id/sinkron/replication/antientropy"
	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// network is the node's libp2p side: host, gate, sync and document transfer.
type network struct {
	host    host.Host
	gate    *roster.Gate
	sync    *antientropy.Service
	fetcher *blob.Fetcher
	mdns    mdns.Service
	// topo is the regency as the sync sees it, from the roster.
	topo *topology
	// fetchesFrom is Node.fetchesFrom: whom this node takes documents from.
	fetchesFrom func(peer.ID) bool
}

func startNetwork(n *Node, priv crypto.PrivKey, makeHost func(crypto.PrivKey) (host.Host, error)) (*network, error) {
	gate := roster.NewGate(n.roster)
	var h host.Host
	var err error
	if makeHost != nil {
		h, err = makeHost(priv)
	} else {
		h, err = libp2p.New(
			libp2p.Identity(priv),
			libp2p.ListenAddrStrings(n.cfg.Listen...),
			libp2p.Security(noise.ID, noise.New),
			libp2p.Transport(tcp.NewTCPTransport),
			libp2p.Transport(quic.NewTransport),
			libp2p.ConnectionGater(gate),
			libp2p.DisableRelay(),
		)
	}
	if err != nil {
		return nil, fmt.Errorf("start libp2p: %w", err)
	}
	nw := &network{host: h, gate: gate, fetchesFrom: n.fetchesFrom, topo: &topology{n: n, gate: gate}}
	nw.fetcher = blob.NewFetcher(h, n.blobs, gate.Allows, n.log)
	nw.sync = antientropy.New(antientropy.Options{
		Host: h, Store: n.store, Topology: nw.topo, Observer: nw, Logger: n.log, Now: n.now,
		Interval: n.cfg.SyncInterval.Duration, ForwardWindow: n.cfg.ForwardWindow.Duration,
	})
	nw.fetcher.SetYield(
		func(to peer.ID) bool { return !nw.topo.overLAN(to) && nw.sync.Sending() },
		func(from peer.ID) bool { return !nw.topo.overLAN(from) && nw.sync.Receiving(from) })
	for _, m := range n.roster.Members() {
		nw.addAddrs(m.Peer, m.Addrs, n)
	}
	for _, a := range n.cfg.Peers {
		info, err := peer.AddrInfoFromString(a)
		if err != nil {
			h.Close()
			return nil, fmt.Errorf("config peers %q: %w", a, err)
		}
		nw.sync.AddPeer(info.ID, info.Addrs)
	}
	nw.sync.Start()
	if n.cfg.MDNS {
		nw.mdns = mdns.NewMdnsService(h, "sinkron-"+n.roster.Cluster().String()[:16], mdnsNotifee{nw})
		if err := nw.mdns.Start(); err != nil {
			n.log.Warn("mdns not started", "err", err)
		}
	}
	go nw.connectAll()
	return nw, nil
}

// fetchesFrom reports whether this node fetches documents from p. A dinas
// server that does not lead the Raft group takes them only from its
// siblings: the leader alone pulls a kecamatan's photos over its thin
// uplink, and the others copy them from it over the dinas LAN.
func (n *Node) fetchesFrom(p peer.ID) bool {
	c := n.Cluster()
	if c == nil || c.IsLeader() {
		return true
	}
	m, ok := n.roster.Member(p)
	return ok && m.Role == roster.Dinas
}

// relay passes events that came to a dinas server from an office on to the
// other dinas servers at once, over the LAN, so the kecamatan that pushed
// them to one server need not send them up its uplink again.
func (n *Node) relay(applied []*event.Event) {
	if n.Member().Role != roster.Dinas {
		return
	}
	fromOffice := slices.ContainsFunc(applied, func(e *event.Event) bool { return n.net.topo.roleOf(e.Origin) == otherOffice })
	if !fromOffice {
		return
	}
	var siblings []peer.ID
	for _, p := range n.net.host.Network().Peers() {
		if n.net.topo.overLAN(p) {
			siblings = append(siblings, p)
		}
	}
	n.net.sync.SyncWith(siblings...)
}

func (nw *network) addAddrs(p peer.ID, addrs []string, n *Node) {
	var mas []ma.Multiaddr
	for _, a := range addrs {
		m, err := ma.NewMultiaddr(a)
		if err != nil {
			n.log.Warn("bad roster address", "peer", p.String(), "addr", a)
			continue
		}
		mas = append(mas, m)
	}
	if len(mas) > 0 && p != nw.host.ID() {
		nw.sync.AddPeer(p, mas)
	}
}

type mdnsNotifee struct{ nw *network }

func (m mdnsNotifee) HandlePeerFound(info peer.AddrInfo) {
	if info.ID == m.nw.host.ID() || !m.nw.gate.Allows(info.ID) {
		return
	}
	m.nw.sync.AddPeer(info.ID, info.Addrs)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = m.nw.host.Connect(ctx, info)
}

// connectAll dials every known office once at start.
func (nw *network) connectAll() {
	for _, p := range nw.host.Peerstore().PeersWithAddrs() {
		if p == nw.host.ID() || !nw.gate.Allows(p) {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = nw.host.Connect(ctx, peer.AddrInfo{ID: p})
		cancel()
	}
}

// Synced fetches, after an exchange that went well, the documents wanted
// from p if this node takes them from p (antientropy.Observer).
func (nw *network) Synced(p peer.ID, _ antientropy.Stats, err error) {
	if err == nil && nw.fetchesFrom(p) {
		nw.fetcher.FetchFrom(p)
	}
}

// fetchAll fetches wanted documents from every connected peer this node
// takes them from: a dinas server that does not lead asks its siblings
// only, or it would hold a kecamatan's one serving turn (a whole stream of
// photos) and the leader would hear busy.
func (nw *network) fetchAll() {
	for _, p := range nw.host.Network().Peers() {
		if nw.fetchesFrom(p) {
			nw.fetcher.FetchFrom(p)
		}
	}
}

func (nw *network) close() {
	if nw.mdns != nil {
		nw.mdns.Close()
	}
	nw.sync.Close()
	nw.fetcher.Close()
	nw.host.Close()
}

// disconnect closes connections the gate no longer allows.
func (nw *network) disconnect() {
	for _, p := range nw.host.Network().Peers() {
		if !nw.gate.Allows(p) {
			_ = nw.host.Network().ClosePeer(p)
		}
	}
}
