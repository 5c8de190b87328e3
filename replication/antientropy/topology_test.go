package antientropy

import "github.com/libp2p/go-libp2p/core/peer"

// testTopology is a mesh but for the relations a test gives.
type testTopology struct {
	mesh
	passes, forwards func(from, to peer.ID) bool
	upstream         func(peer.ID) bool
}

func (t testTopology) Passes(from, to peer.ID) bool { return t.passes != nil && t.passes(from, to) }
func (t testTopology) Forwards(from, to peer.ID) bool {
	return t.forwards != nil && t.forwards(from, to)
}
func (t testTopology) Upstream(p peer.ID) bool { return t.upstream != nil && t.upstream(p) }
