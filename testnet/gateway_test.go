package testnet

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
)

const (
	waToken   = "token-uji-gateway"
	waPhoneID = "109988776655"
	// nodeHeader names the node that sent a request: each node's sender
	// adds it, so the test sees which office sent what.
	nodeHeader = "X-Test-Node"
)

// waGateway stands in for the WhatsApp Business Cloud API on loopback. It
// checks every request's format, answers from a script of statuses (then
// 200, or 503 while failing), and can go down (connection refused) and
// come back on the same address.
type waGateway struct {
	t       *testing.T
	mu      sync.Mutex
	addr    string
	srv     *http.Server
	script  []int
	failing bool
	got     []waRequest
}

// waRequest is one message request as the gateway saw it.
type waRequest struct {
	Key, To, Text, Node string
	Status              int
}

func startGateway(t *testing.T) *waGateway {
	g := &waGateway{t: t, addr: "127.0.0.1:0"}
	g.up()
	t.Cleanup(g.down)
	return g
}

// up listens again on the gateway's address.
func (g *waGateway) up() {
	ln, err := net.Listen("tcp", g.addr)
	if err != nil {
		g.t.Fatal(err)
	}
	g.mu.Lock()
	g.addr = ln.Addr().String()
	g.srv = &http.Server{Handler: g, ReadHeaderTimeout: 5 * time.Second}
	srv := g.srv
	g.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// down closes the listener and every connection: sends are refused.
func (g *waGateway) down() {
	g.mu.Lock()
	srv := g.srv
	g.mu.Unlock()
	_ = srv.Close()
}

func (g *waGateway) url() string { return "http://" + g.addr + "/v23.0" }

// failNext answers the next n requests with 503.
func (g *waGateway) failNext(n int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	for range n {
		g.script = append(g.script, http.StatusServiceUnavailable)
	}
}

// answer scripts the next answers.
func (g *waGateway) answer(statuses ...int) {
	g.mu.Lock()
	g.script = append(g.script, statuses...)
	g.mu.Unlock()
}

// setFailing makes every answer a 503 until set back.
func (g *waGateway) setFailing(on bool) {
	g.mu.Lock()
	g.failing = on
	g.mu.Unlock()
}

func (g *waGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req := g.check(r)
	g.mu.Lock()
	req.Status = http.StatusOK
	switch {
	case len(g.script) > 0:
		req.Status, g.script = g.script[0], g.script[1:]
	case g.failing:
		req.Status = http.StatusServiceUnavailable
	}
	g.got = append(g.got, req)
	n := len(g.got)
	g.mu.Unlock()
	cloudapitest.Answer(w, req.Status, req.To, fmt.Sprint(n))
}

// check verifies a request against the Cloud API's text message format.
func (g *waGateway) check(r *http.Request) waRequest {
	bodies := map[string]string{}
	for _, t := range outbox.DefaultApprovedTemplates() {
		bodies[t.Name] = t.Body
	}
	m := cloudapitest.Gateway{PhoneID: waPhoneID, Token: waToken, KeyHeader: outbox.IdempotencyHeader, Bodies: bodies}.Check(g.t, r)
	return waRequest{Key: m.Key, To: m.To, Text: m.Text, Node: r.Header.Get(nodeHeader)}
}

// requests is every request so far, in arrival order.
func (g *waGateway) requests() []waRequest {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]waRequest(nil), g.got...)
}

// accepted is the requests answered 200, in order.
func (g *waGateway) accepted() []waRequest {
	var out []waRequest
	for _, r := range g.requests() {
		if r.Status == http.StatusOK {
			out = append(out, r)
		}
	}
	return out
}

// tries counts the requests for one notice.
func (g *waGateway) tries(key string) int {
	n := 0
	for _, r := range g.requests() {
		if r.Key == key {
			n++
		}
	}
	return n
}

// configure points a node's [whatsapp] config at the gateway with a retry
// policy in milliseconds, as an operator would write it.
func (g *waGateway) configure(t *testing.T, extra func(*node.WhatsAppConfig)) func(*node.Config) {
	tokenFile := filepath.Join(t.TempDir(), "whatsapp.token")
	if err := os.WriteFile(tokenFile, []byte(waToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return func(c *node.Config) {
		c.WhatsApp = node.WhatsAppConfig{BaseURL: g.url(), PhoneNumberID: waPhoneID, TokenFile: tokenFile,
			Timeout: node.Duration{Duration: 2 * time.Second}, MaxAttempts: 50,
			MinBackoff: node.Duration{Duration: 40 * time.Millisecond}, MaxBackoff: node.Duration{Duration: 200 * time.Millisecond}}
		if extra != nil {
			extra(&c.WhatsApp)
		}
	}
}

// sender builds a node's sender from its config, as `sinkron node` does,
// with a transport that names the node (by data directory) on every request.
func sender(c node.Config) (outbox.Sender, error) {
	w, err := c.WhatsApp.Sender(nil)
	if err != nil {
		return nil, err
	}
	w.Client = &http.Client{Timeout: w.Client.Timeout, Transport: tagged{node: c.DataDir, next: http.DefaultTransport.(*http.Transport).Clone()}}
	return w, nil
}

type tagged struct {
	node string
	next http.RoundTripper
}

func (t tagged) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(nodeHeader, t.node)
	return t.next.RoundTrip(r)
}
