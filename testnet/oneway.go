package testnet

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/sinkron-id/sinkron/node"
)

// oneWay is the set of one-way cuts on a mocknet: mocknet links carry both
// directions or none, so each node's host is wrapped, and a stream drops
// what it writes towards a peer that no longer hears it.
//
// This models a link that carries one direction only while the
// connection stays up (a radio that still receives, an uplink that
// drops): what one side writes arrives, what the other writes is lost,
// and a side waiting for an answer times out. Mocknet ignores deadlines,
// so a read on such a link gives up after idle, the idle timeout of a
// real transport compressed; so does a read on a stream that lived through
// a cut, after the heal too, since what was lost stays lost.
type oneWay struct {
	mu   sync.Mutex
	deaf map[[2]peer.ID]bool // {from, to}: to does not hear from
	idle time.Duration
}

func newOneWay() *oneWay { return &oneWay{deaf: map[[2]peer.ID]bool{}, idle: 100 * time.Millisecond} }

func (o *oneWay) set(from, to peer.ID, cut bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if cut {
		o.deaf[[2]peer.ID{from, to}] = true
	} else {
		delete(o.deaf, [2]peer.ID{from, to})
	}
}

func (o *oneWay) lost(from, to peer.ID) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.deaf[[2]peer.ID{from, to}]
}

// CutOneWay makes to stop hearing from, while from still hears to. Only a
// network on mocknet has one-way cuts; Heal restores both directions.
func (nw *Network) CutOneWay(from, to *node.Node) error {
	if nw.oneWay == nil {
		return fmt.Errorf("testnet: one-way cuts need Options.Mocknet")
	}
	nw.oneWay.set(from.ID(), to.ID(), true)
	return nil
}

// wrap gives a node's host one-way cuts.
func (o *oneWay) wrap(h host.Host) host.Host { return &oneWayHost{Host: h, o: o} }

type oneWayHost struct {
	host.Host
	o *oneWay
}

func (h *oneWayHost) NewStream(ctx context.Context, p peer.ID, pids ...protocol.ID) (network.Stream, error) {
	s, err := h.Host.NewStream(ctx, p, pids...)
	if err != nil {
		return nil, err
	}
	return h.o.stream(s), nil
}

func (h *oneWayHost) SetStreamHandler(pid protocol.ID, handler network.StreamHandler) {
	h.Host.SetStreamHandler(pid, func(s network.Stream) { handler(h.o.stream(s)) })
}

func (h *oneWayHost) SetStreamHandlerMatch(pid protocol.ID, m func(protocol.ID) bool, handler network.StreamHandler) {
	h.Host.SetStreamHandlerMatch(pid, m, func(s network.Stream) { handler(h.o.stream(s)) })
}

func (o *oneWay) stream(s network.Stream) network.Stream {
	w := &oneWayStream{Stream: s, o: o}
	w.lossyNow()
	return w
}

type oneWayStream struct {
	network.Stream
	o *oneWay
	// lossy: the link was cut one way or the other while this stream lived.
	lossy atomic.Bool
}

// lossyNow marks the stream lossy if the link is cut one way or the other
// now, and reports whether it ever was while the stream lived.
func (s *oneWayStream) lossyNow() bool {
	self, remote := s.ends()
	if s.o.lost(self, remote) || s.o.lost(remote, self) {
		s.lossy.Store(true)
	}
	return s.lossy.Load()
}

func (s *oneWayStream) ends() (self, remote peer.ID) {
	return s.Conn().LocalPeer(), s.Conn().RemotePeer()
}

// Write drops what the peer cannot hear, as the link would.
func (s *oneWayStream) Write(p []byte) (int, error) {
	self, remote := s.ends()
	if s.lossyNow() && s.o.lost(self, remote) {
		return len(p), nil
	}
	return s.Stream.Write(p)
}

// Read on a link cut either way, or on a stream that lived through a cut,
// gives up after the idle timeout: what the peer sends is lost, or it
// never heard what it should answer.
func (s *oneWayStream) Read(p []byte) (int, error) {
	_, remote := s.ends()
	if !s.lossyNow() {
		return s.Stream.Read(p)
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	buf := make([]byte, len(p))
	go func() {
		n, err := s.Stream.Read(buf)
		done <- result{n, err}
	}()
	select {
	case r := <-done:
		return copy(p, buf[:r.n]), r.err
	case <-time.After(s.o.idle):
		_ = s.Stream.Reset() // ends the read above
		return 0, fmt.Errorf("testnet: one-way link, nothing heard from %s: %w", remote, os.ErrDeadlineExceeded)
	}
}
