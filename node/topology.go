package node

import (
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/antientropy"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// topology is the regency as this node's sync sees it
// (antientropy.Topology), read from the roster beside it: who may be
// synced (the gate), which origins exist, and, for a kecamatan, that the
// dinas servers are its upstream, relay to each other over their LAN and
// forward to the other kecamatan, so an event crosses its thin uplink
// once. The node's own role is read at every call: a roster decision may
// change it.
type topology struct {
	n    *Node
	gate *roster.Gate
}

// Allows reports whether p may be synced with: the roster's gate.
func (t *topology) Allows(p peer.ID) bool { return t.gate.Allows(p) }

// Known are every origin the node may meet: roster and store.
func (t *topology) Known() []peer.ID {
	out := t.n.store.Vector().Origins()
	for _, m := range t.n.roster.Members() {
		out = append(out, m.Peer)
	}
	return append(out, t.n.roster.Cluster())
}

// PushTo picks whom a kecamatan sends its new writes to at once: the dinas
// servers, of which the sync service dials only its home (upstream), which
// passes them to its siblings over the dinas LAN (relay). Without a dinas
// server in reach it pushes to every peer, so neighbours carry the writes
// on. A dinas server pushes to all.
func (t *topology) PushTo(connected []peer.ID) []peer.ID {
	if t.n.Member().Role == roster.Dinas {
		return connected
	}
	servers := slices.DeleteFunc(slices.Clone(connected), func(p peer.ID) bool { return t.roleOf(p) != dinasServer })
	if len(servers) > 0 {
		return servers
	}
	return connected
}

// Upstream reports, for a kecamatan, whether p is a dinas server: any of
// them brings it everything, so it takes events from one (its home) and
// each comes down its thin downlink once.
func (t *topology) Upstream(p peer.ID) bool {
	return t.n.Member().Role != roster.Dinas && t.roleOf(p) == dinasServer
}

// Passes reports, for a kecamatan, whether from passes its events and what
// it is given on to `to` over the dinas LAN: both are dinas servers (or
// from is the cluster's origin, which every dinas server publishes). The
// kecamatan then sends `to` neither, not over its own uplink.
func (t *topology) Passes(from, to peer.ID) bool {
	if t.n.Member().Role == roster.Dinas || from == to {
		return false
	}
	return t.roleOf(to) == dinasServer && (from == t.n.roster.Cluster() || t.roleOf(from) == dinasServer)
}

// Forwards reports, for a kecamatan, whether from is a dinas server and to
// another kecamatan: the dinas sends what it is given on to every office
// it reaches, so a kecamatan leaves what it just gave the dinas out of its
// exchanges with the other kecamatan, on its own uplink.
func (t *topology) Forwards(from, to peer.ID) bool {
	if t.n.Member().Role == roster.Dinas || from == to {
		return false
	}
	return t.roleOf(from) == dinasServer && t.roleOf(to) == otherOffice
}

// A peer's place in the regency's sync, as Passes and Forwards see it.
const (
	notOnRoster = iota
	dinasServer
	otherOffice
)

func (t *topology) roleOf(p peer.ID) int {
	m, ok := t.n.roster.Member(p)
	switch {
	case !ok:
		return notOnRoster
	case m.Role == roster.Dinas:
		return dinasServer
	}
	return otherOffice
}

// overLAN reports whether documents to and from p cross the dinas LAN (both
// ends dinas servers), where they need not wait for events. Any other link
// has a kecamatan's thin uplink or downlink at one end: a kecamatan
// serving yields while it sends events to anyone, a dinas server while it
// sends events at all (which may be to p).
func (t *topology) overLAN(p peer.ID) bool {
	m, ok := t.n.roster.Member(p)
	return ok && m.Role == roster.Dinas && t.n.Member().Role == roster.Dinas
}

// The sync asks the topology and tells the network (which fetches
// documents) after each exchange.
var (
	_ antientropy.Topology = (*topology)(nil)
	_ antientropy.Observer = (*network)(nil)
)
