package web

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// Loop serves an http.Handler over in-memory connections, so a screen
// calls the node's API with a real HTTP client (streams, headers, the
// API's interceptors) without a socket or a certificate. Its shape is
// connect-go's memhttp, which connect's own tests use.
type Loop struct {
	ln     *pipeListener
	srv    *http.Server
	client *http.Client
	done   chan struct{}
}

// NewLoop starts serving h in memory. Close stops it.
func NewLoop(h http.Handler) *Loop {
	ln := &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
	p := new(http.Protocols)
	p.SetHTTP1(true)
	p.SetUnencryptedHTTP2(true)
	l := &Loop{ln: ln, done: make(chan struct{}),
		srv: &http.Server{Handler: h, Protocols: p, ReadHeaderTimeout: 10 * time.Second}}
	l.client = &http.Client{Transport: &http.Transport{
		DialContext:       func(ctx context.Context, _, _ string) (net.Conn, error) { return ln.dial(ctx) },
		Protocols:         p,
		ForceAttemptHTTP2: true,
	}}
	go func() {
		defer close(l.done)
		_ = l.srv.Serve(ln) // returns once Close closes the listener
	}()
	return l
}

// Client is an HTTP client whose every connection reaches the handler.
func (l *Loop) Client() *http.Client { return l.client }

// URL is the base address to give Connect clients.
func (l *Loop) URL() string { return "http://sinkron.internal" }

// Close stops serving and waits for the server to return.
func (l *Loop) Close() error {
	l.client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	if err != nil {
		err = l.srv.Close()
	}
	<-l.done
	return err
}

// pipeListener hands the server one end of a net.Pipe per dial.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

var errLoopClosed = errors.New("web: in-memory API connection closed")

func (p *pipeListener) dial(ctx context.Context) (net.Conn, error) {
	client, server := net.Pipe()
	select {
	case p.conns <- server:
		return client, nil
	case <-p.closed:
		return nil, errLoopClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (p *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-p.conns:
		return c, nil
	case <-p.closed:
		return nil, errLoopClosed
	}
}

func (p *pipeListener) Close() error {
	p.once.Do(func() { close(p.closed) })
	return nil
}

func (p *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "sinkron.internal" }
