package consensus

import (
	"bufio"
	"context"
	"errors"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// ForwardProtocol carries requests from followers to the leader.
const ForwardProtocol protocol.ID = "/sinkron/raft-forward/1"

const (
	// maxForwardStreams bounds concurrent forwarded calls: libp2p's default
	// resource manager admits 64 inbound streams per peer and protocol.
	maxForwardStreams = 32
	// callTimeout bounds a call whose context has no deadline, so a leader
	// that vanished mid-call does not hang its caller.
	callTimeout = 30 * time.Second
	// idleTimeout is how long the server keeps an idle stream; the client
	// drops pooled streams well before that.
	idleTimeout = 2 * time.Minute
	poolMaxAge  = time.Minute
	maxIdle     = 8
)

// fstream is a forward stream with its reader, kept for reuse: opening a
// stream per call would add a multistream round trip to every proposal.
type fstream struct {
	s    network.Stream
	r    *bufio.Reader
	used time.Time
}

// forwarder is the client side: a pool of idle streams per peer.
type forwarder struct {
	h   host.Host
	sem chan struct{}

	mu     sync.Mutex
	idle   map[peer.ID][]*fstream
	closed bool
}

func newForwarder(h host.Host) *forwarder {
	return &forwarder{h: h, sem: make(chan struct{}, maxForwardStreams), idle: map[peer.ID][]*fstream{}}
}

// call sends one request to p and returns its answer. Stream failures come
// back as retryError: the caller re-resolves the leader and tries again.
func (f *forwarder) call(ctx context.Context, p peer.ID, kind byte, body []byte) ([]byte, error) {
	select {
	case f.sem <- struct{}{}:
		defer func() { <-f.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	fs, err := f.get(ctx, p)
	if err != nil {
		return nil, retryError{err}
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(callTimeout)
	}
	_ = fs.s.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = fs.s.Reset() })
	rk, rbody, err := roundTrip(fs, kind, body)
	if !stop() {
		return nil, ctx.Err()
	}
	if err != nil {
		_ = fs.s.Reset()
		if errors.Is(err, ErrProtocol) {
			return nil, err
		}
		return nil, retryError{err}
	}
	_ = fs.s.SetDeadline(time.Time{})
	f.put(p, fs)
	return decodeResponse(rk, rbody)
}

func roundTrip(fs *fstream, kind byte, body []byte) (byte, []byte, error) {
	if err := frames.Write(fs.s, kind, body); err != nil {
		return 0, nil, err
	}
	return frames.Read(fs.r)
}

// get takes a fresh-enough idle stream to p or opens one, dialing if needed.
func (f *forwarder) get(ctx context.Context, p peer.ID) (*fstream, error) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return nil, ErrClosed
	}
	for q := f.idle[p]; len(q) > 0; q = f.idle[p] {
		fs := q[len(q)-1]
		f.idle[p] = q[:len(q)-1]
		if time.Since(fs.used) < poolMaxAge {
			f.mu.Unlock()
			return fs, nil
		}
		_ = fs.s.Reset()
	}
	f.mu.Unlock()
	s, err := f.h.NewStream(ctx, p, ForwardProtocol)
	if err != nil {
		return nil, err
	}
	return &fstream{s: s, r: bufio.NewReader(s)}, nil
}

func (f *forwarder) put(p peer.ID, fs *fstream) {
	fs.used = time.Now()
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed || len(f.idle[p]) >= maxIdle {
		_ = fs.s.Close()
		return
	}
	f.idle[p] = append(f.idle[p], fs)
}

func (f *forwarder) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	for p, q := range f.idle {
		for _, fs := range q {
			_ = fs.s.Reset()
		}
		delete(f.idle, p)
	}
}

// serveForward answers a follower's requests on one stream until it closes.
// Requests are executed here only, never forwarded again: a node that is
// not the leader answers codeRetry and the follower looks again.
func (c *Cluster) serveForward(s network.Stream) {
	if !c.cfg.Allows(s.Conn().RemotePeer()) || !c.beginServe(s) {
		_ = s.Reset()
		return
	}
	defer c.endServe(s)
	r := bufio.NewReader(s)
	for {
		_ = s.SetReadDeadline(time.Now().Add(idleTimeout))
		kind, body, err := frames.Read(r)
		if err != nil {
			_ = s.Reset()
			return
		}
		_ = s.SetReadDeadline(time.Time{})
		ctx, cancel := context.WithTimeout(c.ctx, callTimeout)
		out, err := c.local(ctx, kind, body)
		cancel()
		if err == nil && len(out) >= MaxFrame {
			err = errors.New("consensus: answer exceeds the forward frame limit")
		}
		rk, rbody := respOK, out
		if err != nil {
			rk, rbody = respErr, encodeErr(err)
		}
		_ = s.SetWriteDeadline(time.Now().Add(callTimeout))
		if err := frames.Write(s, rk, rbody); err != nil {
			_ = s.Reset()
			return
		}
	}
}

// beginServe registers a served stream so Close can cut it and wait.
func (c *Cluster) beginServe(s network.Stream) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.serving[s] = struct{}{}
	c.handlers.Add(1)
	return true
}

func (c *Cluster) endServe(s network.Stream) {
	c.mu.Lock()
	delete(c.serving, s)
	c.mu.Unlock()
	c.handlers.Done()
}
