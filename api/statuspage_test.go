package api

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

// residentNIK is testnet.SampleForm's applicant.
const residentNIK = "1806015708900003"

// publicNode starts a one-kecamatan network for the residents' listener
// tests (their own, so they do not depend on the officers' API setup).
func publicNode(t testing.TB) *node.Node {
	t.Helper()
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	return nw.Kecamatan(0)
}

// stoppedClock is a clock the test moves by hand.
type stoppedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stoppedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stoppedClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type page struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, c *http.Client, u string) page {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(b)}
}

func statusURL(base, code, nik string) string {
	return base + "/status?" + url.Values{"kode": {code}, "nik": {nik}}.Encode()
}

// The status page shows a resident their request's status and history in
// Bahasa Indonesia, escaped; an unknown code and a wrong NIK get the same
// page byte for byte; a client that keeps trying is refused with 429, on
// the page and on the Connect service alike (one allowance).
func TestStatusPage(t *testing.T) {
	kec := publicNode(t)
	r, err := kec.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kec.Requests.Transition(r.ID, request.Disetujui, "petugas-pendukung-pelayanan", "berkas <b>lengkap</b> & jelas", "Budi"); err != nil {
		t.Fatal(err)
	}
	clock := &stoppedClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(NewPublicHandler(kec, PublicClock(clock.now)))
	defer srv.Close()
	c := srv.Client()

	form := get(t, c, srv.URL+"/")
	if form.status != http.StatusOK || !strings.Contains(form.body, `<form class="kartu" method="post" action="status">`) ||
		!strings.Contains(form.body, `lang="id"`) || !strings.Contains(form.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("form page: %d %v\n%s", form.status, form.header, form.body)
	}

	got := get(t, c, statusURL(srv.URL, strings.ToLower(r.ID), residentNIK))
	for _, want := range []string{r.ID, "Sinkronisasi Data (Permasalahan Data)", "Disetujui", "Diterima", "WIB",
		"Catatan petugas: berkas &lt;b&gt;lengkap&lt;/b&gt; &amp; jelas"} {
		if !strings.Contains(got.body, want) {
			t.Errorf("status page lacks %q", want)
		}
	}
	if got.status != http.StatusOK || strings.Contains(got.body, "<b>lengkap") || got.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("status page: %d %v\n%s", got.status, got.header, got.body)
	}
	posted, err := c.PostForm(srv.URL+"/status", url.Values{"kode": {r.ID}, "nik": {residentNIK}})
	if err != nil {
		t.Fatal(err)
	}
	if p := read(t, posted); p.status != http.StatusOK || p.body != got.body {
		t.Fatalf("posted form: %d", p.status)
	}

	wrongNIK := get(t, c, statusURL(srv.URL, r.ID, "1806015708900004"))
	unknown := get(t, c, statusURL(srv.URL, "0000000000000000", residentNIK))
	if wrongNIK.status != http.StatusNotFound || unknown.status != http.StatusNotFound || wrongNIK.body != unknown.body ||
		!strings.Contains(unknown.body, "tidak ditemukan") || strings.Contains(unknown.body, r.ID) {
		t.Fatalf("wrong NIK %d, unknown code %d, same page %v\n%s", wrongNIK.status, unknown.status, wrongNIK.body == unknown.body, unknown.body)
	}

	// Four attempts so far: six more fill the burst of ten, the next is refused.
	for i := range 6 {
		if p := get(t, c, statusURL(srv.URL, "TEBAK", residentNIK)); p.status != http.StatusNotFound {
			t.Fatalf("attempt %d: %d", i+5, p.status)
		}
	}
	limited := get(t, c, statusURL(srv.URL, r.ID, residentNIK))
	if limited.status != http.StatusTooManyRequests || !strings.Contains(limited.body, "Terlalu banyak percobaan") || limited.header.Get("Retry-After") != "6" {
		t.Fatalf("11th attempt: %d %v\n%s", limited.status, limited.header, limited.body)
	}
	pub := sinkronv1connect.NewPublicServiceClient(c, srv.URL)
	_, err = pub.TrackRequest(context.Background(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: r.ID, Nik: residentNIK}))
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("the Connect service after the page used the allowance: %v", err)
	}
	clock.advance(6 * time.Second) // one attempt back
	if p := get(t, c, statusURL(srv.URL, r.ID, residentNIK)); p.status != http.StatusOK {
		t.Fatalf("after the refill: %d", p.status)
	}
	if p := get(t, c, statusURL(srv.URL, r.ID, residentNIK)); p.status != http.StatusTooManyRequests {
		t.Fatalf("second attempt after one refill: %d", p.status)
	}
}

// Exactly the burst passes for one address, the next attempt is refused,
// another address is not affected, and time gives attempts back one by
// one. A lifted limit (benchmarks) refuses nothing.
func TestAttemptsBeyondTheLimitAreRefused(t *testing.T) {
	clock := &stoppedClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	l := newLimiter(6*time.Second, 10, clock.now)
	for i := range 10 {
		if !l.admit("10.0.0.1") {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if l.admit("10.0.0.1") {
		t.Fatal("11th attempt admitted")
	}
	if !l.admit("10.0.0.2") {
		t.Fatal("another address refused")
	}
	clock.advance(5 * time.Second)
	if l.admit("10.0.0.1") {
		t.Fatal("admitted before an attempt came back")
	}
	clock.advance(time.Second)
	if !l.admit("10.0.0.1") || l.admit("10.0.0.1") {
		t.Fatal("want exactly one attempt back after 6s")
	}
	open := newLimiter(0, 1, clock.now)
	for range 1000 {
		if !open.admit("10.0.0.1") {
			t.Fatal("lifted limit refused")
		}
	}
}
