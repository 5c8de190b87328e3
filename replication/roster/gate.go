package roster

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/control"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// Gate is the libp2p connection gater: it admits only roster peers, and
// lets an operator (or a test) take the node offline or cut single links.
type Gate struct {
	roster  *Roster
	mu      sync.RWMutex
	offline bool
	blocked map[peer.ID]bool
}

// NewGate gates connections by r.
func NewGate(r *Roster) *Gate { return &Gate{roster: r, blocked: map[peer.ID]bool{}} }

// SetOffline refuses (true) or admits (false) every connection.
func (g *Gate) SetOffline(off bool) {
	g.mu.Lock()
	g.offline = off
	g.mu.Unlock()
}

// Offline reports whether the node is taken off the network.
func (g *Gate) Offline() bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.offline
}

// Block cuts (true) or heals (false) the link to one peer.
func (g *Gate) Block(id peer.ID, cut bool) {
	g.mu.Lock()
	if cut {
		g.blocked[id] = true
	} else {
		delete(g.blocked, id)
	}
	g.mu.Unlock()
}

// Allows reports whether a connection to id may exist now.
func (g *Gate) Allows(id peer.ID) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	if _, ok := g.roster.Member(id); !ok {
		return false
	}
	return !g.offline && !g.blocked[id]
}

func (g *Gate) InterceptPeerDial(id peer.ID) bool { return g.Allows(id) }

func (g *Gate) InterceptAddrDial(id peer.ID, _ ma.Multiaddr) bool { return g.Allows(id) }

func (g *Gate) InterceptAccept(network.ConnMultiaddrs) bool { return !g.Offline() }

func (g *Gate) InterceptSecured(_ network.Direction, id peer.ID, _ network.ConnMultiaddrs) bool {
	return g.Allows(id)
}

func (g *Gate) InterceptUpgraded(network.Conn) (bool, control.DisconnectReason) { return true, 0 }
