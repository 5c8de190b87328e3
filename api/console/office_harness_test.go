package console

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
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/testnet"
)

// A waiter on a raft future that raft never answers at shutdown
// (hashicorp/raft#498) stays parked by design, as in package api's tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sinkron-id/sinkron/replication/consensus.(*Cluster).wait.func1"))
}

// Passwords of the test accounts: the ADB SIAK "adb" and every officer.
const (
	adminPass   = "rahasia-kuat-2026"
	officerPass = "sandi-petugas-uji"
)

// officeHarness is a regency of one dinas and one kecamatan, each node
// serving its console in front of its API, with officers of several roles:
// adb (ADB SIAK), loket (petugas pendukung pelayanan), operator (operator
// kecamatan), kasi (kasi data) and kepala (kepala seksi).
type officeHarness struct {
	nw         *testnet.Network
	kec, dinas *site
}

// site is one node's listener: its console and its API on one handler.
type site struct {
	n   *node.Node
	srv *httptest.Server
}

func newOfficeHarness(t testing.TB, configure ...func(*node.Config)) *officeHarness {
	t.Helper()
	opt := testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond}
	if len(configure) > 0 {
		opt.Configure = configure[0]
	}
	nw, err := testnet.Start(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	kec := nw.Kecamatan(0)
	if err := kec.Accounts.Bootstrap("adb", "Admin Database", adminPass); err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		user, name string
		role       catalog.Role
	}{{"loket", "Rina Loket", catalog.PetugasPendukung}, {"operator", "Budi Operator", catalog.OperatorKecamatan},
		{"kasi", "Sari Kasi", catalog.KasiData}, {"kepala", "Hadi Kepala", catalog.KepalaSeksi}} {
		if err := kec.Accounts.Create(a.user, a.name, []catalog.Role{a.role}, officerPass, "adb"); err != nil {
			t.Fatalf("create %s: %v", a.user, err)
		}
	}
	if err := nw.WaitConverged(10 * time.Second); err != nil { // the accounts reach the dinas
		t.Fatal(err)
	}
	return &officeHarness{nw: nw, kec: serveSite(t, kec), dinas: serveSite(t, nw.Dinas())}
}

// serveSite serves n's console and API as the officer listener does.
func serveSite(t testing.TB, n *node.Node) *site {
	t.Helper()
	h, con, err := Mount(api.NewHandler(n))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); con.Close() })
	return &site{n: n, srv: srv}
}

// browser is one officer's signed-in browser at a site, without scripts.
type browser struct {
	t    testing.TB
	s    *site
	c    *http.Client
	csrf string
}

var csrfRE = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// signIn signs user in through the console's form.
func (s *site) signIn(t testing.TB, user string) *browser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &browser{t: t, s: s, c: &http.Client{Jar: jar}}
	pw := officerPass
	if user == "adb" {
		pw = adminPass
	}
	st, body := b.send("POST", "/konsol/masuk", "application/x-www-form-urlencoded",
		strings.NewReader(url.Values{"pengguna": {user}, "sandi": {pw}}.Encode()))
	m := csrfRE.FindStringSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("sign in %s: %d %s", user, st, body)
	}
	b.csrf = m[1]
	return b
}

// get fetches a page.
func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	return b.send("GET", path, "", nil)
}

// post submits a form with the session's CSRF token.
func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	f := url.Values{"_csrf": {b.csrf}}
	for k, v := range form {
		f[k] = v
	}
	return b.send("POST", path, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
}

// forge submits a form with a token the session never issued.
func (b *browser) forge(path string, form url.Values) (int, string) {
	b.t.Helper()
	f := url.Values{"_csrf": {"palsu" + b.csrf[5:]}}
	for k, v := range form {
		f[k] = v
	}
	return b.send("POST", path, "application/x-www-form-urlencoded", strings.NewReader(f.Encode()))
}

// upload submits a multipart form: its fields first (the CSRF token among
// them, as the page orders them), then one file.
func (b *browser) upload(path string, fields url.Values, field, name string, content []byte) (*http.Response, []byte) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile(field, name)
	fw.Write(content)
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatalf("read %s: %v", path, err)
	}
	return res, out
}

func (b *browser) send(method, path, ctype string, body io.Reader) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(method, b.s.srv.URL+path, body)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}
