package consensus

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// RaftProtocol is the libp2p protocol ID carrying Raft's RPCs.
const RaftProtocol protocol.ID = "/sinkron/raft/1"

// RaftAddr is a peer's Raft server address (and, as a ServerID, its ID).
func RaftAddr(p peer.ID) raft.ServerAddress { return raft.ServerAddress(p.String()) }

// StreamLayer is a raft.StreamLayer over libp2p streams, so Raft rides the
// host's one port, identity and encryption. Addresses are peer ID strings.
type StreamLayer struct {
	host   host.Host
	allows func(peer.ID) bool

	accept chan net.Conn
	done   chan struct{}

	mu     sync.Mutex
	live   map[*streamConn]struct{}
	closed bool
}

var _ raft.StreamLayer = (*StreamLayer)(nil)

// NewStreamLayer registers the Raft protocol on h. Inbound streams from peers
// allows refuses are reset; nil allows everyone.
func NewStreamLayer(h host.Host, allows func(peer.ID) bool) *StreamLayer {
	if allows == nil {
		allows = func(peer.ID) bool { return true }
	}
	l := &StreamLayer{
		host: h, allows: allows,
		accept: make(chan net.Conn),
		done:   make(chan struct{}),
		live:   map[*streamConn]struct{}{},
	}
	h.SetStreamHandler(RaftProtocol, l.handle)
	return l
}

// handle hands an inbound stream to Accept. It blocks until Raft's listener
// takes it (or the layer closes), which is how libp2p handlers are meant to
// apply back-pressure.
func (l *StreamLayer) handle(s network.Stream) {
	if !l.allows(s.Conn().RemotePeer()) {
		_ = s.Reset()
		return
	}
	c := l.track(s)
	if c == nil {
		return
	}
	select {
	case l.accept <- c:
	case <-l.done:
		_ = c.Reset()
	}
}

// Accept waits for the next inbound Raft stream.
func (l *StreamLayer) Accept() (net.Conn, error) {
	select {
	case c := <-l.accept:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Addr is this host's peer ID, which is also its Raft address.
func (l *StreamLayer) Addr() net.Addr { return peerAddr(l.host.ID()) }

// Dial opens a Raft stream to the peer named by address, dialing it from the
// peerstore's addresses if not connected: a restarted office must be found
// again without waiting for sync to reconnect.
func (l *StreamLayer) Dial(address raft.ServerAddress, timeout time.Duration) (net.Conn, error) {
	p, err := peer.Decode(string(address))
	if err != nil {
		return nil, fmt.Errorf("consensus: raft address %q: %w", address, err)
	}
	if !l.allows(p) {
		return nil, fmt.Errorf("consensus: peer %s is not allowed", p)
	}
	ctx, cancel := context.Background(), context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, timeout)
	}
	defer cancel()
	s, err := l.host.NewStream(ctx, p, RaftProtocol)
	if err != nil {
		return nil, err
	}
	c := l.track(s)
	if c == nil {
		return nil, net.ErrClosed
	}
	return c, nil
}

// Close stops accepting, removes the handler and closes every stream handed
// out, so Raft's per-connection goroutines end with it. Closing (not
// resetting) lets peers see a clean end of stream instead of logging errors.
func (l *StreamLayer) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	close(l.done)
	live := l.live
	l.live = nil
	l.mu.Unlock()
	l.host.RemoveStreamHandler(RaftProtocol)
	for c := range live {
		if c.Stream.Close() != nil {
			_ = c.Reset()
		}
	}
	return nil
}

// track wraps s and remembers it for Close; nil (and s reset) once closed.
func (l *StreamLayer) track(s network.Stream) *streamConn {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		_ = s.Reset()
		return nil
	}
	c := &streamConn{Stream: s, layer: l}
	l.live[c] = struct{}{}
	return c
}

func (l *StreamLayer) isClosed() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

func (l *StreamLayer) untrack(c *streamConn) {
	l.mu.Lock()
	delete(l.live, c)
	l.mu.Unlock()
}

// streamConn is a libp2p stream seen as a net.Conn; deadlines pass through
// to the stream.
type streamConn struct {
	network.Stream
	layer *StreamLayer
	once  sync.Once
}

func (c *streamConn) LocalAddr() net.Addr  { return peerAddr(c.Conn().LocalPeer()) }
func (c *streamConn) RemoteAddr() net.Addr { return peerAddr(c.Conn().RemotePeer()) }

// Read reports a stream this layer closed as io.EOF, the end Raft expects
// of a connection it did not fail.
func (c *streamConn) Read(b []byte) (int, error) {
	n, err := c.Stream.Read(b)
	if err != nil && c.layer.isClosed() {
		err = io.EOF
	}
	return n, err
}

func (c *streamConn) Close() error {
	c.once.Do(func() { c.layer.untrack(c) })
	return c.Stream.Close()
}

// peerAddr is a synthetic net.Addr naming a peer.
type peerAddr peer.ID

func (a peerAddr) Network() string { return "libp2p" }
func (a peerAddr) String() string  { return peer.ID(a).String() }
