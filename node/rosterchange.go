package node

import (
	"fmt"
	"slices"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// findSelf replays the roster decisions this replica holds and finds this
// node in the result. A node added after genesis may start before its
// decision reaches it: it runs with the role in its config and waits.
func (n *Node) findSelf(priv crypto.PrivKey) error {
	if err := n.replayRoster(); err != nil {
		return err
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		return err
	}
	if m, ok := n.roster.Member(id); ok {
		n.setSelf(m)
		return nil
	}
	if n.cfg.Role == "" {
		return fmt.Errorf("this node (%s) is not on the roster %s: add it to the genesis, or set role in the config and have the dinas add it", id, n.cfg.Genesis)
	}
	n.setSelf(roster.Member{Peer: id, Office: n.cfg.Office, Role: roster.Role(n.cfg.Role), Region: n.cfg.Region})
	n.log.Warn("not on the roster yet; waiting for the dinas decision that adds this node", "peer", id.String())
	return nil
}

// replayRoster applies every stored roster decision in decision order.
func (n *Node) replayRoster() error {
	var ds []*eventpb.Decision
	err := decision.NewBook(n.store).Each(func(d *eventpb.Decision) bool {
		if d.GetCommand().GetChangeRoster() != nil {
			ds = append(ds, d)
		}
		return true
	})
	slices.SortFunc(ds, func(a, b *eventpb.Decision) int { return int(a.Number) - int(b.Number) })
	for _, d := range ds {
		n.applyRosterDecision(d)
	}
	return err
}

// rosterChanged applies the roster decisions among freshly published ones.
func (n *Node) rosterChanged(pubs []decision.Published) {
	for _, p := range pubs {
		if !p.Roster() {
			continue
		}
		if d, err := p.Decode(); err == nil { // a bad block was refused by File
			n.applyRosterDecision(d)
		}
	}
}

func (n *Node) applyRosterDecision(d *eventpb.Decision) {
	c := d.GetCommand().GetChangeRoster()
	if c == nil || d.Refused != "" {
		return
	}
	id, err := peer.Decode(c.Peer)
	if err != nil {
		return
	}
	m := roster.Member{Peer: id, Office: c.Office, Role: roster.Role(c.Role), Region: c.Region, Addrs: c.Addrs}
	switch c.Op {
	case "tambah":
		n.roster.Add(m)
	case "pensiun":
		n.roster.Retire(id)
	case "ganti-kunci":
		old, _ := n.roster.Member(id)
		if next, err := peer.Decode(c.NewPeer); err == nil {
			n.roster.Retire(id)
			old.Peer = next
			n.roster.Add(old)
		}
	}
	if id == n.selfID() && c.Op == "tambah" {
		n.setSelf(m)
	}
	if n.net != nil && c.Op == "tambah" {
		n.net.addAddrs(id, c.Addrs, n)
	}
	n.log.Info("roster changed by dinas decision", "op", c.Op, "peer", c.Peer, "office", c.Office)
}

func (n *Node) selfID() peer.ID {
	if n.net != nil {
		return n.net.host.ID()
	}
	return n.self.Peer
}
