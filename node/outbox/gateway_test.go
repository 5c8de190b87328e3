package outbox

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
)

const (
	testToken   = "rahasia-token"
	testPhoneID = "1099887766"
)

// gateway is a local stand-in for the Cloud API that checks every request
// and answers from a script of statuses (then 200).
type gateway struct {
	t        *testing.T
	mu       sync.Mutex
	script   []int
	requests map[string]int // sends per idempotency key
	accepted map[string]int // 2xx answers per idempotency key
	to       []string
	bodies   []string
}

func newGateway(t *testing.T, script ...int) (*gateway, *httptest.Server) {
	g := &gateway{t: t, script: script, requests: map[string]int{}, accepted: map[string]int{}}
	srv := httptest.NewServer(g)
	t.Cleanup(srv.Close)
	return g, srv
}

func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := g.check(r)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.requests[key]++
	status := http.StatusOK
	if len(g.script) > 0 {
		status, g.script = g.script[0], g.script[1:]
	}
	if status == http.StatusOK {
		g.accepted[key]++
	}
	cloudapitest.Answer(w, status, "x", fmt.Sprintf("%s.%d", key, g.accepted[key]))
}

// check verifies one request against the Cloud API's message format.
func (g *gateway) check(r *http.Request) string {
	m := cloudapitest.Gateway{PhoneID: testPhoneID, Token: testToken, KeyHeader: IdempotencyHeader}.Check(g.t, r)
	g.mu.Lock()
	g.to = append(g.to, m.To)
	g.bodies = append(g.bodies, m.Text)
	g.mu.Unlock()
	return m.Key
}

func (g *gateway) counts() (requests, accepted map[string]int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return clone(g.requests), clone(g.accepted)
}

// sent is the texts of every request, in the order they came.
func (g *gateway) sent() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.bodies...)
}

func (g *gateway) setScript(s ...int) {
	g.mu.Lock()
	g.script = s
	g.mu.Unlock()
}

func clone(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func newSender(t *testing.T, srv *httptest.Server) *WhatsApp {
	t.Helper()
	w, err := NewWhatsApp(srv.URL+"/v23.0/", testPhoneID, testToken, 2*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func openDB(t *testing.T, dir string) *badger.DB {
	t.Helper()
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil).WithSyncWrites(true))
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// clock is a settable clock for tests that drive deliver passes by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// zeros is a jitter source that always draws 0: waits are exactly half
// the exponential step.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// manual builds an outbox on a fresh on-disk store whose passes the test
// runs itself (deliver) under a settable clock.
func manual(t *testing.T, s Sender, opts ...Option) (*Outbox, *badger.DB, *clock) {
	t.Helper()
	db := openDB(t, t.TempDir())
	t.Cleanup(func() { db.Close() })
	c := &clock{t: time.Date(2025, 3, 3, 8, 0, 0, 0, time.UTC)}
	opts = append([]Option{WithClock(c.now, time.After), WithRand(zeros{})}, opts...)
	return New(db, s, slog.New(slog.DiscardHandler), opts...), db, c
}

func enqueue(t *testing.T, o *Outbox, db *badger.DB, ns ...Notice) {
	t.Helper()
	for _, n := range ns {
		if err := db.Update(func(txn *badger.Txn) error { return o.Enqueue(txn, n) }); err != nil {
			t.Fatal(err)
		}
	}
	o.Committed(len(ns))
}

func notice(id string) Notice {
	return Notice{ID: id, Request: "REQ-" + id, To: "0812-3456-7890", Text: "Permohonan " + id + " Anda telah selesai."}
}

func pendingByID(t *testing.T, o *Outbox) map[string]Notice {
	t.Helper()
	ns, err := o.Pending()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Notice{}
	for _, n := range ns {
		out[n.ID] = n
	}
	return out
}

func deadIDs(t *testing.T, o *Outbox) []string {
	t.Helper()
	ds, err := o.DeadLetters()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range ds {
		ids = append(ids, d.Notice.ID)
	}
	sort.Strings(ids)
	return ids
}

// runUntil runs o until cond holds (or fails the test after 10s), then
// stops it and waits for Run to return.
func runUntil(t *testing.T, o *Outbox, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
	if !cond() {
		t.Fatal("condition not reached in 10s")
	}
}
