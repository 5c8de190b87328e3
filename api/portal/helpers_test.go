package portal_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/api/portal"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/testnet"
)

// residentNIK is testnet.SampleForm's applicant.
const residentNIK = "1806015708900003"

// kecamatan starts a one-kecamatan network and returns its kecamatan.
func kecamatan(t *testing.T) *node.Node {
	t.Helper()
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	return nw.Kecamatan(0)
}

// serve puts n's public handler (portal, public API) on a test server.
func serve(t *testing.T, n *node.Node, opts ...api.PublicOption) *httptest.Server {
	t.Helper()
	opts = append([]api.PublicOption{api.PublicDinas(portal.Dinas{Name: "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
		Address: "Jl. Contoh No. 1, Kota Agung", Phone: "0722-000000"}, n.Member().Office)}, opts...)
	h := api.NewPublicHandler(n, opts...)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// ownSeq is how many events n itself has written: a refused submission
// must not move it.
func ownSeq(n *node.Node) uint64 { return n.Store().Vector()[n.ID()] }

// browser is a resident's browser: it keeps cookies.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
}

func newBrowser(t *testing.T, srv *httptest.Server) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: srv.Client().Transport, Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, c: c, base: srv.URL}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

func read(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, resp.Header, string(body)}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// token opens the form at path and returns its form token.
func (b *browser) token(path string) string {
	b.t.Helper()
	p := b.get(path)
	m := csrfField.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("%s has no form token:\n%s", path, p.body)
	}
	return m[1]
}

// post sends a form as the browser would, with extra headers.
func (b *browser) post(path, contentType string, body []byte, header map[string]string) page {
	b.t.Helper()
	req, err := http.NewRequest(http.MethodPost, b.base+path, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return read(b.t, resp)
}

// track posts the track form with the browser's token.
func (b *browser) track(code, nik string) page {
	b.t.Helper()
	v := url.Values{"_csrf": {b.token("/lacak")}, "kode": {code}, "nik": {nik}}
	return b.post("/lacak", "application/x-www-form-urlencoded", []byte(v.Encode()), nil)
}

// submission is the online form: its fields and photos by name.
type submission struct {
	fields map[string]string
	photos map[string][]byte
}

func validSubmission() submission {
	return submission{fields: map[string]string{"nama_pemohon": "Siti Aminah", "nik": residentNIK, "kk": "1806010101150007",
		"permasalahan": "NIK tidak ditemukan di BPJS", "whatsapp": "081234567890"},
		photos: map[string][]byte{"foto_kk": testnet.Photo(1), "foto_ktp_el": testnet.Photo(2)}}
}

// encode is the multipart body of s, with token as its form token.
func (s submission) encode(t *testing.T, token string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("_csrf", token)
	for k, v := range s.fields {
		mw.WriteField(k, v)
	}
	for name, b := range s.photos {
		w, err := mw.CreateFormFile(name, name+".jpg")
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

func (b *browser) submit(s submission, header map[string]string) page {
	b.t.Helper()
	ct, body := s.encode(b.t, b.token("/ajukan"))
	return b.post("/ajukan", ct, body, header)
}

var codeElement = regexp.MustCompile(`id="kode-lacak">([0-9A-Z]+)<`)

// trackingCode is the code a submission's page shows.
func trackingCode(t *testing.T, p page) string {
	t.Helper()
	m := codeElement.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil {
		t.Fatalf("no tracking code: %d\n%s", p.status, p.body)
	}
	return m[1]
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

func contains(t *testing.T, p page, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
