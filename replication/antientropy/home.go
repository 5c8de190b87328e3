package antientropy

import (
	"hash/fnv"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Home is the upstream this node takes events from (Topology.Upstream). It
// keeps its home while that one stays connected and its exchanges go well,
// since switching mid-backlog would bring the rest down twice; otherwise it
// picks, of the connected upstreams whose last exchange did not fail, the
// one ranked first for this node by rendezvous hashing, so the kecamatan
// spread over the dinas servers.
func (s *Service) Home() (peer.ID, bool) {
	connected := s.opt.Host.Network().Peers()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.home != "" && slices.Contains(connected, s.home) && s.healthy(s.home) {
		return s.home, true
	}
	var best uint64
	s.home = ""
	for _, p := range connected {
		if !s.opt.Topology.Upstream(p) || !s.healthy(p) {
			continue
		}
		if r := rank(s.opt.Host.ID(), p); s.home == "" || r > best {
			s.home, best = p, r
		}
	}
	return s.home, s.home != ""
}

// asks reports whether this node dials p and asks it for what it lacks:
// any peer but an upstream other than the home.
func (s *Service) asks(p peer.ID) bool {
	if !s.opt.Topology.Upstream(p) {
		return true
	}
	home, ok := s.Home()
	return !ok || home == p
}

// healthy reports whether p's last exchange, if any, went well. Caller
// holds mu.
func (s *Service) healthy(p peer.ID) bool {
	st := s.stats[p]
	return st == nil || st.LastError == ""
}

func rank(self, p peer.ID) uint64 {
	h := fnv.New64a()
	h.Write([]byte(self))
	h.Write([]byte(p))
	return h.Sum64()
}
