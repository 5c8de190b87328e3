package console

import (
	"context"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/testnet"
)

var appliedRE = regexp.MustCompile(`Event baru diterapkan</th><td>(\d+)`)

// A bundle exported through the kecamatan's console, against the dinas's
// vector downloaded from the dinas's console, imports through the dinas's
// console while the link is cut; a corrupt, truncated or foreign file is
// refused whole first, with a clear message and nothing changed.
func TestBundleRoundTripThroughTheConsole(t *testing.T) {
	h := newOfficeHarness(t)
	kec, dinas := h.kec.n, h.dinas.n
	h.nw.Cut(kec, dinas)
	id := fileRequest(t, h.kec)
	at, there := h.kec.signIn(t, "operator"), h.dinas.signIn(t, "operator")

	st, vector := there.get("/konsol/kantor/bundel/vektor.json")
	if st != 200 || !strings.Contains(vector, `"since"`) {
		t.Fatalf("vector: %d %s", st, vector)
	}
	res, _ := at.upload("/konsol/kantor/bundel/ekspor", url.Values{"_csrf": {at.csrf}}, "sejak", "vektor.json", []byte("{bukan json"))
	if res.StatusCode != 422 {
		t.Fatalf("export against a bad vector: %d", res.StatusCode)
	}
	res, bundle := at.upload("/konsol/kantor/bundel/ekspor", url.Values{"_csrf": {at.csrf}, "dokumen": {"ya"}}, "sejak", "vektor.json", []byte(vector))
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Disposition"), ".bundle") || len(bundle) == 0 {
		t.Fatalf("export: %d %v", res.StatusCode, res.Header)
	}

	before := dinas.Store().Vector().Total()
	flipped := append([]byte(nil), bundle...)
	flipped[len(flipped)/2] ^= 0xff
	for name, bad := range map[string][]byte{"corrupt": flipped, "truncated": bundle[:len(bundle)*2/3], "not a bundle": []byte("bukan bundel")} {
		res, body := there.upload("/konsol/kantor/bundel/impor", url.Values{"_csrf": {there.csrf}}, "bundel", name+".bundle", bad)
		if res.StatusCode == 200 || !strings.Contains(string(body), "Bundel ditolak seluruhnya; tidak ada data yang diubah.") {
			t.Fatalf("%s bundle: %d\n%s", name, res.StatusCode, body)
		}
	}
	if after := dinas.Store().Vector().Total(); after != before {
		t.Fatalf("refused bundles stored %d events", after-before)
	}

	res, body := there.upload("/konsol/kantor/bundel/impor", url.Values{"_csrf": {there.csrf}}, "bundel", "kota-agung.bundle", bundle)
	m := appliedRE.FindSubmatch(body)
	if res.StatusCode != 200 || m == nil {
		t.Fatalf("import: %d\n%s", res.StatusCode, body)
	}
	if n, _ := strconv.Atoi(string(m[1])); n == 0 {
		t.Fatalf("import applied nothing:\n%s", body)
	}
	if st, page := there.get("/konsol/permohonan/" + id); st != 200 || !strings.Contains(page, "Siti Aminah") {
		t.Fatalf("the request at the dinas: %d", st)
	}
	_, body = there.upload("/konsol/kantor/bundel/impor", url.Values{"_csrf": {there.csrf}}, "bundel", "lagi.bundle", bundle)
	if !strings.Contains(string(body), "tidak membawa data baru") {
		t.Fatalf("second import:\n%s", body)
	}
}

// fileRequest files a request at s through its API, as a counter officer.
func fileRequest(t *testing.T, s *site) string {
	t.Helper()
	tok, _, err := s.n.Accounts.Login("loket", officerPass)
	if err != nil {
		t.Fatal(err)
	}
	req := connect.NewRequest(&v1.CreateRequestRequest{
		ApplicantName: "Siti Aminah", Nik: "1806015708900003", Kk: "1806010101150007",
		Problem: "NIK tidak ditemukan di BPJS", Whatsapp: "0812-3456-7890",
		Documents: []*v1.DocumentUpload{
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: testnet.Photo(1)},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: testnet.Photo(2)},
		}})
	req.Header().Set("Authorization", "Bearer "+tok)
	res, err := sinkronv1connect.NewRequestServiceClient(s.srv.Client(), s.srv.URL).CreateRequest(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return res.Msg.Request.Id
}

// The ADB SIAK creates an account (a weak password is refused next to its
// field), grants and revokes a role, resets the password and disables it.
func TestAccountsThroughTheConsole(t *testing.T) {
	h := newOfficeHarness(t)
	adb := h.kec.signIn(t, "adb")
	form := url.Values{"nama_pengguna": {"dewi"}, "nama_lengkap": {"Dewi Lestari"}, "peran": {"petugas-pendukung-pelayanan"}, "kata_sandi": {"1234567890"}}
	st, body := adb.post("/konsol/kantor/akun", form)
	if st != 422 || !strings.Contains(body, `id="e-kata_sandi"`) || !strings.Contains(body, `value="Dewi Lestari"`) {
		t.Fatalf("weak password: %d\n%s", st, body)
	}
	form.Set("kata_sandi", "loket-dewi-2026")
	steps := []struct {
		path string
		form url.Values
		says string
	}{
		{"/konsol/kantor/akun", form, "Akun dewi dibuat"},
		{"/konsol/kantor/akun/dewi/peran", url.Values{"aksi": {"beri"}, "peran": {"operator-kecamatan"}}, "diberikan kepada dewi"},
		{"/konsol/kantor/akun/dewi/peran", url.Values{"aksi": {"cabut"}, "peran": {"petugas-pendukung-pelayanan"}}, "dicabut dari dewi"},
		{"/konsol/kantor/akun/dewi/sandi", url.Values{"kata_sandi": {"sandi-baru-dewi-1"}}, "Kata sandi dewi diatur ulang"},
	}
	for _, s := range steps {
		if st, body := adb.post(s.path, s.form); st != 200 || !strings.Contains(body, s.says) {
			t.Fatalf("%s: %d\n%s", s.path, st, body)
		}
	}
	a, err := h.kec.n.Accounts.Get("dewi")
	if err != nil || len(a.Roles) != 1 || a.Roles[0] != "operator-kecamatan" {
		t.Fatalf("dewi: %+v %v", a, err)
	}
	if _, _, err := h.kec.n.Accounts.Login("dewi", "sandi-baru-dewi-1"); err != nil {
		t.Fatalf("login with the reset password: %v", err)
	}
	if st, body := adb.post("/konsol/kantor/akun/dewi/nonaktif", url.Values{"alasan": {"pindah tugas"}}); st != 200 || !strings.Contains(body, "dinonaktifkan") {
		t.Fatalf("disable: %d\n%s", st, body)
	}
	if a, _ := h.kec.n.Accounts.Get("dewi"); !a.Disabled {
		t.Fatal("dewi still enabled")
	}
}

// At the dinas, an institution cannot be registered without a warehouse:
// the API's refusal shows; a forged registration is refused before it.
func TestInstitutionsWithoutAWarehouse(t *testing.T) {
	h := newOfficeHarness(t)
	adb := h.dinas.signIn(t, "adb")
	form := url.Values{"nama": {"BPJS Kesehatan"}, "per_detik": {"20"}, "lonjakan": {"40"}}
	if st, body := adb.forge("/konsol/kantor/dinas/instansi", form); st != 403 || !strings.Contains(body, "tidak sah") {
		t.Fatalf("forged: %d", st)
	}
	if st, body := adb.post("/konsol/kantor/dinas/instansi", form); st != 422 || !strings.Contains(body, "tidak terhubung ke DWH") {
		t.Fatalf("register: %d\n%s", st, body)
	}
	form.Set("per_detik", "banyak")
	if st, body := adb.post("/konsol/kantor/dinas/instansi", form); st != 422 || !strings.Contains(body, "harus berupa angka") {
		t.Fatalf("bad quota: %d\n%s", st, body)
	}
	loket := h.kec.signIn(t, "loket")
	if st, body := loket.post("/konsol/kantor/pemberitahuan/tidak-ada/ulang", nil); st == 200 || !strings.Contains(body, `role="alert"`) {
		t.Fatalf("retry of an unknown notice: %d\n%s", st, body)
	}
}

// With the warehouse running, an ADB SIAK registers an institution in the
// dinas's console, gets its key once, rotates it, sets its quota, and sees
// it listed with its usage.
func TestInstitutionsThroughTheConsole(t *testing.T) {
	pg := pgtest.Start(t)
	h := newOfficeHarness(t, func(c *node.Config) {
		if c.ClusterKeyFile != "" {
			c.DWH.DSN = pg.DSN()
		}
	})
	adb := h.dinas.signIn(t, "adb")
	keyRE := regexp.MustCompile(`id="kunci-baru" type="text" readonly value="([^"]+)"`)
	var body string
	waitFor(t, "the warehouse ready for institutions", func() bool {
		var st int
		st, body = adb.post("/konsol/kantor/dinas/instansi", url.Values{"nama": {"BPJS Kesehatan"}, "per_detik": {"20"}, "lonjakan": {"40"}})
		return st == 200
	})
	first := keyRE.FindStringSubmatch(body)
	if first == nil {
		t.Fatalf("no key shown after registering:\n%s", body)
	}
	idRE := regexp.MustCompile(`/konsol/kantor/dinas/instansi/([^/"]+)/kunci`)
	id := idRE.FindStringSubmatch(body)
	if id == nil {
		t.Fatalf("the institution is not listed:\n%s", body)
	}
	st, body := adb.post("/konsol/kantor/dinas/instansi/"+id[1]+"/kunci", nil)
	second := keyRE.FindStringSubmatch(body)
	if st != 200 || second == nil || second[1] == first[1] {
		t.Fatalf("rotate: %d, key %v", st, second)
	}
	if st, body = adb.post("/konsol/kantor/dinas/instansi/"+id[1]+"/kuota", url.Values{"per_detik": {"5"}, "lonjakan": {"10"}}); st != 200 {
		t.Fatalf("quota: %d\n%s", st, body)
	}
	if _, page := adb.get("/konsol/kantor/dinas"); !strings.Contains(page, "BPJS Kesehatan") || strings.Contains(page, second[1]) {
		t.Fatal("the listing should name the institution and never show its key again")
	}
}

// waitFor polls cond (the warehouse's migrations run as the feed starts).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
