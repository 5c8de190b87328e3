package node

import (
	"context"
	"time"

	lnet "github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/antientropy"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Status is what an operator sees of the node.
type Status struct {
	Peer         peer.ID
	Office       string
	Role         string
	Region       string
	Online       bool
	ListenAddrs  []string
	Vector       vv.Vector
	Events       uint64
	Conflicts    int
	OutboxDepth  int
	OutboxDead   int // notices given up on, waiting for an officer
	BlobsMissing int
	// EffectsFailed counts decided steps whose registry change failed here
	// and is being retried (request get shows each one's error).
	EffectsFailed int
	Now           time.Time
	// DWH is the warehouse feed on a dinas server with [dwh], else nil.
	DWH *dwh.Status
	// ClockAhead lists origins stamping events beyond the maximum offset.
	ClockAhead map[peer.ID]time.Duration
}

// Status reports the node's state now.
func (n *Node) Status() Status {
	vec := n.store.Vector()
	conflicts, _ := n.store.Conflicts()
	wanted, _ := n.blobs.Wanted()
	return Status{
		Peer: n.ID(), Office: n.Member().Office, Role: string(n.Member().Role), Region: n.Member().Region,
		Online: !n.net.gate.Offline(), ListenAddrs: n.ListenAddrs(), Vector: vec, Events: vec.Total(),
		Conflicts: len(conflicts), OutboxDepth: n.outbox.Depth(), OutboxDead: n.outbox.DeadCount(), BlobsMissing: len(wanted), Now: n.now(),
		EffectsFailed: int(n.effectsFailed.Load()),
		ClockAhead:    n.store.ClockSkew(),
		DWH:           n.DWHStatus(),
	}
}

// ListenAddrs are the node's addresses with its peer ID, ready to dial.
func (n *Node) ListenAddrs() []string {
	var out []string
	for _, a := range n.net.host.Addrs() {
		out = append(out, a.String()+"/p2p/"+n.ID().String())
	}
	return out
}

// Addrs are the node's libp2p listen addresses.
func (n *Node) Addrs() []ma.Multiaddr { return n.net.host.Addrs() }

// PeerInfo is one office as this node sees it.
type PeerInfo struct {
	Peer      peer.ID
	Office    string
	Role      string
	Connected bool
	Addrs     []string
	Sync      antientropy.PeerStats
}

// Peers lists every other office of the roster.
func (n *Node) Peers() []PeerInfo {
	stats := map[peer.ID]antientropy.PeerStats{}
	for _, s := range n.net.sync.Peers() {
		stats[s.Peer] = s
	}
	var out []PeerInfo
	for _, m := range n.roster.Members() {
		if m.Peer == n.ID() {
			continue
		}
		var addrs []string
		for _, a := range n.net.host.Peerstore().Addrs(m.Peer) {
			addrs = append(addrs, a.String())
		}
		out = append(out, PeerInfo{
			Peer: m.Peer, Office: m.Office, Role: string(m.Role), Addrs: addrs, Sync: stats[m.Peer],
			Connected: n.net.host.Network().Connectedness(m.Peer) == lnet.Connected,
		})
	}
	return out
}

// SetOnline takes the node off the network (closing every connection and
// refusing new ones) or brings it back and redials its offices.
func (n *Node) SetOnline(on bool) {
	n.net.gate.SetOffline(!on)
	if !on {
		n.net.disconnect()
		n.log.Info("network paused by operator")
		return
	}
	n.log.Info("network resumed by operator")
	go n.net.connectAll()
}

// Cut cuts (or heals) the link to one peer, as a broken cable would.
func (n *Node) Cut(p peer.ID, cut bool) {
	n.net.gate.Block(p, cut)
	if cut {
		n.net.disconnect()
	} else {
		go n.net.connectAll()
	}
}

// Connect dials a peer at the given addresses and keeps it in the peerstore.
func (n *Node) Connect(ctx context.Context, p peer.ID, addrs []ma.Multiaddr) error {
	n.net.sync.AddPeer(p, addrs)
	return n.net.host.Connect(ctx, peer.AddrInfo{ID: p, Addrs: addrs})
}

// SyncNow starts an exchange with every connected peer and waits for them;
// it returns how many peers were synced.
func (n *Node) SyncNow(ctx context.Context) int {
	count := 0
	for _, p := range n.net.host.Network().Peers() {
		if !n.net.gate.Allows(p) {
			continue
		}
		if _, err := n.net.sync.SyncPeer(ctx, p); err == nil {
			count++
		}
	}
	return count
}

// SyncIdle reports whether no sync exchange is under way or queued.
func (n *Node) SyncIdle() bool { return n.net.sync.Idle() }

// Conflicts lists entities in conflict.
func (n *Node) Conflicts() ([]store.Conflict, error) { return n.store.Conflicts() }

// FailedNotices are the resident notices the outbox gave up on.
func (n *Node) FailedNotices() ([]outbox.DeadLetter, error) { return n.outbox.DeadLetters() }

// RetryNotice puts a failed notice back in the queue.
func (n *Node) RetryNotice(id string) error { return n.outbox.Retry(id) }
