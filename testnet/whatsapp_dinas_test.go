package testnet

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/notices"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
	"github.com/sinkron-id/sinkron/node/request"
)

const (
	waSecret      = "rahasia-aplikasi-meta"
	waVerifyToken = "verifikasi-uji"
	unknownNumber = "081111111111"
)

// regencyNumber is the regency's one WhatsApp number: the Cloud API
// stand-in, and the dinas's public listener it posts its webhooks to.
type regencyNumber struct {
	t      testing.TB
	api    *cloudapitest.CloudAPI
	apiURL string
	public atomic.Pointer[http.Handler] // the dinas's; swapped on restart
	hook   string
}

func newRegencyNumber(t testing.TB) *regencyNumber {
	rn := &regencyNumber{t: t}
	counts := map[string]int{}
	for _, tp := range outbox.DefaultApprovedTemplates() {
		counts[tp.Name] = tp.Count()
	}
	rn.api = &cloudapitest.CloudAPI{PhoneID: waPhoneID, Token: waToken, AppSecret: []byte(waSecret), Templates: counts,
		Unknown: map[string]bool{"6281111111111": true}, Deliver: rn.deliver}
	srv := httptest.NewServer(rn.api)
	t.Cleanup(srv.Close)
	rn.api.BaseURL, rn.apiURL = srv.URL, srv.URL+"/v23.0"
	pub := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := rn.public.Load()
		if h == nil {
			http.Error(w, "node down", http.StatusServiceUnavailable)
			return
		}
		(*h).ServeHTTP(w, r)
	}))
	t.Cleanup(pub.Close)
	rn.hook = pub.URL + api.WebhookPath
	return rn
}

// serve puts the dinas's public handler behind the webhook's address.
func (rn *regencyNumber) serve(n *node.Node) {
	h := api.NewPublicHandler(n)
	rn.public.Store(&h)
}

func (rn *regencyNumber) deliver(h cloudapitest.Hook) int {
	req, _ := http.NewRequest(http.MethodPost, rn.hook, bytes.NewReader(h.Body))
	req.Header.Set("Content-Type", "application/json")
	if h.Signature != "" {
		req.Header.Set("X-Hub-Signature-256", h.Signature)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		rn.t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// configure gives the dinas the number and its webhook, and makes every
// other office relay its notices through the log.
func (rn *regencyNumber) configure(t testing.TB) func(*node.Config) {
	dir := t.TempDir()
	files := map[string]string{"token": waToken, "verify": waVerifyToken, "secret": waSecret}
	for name, v := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(v+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return func(c *node.Config) {
		if !strings.HasPrefix(c.Office, "Dinas") { // the dinas server holds the number
			c.WhatsApp = node.WhatsAppConfig{Relay: true}
			return
		}
		c.WhatsApp = node.WhatsAppConfig{BaseURL: rn.apiURL, PhoneNumberID: waPhoneID, TokenFile: filepath.Join(dir, "token"),
			Timeout: node.Duration{Duration: 2 * time.Second}, MaxAttempts: 50,
			MinBackoff: node.Duration{Duration: 40 * time.Millisecond}, MaxBackoff: node.Duration{Duration: 200 * time.Millisecond},
			Webhook: node.WebhookConfig{VerifyTokenFile: filepath.Join(dir, "verify"), AppSecretFile: filepath.Join(dir, "secret")}}
	}
}

func numberSender(c node.Config) (outbox.Sender, error) {
	if !c.WhatsApp.Enabled() {
		return nil, nil
	}
	return c.WhatsApp.Sender(nil)
}

func startRegencyNumber(t *testing.T) (*Network, *regencyNumber) {
	rn := newRegencyNumber(t)
	nw, err := Start(t.TempDir(), Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond,
		Configure: rn.configure(t), Sender: numberSender})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	rn.serve(nw.Nodes[dinasIdx])
	return nw, rn
}

// sentFor are the stand-in's accepted messages for notice keys.
func (rn *regencyNumber) sentFor(keys ...string) map[string]int {
	got := map[string]int{}
	for _, s := range rn.api.Sent() {
		for _, k := range keys {
			if s.Key == k {
				got[k]++
			}
		}
	}
	return got
}

// states are a request's notices' delivery states at an office.
func states(t *testing.T, n *node.Node, id string) []string {
	t.Helper()
	ns, err := n.Notices(id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range ns {
		out = append(out, s.State)
	}
	return out
}

func allDelivered(t *testing.T, n *node.Node, id string, count int) func() bool {
	return func() bool {
		s := states(t, n, id)
		return len(s) == count && strings.Count(strings.Join(s, ","), outbox.Delivered) == count
	}
}

// One number for the regency: a walk-in resident's notices from the
// kecamatan's counter travel through the log to the dinas, leave as
// templates from there once each, and their delivery statuses (posted
// twice, out of order, among forgeries) travel back, so the kecamatan
// shows every notice delivered. The kecamatan cut off from the dinas
// still takes and approves requests; its notices leave once it is back.
func TestOneNumberAtTheDinas(t *testing.T) {
	nw, rn := startRegencyNumber(t)
	kec, dinas := nw.Nodes[kecIdx], nw.Nodes[dinasIdx]
	r := must[*request.Request](t)(kec.Requests.Create(SampleForm(7)))
	waitFor(t, "the received notice at the stand-in", func() bool { return len(rn.api.Sent()) == 1 })
	nw.Cut(kec, dinas)
	a := must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, pendukung, "berkas lengkap", "Budi"))
	if len(rn.api.Sent()) != 1 {
		t.Fatalf("a notice left a kecamatan cut off from the dinas")
	}
	nw.Heal(kec, dinas)
	waitFor(t, "the approval notice after the link is back", func() bool { return len(rn.api.Sent()) == 2 })
	if _, err := rn.api.Flush(cloudapitest.Chaos{Duplicate: true, Reverse: true, Forge: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "both delivered, as the kecamatan sees it", allDelivered(t, kec, r.ID, 2))
	for _, s := range rn.api.Sent() {
		if s.Type != "template" {
			t.Errorf("a walk-in resident got a %s message: %+v", s.Type, s)
		}
	}
	keys := []string{r.History[0].Event, a.History[1].Event}
	if got := rn.sentFor(keys...); got[keys[0]] != 1 || got[keys[1]] != 1 {
		t.Fatalf("sends per notice %v", got)
	}
	if st := kec.Status(); st.OutboxDepth != 0 || st.OutboxDead != 0 {
		t.Fatalf("kecamatan outbox %d, dead %d", st.OutboxDepth, st.OutboxDead)
	}
}

// A number that is not on WhatsApp fails by webhook (131026): the notice
// is a dead letter at the dinas with its reason, and the kecamatan that
// took the request shows it failed with that reason, for its officer to
// reach the resident another way.
func TestUnknownNumberShownAtTheKecamatan(t *testing.T) {
	nw, rn := startRegencyNumber(t)
	kec, dinas := nw.Nodes[kecIdx], nw.Nodes[dinasIdx]
	f := SampleForm(3)
	f.WhatsApp = unknownNumber
	r := must[*request.Request](t)(kec.Requests.Create(f))
	waitFor(t, "the notice at the stand-in", func() bool { return len(rn.api.Sent()) == 1 })
	if _, err := rn.api.Flush(cloudapitest.Chaos{}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the failure at the kecamatan", func() bool {
		ns, err := kec.Notices(r.ID)
		return err == nil && len(ns) == 1 && ns[0].State == outbox.Failed
	})
	ns, _ := kec.Notices(r.ID)
	if ns[0].Code != 131026 || !ns[0].Permanent || !strings.Contains(ns[0].Reason, "hubungi warga dengan cara lain") {
		t.Fatalf("notice at the kecamatan %+v", ns[0])
	}
	dead, err := dinas.FailedNotices()
	if err != nil || len(dead) != 1 || dead[0].Code != 131026 || dead[0].Notice.Request != r.ID {
		t.Fatalf("dead letters at the dinas %+v %v", dead, err)
	}
	// What the kecamatan's officer reads in `request get`.
	got, err := counterAt(t, nw, kecIdx).GetRequest(t.Context(), connect.NewRequest(&v1.GetRequestRequest{Id: r.ID}))
	if err != nil {
		t.Fatal(err)
	}
	if ns := got.Msg.Request.Notices; len(ns) != 1 || ns[0].State != "failed" || ns[0].Code != 131026 || !ns[0].Permanent ||
		ns[0].Kind != "baru" || ns[0].NoticeId != r.History[0].Event || !strings.Contains(ns[0].Reason, "bukan pengguna WhatsApp") {
		t.Fatalf("request get shows notices %v", ns)
	}
}

// A resident who wrote BERHENTI gets nothing from any office: the opt-out
// recorded at one office reaches the sender, whose notice becomes a dead
// letter saying why.
func TestOptOutHonoured(t *testing.T) {
	nw, rn := startRegencyNumber(t)
	kec, dinas := nw.Nodes[kecIdx], nw.Nodes[dinasIdx]
	if err := kec.StopNotices(SampleForm(0).WhatsApp); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the opt-out at the dinas", func() bool { return notices.OptedOut(dinas.Store(), SampleForm(0).WhatsApp) })
	r := must[*request.Request](t)(kec.Requests.Create(SampleForm(5)))
	waitFor(t, "the refused notice", func() bool { return dinas.Status().OutboxDead == 1 })
	dead, _ := dinas.FailedNotices()
	if len(rn.api.Sent()) != 0 || dead[0].Notice.Request != r.ID || !strings.Contains(dead[0].Error, "BERHENTI") {
		t.Fatalf("sent %v, dead %+v", rn.api.Sent(), dead)
	}
}

// The dinas restarts with webhooks in flight (Meta holds them while its
// listener is down and posts them again) and with notices the kecamatan
// queued meanwhile: after it is back every notice is sent once, every
// status applies once, and the kecamatan shows them all delivered.
func TestDinasRestartsWithNoticesAndWebhooksInFlight(t *testing.T) {
	nw, rn := startRegencyNumber(t)
	kec := nw.Nodes[kecIdx]
	first := must[*request.Request](t)(kec.Requests.Create(SampleForm(1)))
	waitFor(t, "the first notice at the stand-in", func() bool { return len(rn.api.Sent()) == 1 })
	var during []*request.Request
	err := nw.RestartAfter(dinasIdx, func(node.Config) error {
		rn.public.Store(nil) // the listener is down: Meta's posts fail and wait
		if codes, err := rn.api.Flush(cloudapitest.Chaos{}); err != nil || len(codes) == 0 || codes[0] != http.StatusServiceUnavailable {
			t.Errorf("webhooks while the dinas is down: %v %v", codes, err)
		}
		for i := range 2 {
			r, err := kec.Requests.Create(SampleForm(20 + i))
			if err != nil {
				return err
			}
			during = append(during, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rn.serve(nw.Nodes[dinasIdx])
	waitFor(t, "the notices queued while the dinas was down", func() bool { return len(rn.api.Sent()) == 3 })
	if _, err := rn.api.Flush(cloudapitest.Chaos{Duplicate: true, Reverse: true}); err != nil {
		t.Fatal(err)
	}
	for _, r := range append(during, first) {
		waitFor(t, "delivered at the kecamatan", allDelivered(t, kec, r.ID, 1))
		if got := rn.sentFor(r.History[0].Event); got[r.History[0].Event] != 1 {
			t.Errorf("notice of %s sent %d times", r.ID, got[r.History[0].Event])
		}
	}
	if rn.api.Pending() != 0 {
		t.Fatalf("%d webhooks never taken", rn.api.Pending())
	}
}
