package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
	"github.com/sinkron-id/sinkron/node/webhook"
)

const (
	phoneID  = "106540352242922"
	token    = "token-uji"
	resident = "6281234567890"
	unknown  = "6281111111111"
)

var secret = []byte("rahasia-aplikasi")

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

// sink is the node's side of the webhook over a bare outbox.
type sink struct{ o *outbox.Outbox }

func (s sink) Status(u outbox.StatusUpdate) (bool, error) { return s.o.Status(u) }
func (s sink) Inbound(m webhook.Message) error            { return s.o.Inbound(m.From, m.At) }

// rig is a dinas's outbox and webhook against the Cloud API stand-in,
// both on loopback HTTP. The webhook's listener can be taken down (503)
// and the outbox reopened over the same store, as in a restart.
type rig struct {
	t     *testing.T
	api   *cloudapitest.CloudAPI
	wa    *outbox.WhatsApp
	db    *badger.DB
	o     *outbox.Outbox
	clock *clock
	down  atomic.Bool
	hook  atomic.Pointer[webhook.Handler]
	url   string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	c := &clock{t: time.Date(2026, 12, 7, 1, 0, 0, 0, time.UTC)}
	r := &rig{t: t, clock: c}
	tpls := outbox.DefaultApprovedTemplates()
	counts := map[string]int{}
	for _, tp := range tpls {
		counts[tp.Name] = tp.Count()
	}
	r.api = &cloudapitest.CloudAPI{PhoneID: phoneID, Token: token, AppSecret: secret, Templates: counts,
		Unknown: map[string]bool{unknown: true}, Now: c.now, Deliver: r.post}
	api := httptest.NewServer(r.api)
	t.Cleanup(api.Close)
	r.api.BaseURL = api.URL
	wa, err := outbox.NewWhatsApp(api.URL+"/v23.0", phoneID, token, 5*time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	wa.Templates = tpls
	r.wa = wa
	node := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, q *http.Request) {
		if r.down.Load() {
			http.Error(w, "restarting", http.StatusServiceUnavailable)
			return
		}
		r.hook.Load().ServeHTTP(w, q)
	}))
	t.Cleanup(node.Close)
	r.url = node.URL + "/whatsapp/webhook"
	db, err := badger.Open(badger.DefaultOptions(t.TempDir()).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	r.db = db
	r.open()
	return r
}

// open (re)starts the outbox and its webhook over the store.
func (r *rig) open() {
	r.o = outbox.New(r.db, r.wa, slog.New(slog.DiscardHandler), outbox.WithClock(r.clock.now, time.After))
	r.hook.Store(&webhook.Handler{VerifyToken: "v", AppSecret: secret, PhoneNumberID: phoneID, Sink: sink{r.o}})
}

func (r *rig) post(h cloudapitest.Hook) int {
	q, _ := http.NewRequest(http.MethodPost, r.url, bytes.NewReader(h.Body))
	q.Header.Set("Content-Type", "application/json")
	if h.Signature != "" {
		q.Header.Set(webhook.SignatureHeader, h.Signature)
	}
	resp, err := http.DefaultClient.Do(q)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (r *rig) enqueue(ns ...outbox.Notice) {
	r.t.Helper()
	for _, n := range ns {
		if err := r.db.Update(func(txn *badger.Txn) error { return r.o.Enqueue(txn, n) }); err != nil {
			r.t.Fatal(err)
		}
	}
	r.o.Committed(len(ns))
}

func (r *rig) pass() { r.o.Pass(context.Background()) }

func (r *rig) flush(ch cloudapitest.Chaos) {
	r.t.Helper()
	if _, err := r.api.Flush(ch); err != nil {
		r.t.Fatal(err)
	}
}

// states are the delivery states of a request's notices, in order.
func (r *rig) states(request string) []string {
	r.t.Helper()
	ds, err := r.o.Deliveries(request)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, d := range ds {
		out = append(out, d.State)
	}
	return out
}

// walkIn is a request's notices as the counter queues them.
func walkIn(req, to string, kinds ...string) []outbox.Notice {
	var ns []outbox.Notice
	for i, k := range kinds {
		vars := map[string]string{outbox.VarKode: req, outbox.VarLayanan: "Sinkronisasi Data", outbox.VarKantor: "Kecamatan Kota Agung",
			outbox.VarCatatan: "foto KK\nburam"}
		ns = append(ns, outbox.Notice{ID: "kec/" + string(rune('1'+i)), Request: req, To: "0" + to[2:], Kind: k, Vars: vars,
			Text: "Permohonan " + req + " (" + k + ")"})
	}
	return ns
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }
