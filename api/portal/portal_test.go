package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

// A resident reads what the service is and whom to reach, in Bahasa,
// under the console's security headers.
func TestHome(t *testing.T) {
	kec := kecamatan(t)
	b := newBrowser(t, serve(t, kec))
	p := b.get("/")
	contains(t, p, `lang="id"`, "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus", "Jl. Contoh No. 1, Kota Agung",
		"0722-000000", kec.Member().Office, `href="/ajukan"`, `href="/lacak"`, "Sinkronisasi Data")
	csp := p.header.Get("Content-Security-Policy")
	if p.status != http.StatusOK || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") ||
		p.header.Get("X-Content-Type-Options") != "nosniff" || strings.Contains(p.body, "<script>") {
		t.Fatalf("home: %d %v", p.status, p.header)
	}
	if css := b.get(strings.TrimPrefix(assetPath(t, p.body), b.base)); css.status != http.StatusOK {
		t.Fatalf("style sheet: %d", css.status)
	}
}

func assetPath(t *testing.T, body string) string {
	t.Helper()
	i := strings.Index(body, `href="/aset/`)
	if i < 0 {
		t.Fatal("no style sheet")
	}
	rest := body[i+len(`href="`):]
	return rest[:strings.Index(rest, `"`)]
}

// A resident submits with two photos and gets a tracking code to keep; the
// request is the online channel's, with both photos.
func TestSubmitOnline(t *testing.T) {
	kec := kecamatan(t)
	b := newBrowser(t, serve(t, kec))
	form := b.get("/ajukan")
	contains(t, form, `name="nama_pemohon"`, `name="nik"`, `name="kk"`, `name="permasalahan"`, `name="whatsapp"`,
		`name="foto_kk"`, `name="foto_ktp_el"`, `for="f-nik"`, `data-untuk="d-foto_kk"`, "kamera.", "Foto KTP-el Pemohon")
	p := b.submit(validSubmission(), nil)
	code := trackingCode(t, p)
	contains(t, p, "Yang terjadi selanjutnya", "081234567890", "/lacak")
	r, err := kec.Requests.Get(code)
	if err != nil || r.Channel != int32(v1.Channel_CHANNEL_ONLINE) || len(r.Documents) != 2 || r.NIK != residentNIK {
		t.Fatalf("stored: %+v %v", r, err)
	}
}

// The API's messages stand next to the fields they concern, the fields
// keep what was typed, and nothing is filed.
func TestSubmitShowsTheAPIsMessagesInline(t *testing.T) {
	kec := kecamatan(t)
	b := newBrowser(t, serve(t, kec))
	before := ownSeq(kec)
	bad := validSubmission()
	bad.fields["nik"], bad.fields["whatsapp"] = "123", "bukan nomor"
	bad.photos["foto_kk"] = []byte("%PDF-1.4 bukan foto")
	p := b.submit(bad, nil)
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", p.status, p.body)
	}
	contains(t, p, `id="e-nik"`, `id="e-whatsapp"`, `id="e-foto_kk"`, `aria-invalid="true"`, `aria-describedby="h-nik e-nik"`,
		`value="Siti Aminah"`, "JPEG atau PNG", "Periksa isian yang ditandai")
	if strings.Contains(p.body, `id="e-kk"`) || strings.Contains(p.body, "kode-lacak") {
		t.Fatalf("a valid field marked, or a code given:\n%s", p.body)
	}
	big := validSubmission()
	big.photos["foto_ktp_el"] = make([]byte, 3<<20)
	if p := b.submit(big, nil); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "foto terlalu besar") {
		t.Fatalf("3 MB photo: %d\n%s", p.status, p.body)
	}
	if after := ownSeq(kec); after != before {
		t.Fatalf("refused submissions wrote %d events", after-before)
	}
}

// A post another site made the browser send, or one without this
// browser's form token, is refused and files nothing.
func TestForgedPostsAreRefused(t *testing.T) {
	kec := kecamatan(t)
	srv := serve(t, kec)
	b := newBrowser(t, srv)
	before := ownSeq(kec)
	if p := b.submit(validSubmission(), map[string]string{"Sec-Fetch-Site": "cross-site"}); p.status != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", p.status)
	}
	ct, body := validSubmission().encode(t, "token-palsu")
	if p := b.post("/ajukan", ct, body, nil); p.status != http.StatusForbidden || !strings.Contains(p.body, "tidak diproses") {
		t.Fatalf("bad token: %d\n%s", p.status, p.body)
	}
	// A token is worth nothing with another browser's cookie.
	other := newBrowser(t, srv)
	ct, body = validSubmission().encode(t, b.token("/ajukan"))
	other.get("/ajukan")
	if p := other.post("/ajukan", ct, body, nil); p.status != http.StatusForbidden {
		t.Fatalf("another browser's token: %d", p.status)
	}
	v := url.Values{"kode": {"X"}, "nik": {residentNIK}}
	if p := b.post("/lacak", "application/x-www-form-urlencoded", []byte(v.Encode()), nil); p.status != http.StatusForbidden {
		t.Fatalf("track without a token: %d", p.status)
	}
	if after := ownSeq(kec); after != before {
		t.Fatalf("forged posts wrote %d events", after-before)
	}
}

// Tracking is a post: the status and each change in Bahasa, escaped. A
// GET with a query reveals nothing, and an unknown code and a wrong NIK
// read the same page, byte for byte.
func TestTrack(t *testing.T) {
	kec := kecamatan(t)
	b := newBrowser(t, serve(t, kec))
	code := trackingCode(t, b.submit(validSubmission(), nil))
	if _, err := kec.Requests.Transition(code, request.Disetujui, "petugas-pendukung-pelayanan", "berkas <b>lengkap</b> & jelas", "Budi"); err != nil {
		t.Fatal(err)
	}
	p := b.track(strings.ToLower(code), residentNIK[:4]+" "+residentNIK[4:])
	if p.status != http.StatusOK || p.header.Get("Cache-Control") != "no-store" || strings.Contains(p.body, "<b>lengkap") {
		t.Fatalf("track: %d %v\n%s", p.status, p.header, p.body)
	}
	contains(t, p, `id="status-permohonan">Disetujui<`, "Diterima", "WIB", code,
		"Catatan petugas: berkas &lt;b&gt;lengkap&lt;/b&gt; &amp; jelas")
	if i, j := strings.Index(p.body, "<strong>Diterima"), strings.Index(p.body, "<strong>Disetujui"); i < 0 || j < i {
		t.Fatal("history out of order")
	}

	for _, path := range []string{"/status?" + url.Values{"kode": {code}, "nik": {residentNIK}}.Encode(),
		"/lacak?" + url.Values{"kode": {code}, "nik": {residentNIK}}.Encode(), "/?kode=" + code + "&nik=" + residentNIK} {
		if g := b.get(path); strings.Contains(g.body, code) || strings.Contains(g.body, "Disetujui") || g.status >= 500 {
			t.Fatalf("GET %s revealed the request: %d\n%s", path, g.status, g.body)
		}
	}
	if g := b.get("/status?kode=" + code); g.status != http.StatusSeeOther || g.header.Get("Location") != "/lacak" {
		t.Fatalf("old status address: %d %v", g.status, g.header)
	}

	wrongNIK := b.track(code, "1806015708900004")
	unknown := b.track("0000000000000000", residentNIK)
	if wrongNIK.status != http.StatusNotFound || unknown.status != http.StatusNotFound || wrongNIK.body != unknown.body ||
		!strings.Contains(unknown.body, "tidak ditemukan") || strings.Contains(unknown.body, code) {
		t.Fatalf("wrong NIK %d, unknown code %d, same page %v\n%s", wrongNIK.status, unknown.status, wrongNIK.body == unknown.body, unknown.body)
	}
	if e := b.track("", ""); e.status != http.StatusUnprocessableEntity || !strings.Contains(e.body, `id="e-kode"`) {
		t.Fatalf("empty form: %d", e.status)
	}
}

// A cancelled request says so and why, on the page and through the API,
// not as if the delay were temporary.
func TestCancelledReadsCancelledWithTheReason(t *testing.T) {
	kec := kecamatan(t)
	srv := serve(t, kec)
	b := newBrowser(t, srv)
	code := trackingCode(t, b.submit(validSubmission(), nil))
	if _, err := kec.Requests.Transition(code, request.Dibatalkan, "petugas-pendukung-pelayanan", "foto KK tidak terbaca", "Budi"); err != nil {
		t.Fatal(err)
	}
	p := b.track(code, residentNIK)
	contains(t, p, `id="status-permohonan">Dibatalkan<`, "dibatalkan oleh petugas", "Alasan dari petugas: foto KK tidak terbaca")
	if strings.Contains(p.body, "belum dapat diproses") {
		t.Fatal("a cancellation reads as temporary")
	}
	c := sinkronv1connect.NewPublicServiceClient(srv.Client(), srv.URL)
	res, err := c.TrackRequest(context.Background(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: code, Nik: residentNIK}))
	if err != nil || res.Msg.Status != v1.Status_STATUS_DIBATALKAN || res.Msg.CancelReason != "foto KK tidak terbaca" {
		t.Fatalf("API: %v %v", res, err)
	}
}

// The portal and the Connect service share one allowance per address: a
// resident who keeps guessing is refused on both, told when to retry, and
// time gives attempts back.
func TestAttemptLimitCoversThePortal(t *testing.T) {
	kec := kecamatan(t)
	clock := &stoppedClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	srv := serve(t, kec, api.PublicClock(clock.now))
	b := newBrowser(t, srv)
	r, err := kec.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		if p := b.track("TEBAK", residentNIK); p.status != http.StatusNotFound {
			t.Fatalf("attempt %d: %d", i+1, p.status)
		}
	}
	limited := b.track(r.ID, residentNIK)
	if limited.status != http.StatusTooManyRequests || !strings.Contains(limited.body, "Terlalu banyak percobaan") || limited.header.Get("Retry-After") != "6" {
		t.Fatalf("11th attempt: %d %v\n%s", limited.status, limited.header, limited.body)
	}
	pub := sinkronv1connect.NewPublicServiceClient(srv.Client(), srv.URL)
	_, err = pub.TrackRequest(context.Background(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: r.ID, Nik: residentNIK}))
	if connect.CodeOf(err) != connect.CodeResourceExhausted {
		t.Fatalf("the Connect service after the portal used the allowance: %v", err)
	}
	if p := b.submit(validSubmission(), nil); p.status != http.StatusTooManyRequests {
		t.Fatalf("submit over the limit: %d", p.status)
	}
	clock.advance(6 * time.Second)
	if p := b.track(r.ID, residentNIK); p.status != http.StatusOK {
		t.Fatalf("after the refill: %d", p.status)
	}
	if p := b.track(r.ID, residentNIK); p.status != http.StatusTooManyRequests {
		t.Fatalf("second attempt after one refill: %d", p.status)
	}
}
