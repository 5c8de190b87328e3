package antientropy

import (
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/store"
)

// Topology is the regency as the sync sees it: who may be synced, whose
// events may come, and how offices pass events on, so that an event
// crosses a thin link once. The node implements it once, beside the
// roster; this package asks it and knows no roles.
type Topology interface {
	// Allows reports whether p may be synced with (the roster gate).
	Allows(p peer.ID) bool
	// Known lists every origin this node may see, to map wire tags back.
	Known() []peer.ID
	// PushTo picks, among the connected peers, those a Nudge (new local
	// writes) syncs with at once; the others hear of the writes in the
	// periodic round, by then usually from those.
	PushTo(connected []peer.ID) []peer.ID
	// Passes reports whether from passes what it receives on to `to` at
	// once (the dinas servers among themselves): an event this node just
	// delivered to from is then not sent to `to` as well (claims).
	Passes(from, to peer.ID) bool
	// Forwards reports whether from, a hub (a dinas server), sends what it
	// receives on to `to` in its own time (to the other kecamatan): an
	// event this node delivered to from is then not sent to `to` for
	// Options.ForwardWindow. After a week offline a kecamatan otherwise
	// sent its backlog to every other kecamatan as well as to the dinas.
	Forwards(from, to peer.ID) bool
	// Upstream reports whether p is one of several interchangeable
	// sources of everything (the dinas servers, for a kecamatan). This
	// node then takes events from one of them, its home (Home), and
	// neither dials the others nor asks them for events while the home is
	// connected and its last exchange went well; the home passes this
	// node's events on to them. Each dinas server otherwise sent a
	// kecamatan the dinas's new events down its thin downlink.
	Upstream(p peer.ID) bool
}

// Observer is told after each exchange, as the dialer or the listener
// (the node fetches the documents the new events refer to).
type Observer interface {
	Synced(p peer.ID, st Stats, err error)
}

// mesh is the Topology without a regency (Options.Topology nil): every
// peer may be synced, the origins the store holds are known, new writes go
// to every connected peer, and no peer relays, forwards or is upstream.
type mesh struct{ store *store.Store }

func (mesh) Allows(peer.ID) bool                  { return true }
func (m mesh) Known() []peer.ID                   { return m.store.Vector().Origins() }
func (mesh) PushTo(connected []peer.ID) []peer.ID { return connected }
func (mesh) Passes(from, to peer.ID) bool         { return false }
func (mesh) Forwards(from, to peer.ID) bool       { return false }
func (mesh) Upstream(peer.ID) bool                { return false }
