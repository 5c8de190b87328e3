package console

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/url"
	"regexp"
	"strings"
	"testing"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// Each office screen renders for a role allowed it, shows only the links
// and buttons the officer's roles may use, and an officer without the
// permission gets the API's refusal, in Bahasa.
func TestOfficeScreensByRole(t *testing.T) {
	h := newOfficeHarness(t)
	kec := map[string]*browser{}
	for _, u := range []string{"adb", "loket", "operator", "kasi"} {
		kec[u] = h.kec.signIn(t, u)
	}
	dinasADB, dinasKepala := h.dinas.signIn(t, "adb"), h.dinas.signIn(t, "kepala")
	cases := []struct {
		name   string
		b      *browser
		path   string
		status int
		has    []string
		hasNot []string
	}{
		{"hub for the ADB SIAK", kec["adb"], "/konsol/kantor", 200,
			[]string{"/konsol/kantor/harian", "/konsol/kantor/sinkron", "/konsol/kantor/bundel", "/konsol/kantor/akun", "/konsol/kantor/audit", "/konsol/kantor/pemberitahuan"},
			[]string{"/konsol/kantor/dinas"}},
		{"hub for a counter officer", kec["loket"], "/konsol/kantor", 200,
			[]string{"/konsol/kantor/harian", "/konsol/kantor/sinkron", "/konsol/kantor/pemberitahuan"},
			[]string{"/konsol/kantor/bundel", "/konsol/kantor/akun", "/konsol/kantor/audit"}},
		{"hub for an operator", kec["operator"], "/konsol/kantor", 200, []string{"/konsol/kantor/bundel"}, []string{"/konsol/kantor/akun"}},
		{"logbook of today", kec["loket"], "/konsol/kantor/harian", 200, []string{"Buku harian", `type="date"`, "harian.pdf?tanggal=", `hx-boost="false"`}, nil},
		{"logbook of a bad date", kec["loket"], "/konsol/kantor/harian?tanggal=kemarin", 422, []string{`role="alert"`}, nil},
		{"sync state with the network buttons", kec["adb"], "/konsol/kantor/sinkron", 200,
			[]string{"<svg", `role="img"`, "Putuskan dari jaringan", "Sinkronkan sekarang", `<th scope="row">` + h.dinas.n.Office()}, nil},
		{"sync state without them", kec["loket"], "/konsol/kantor/sinkron", 200, []string{"<svg"}, []string{"Putuskan dari jaringan", "Sinkronkan sekarang"}},
		{"bundles", kec["operator"], "/konsol/kantor/bundel", 200, []string{"vektor.json", `name="bundel"`, `name="sejak"`}, nil},
		{"bundles refused on export", kec["loket"], "/konsol/kantor/bundel/vektor.json", 200, nil, nil}, // a read every role may make
		{"accounts", kec["adb"], "/konsol/kantor/akun", 200, []string{"loket", "Buat akun", "Atur ulang kata sandi", "Kepala Seksi Pengelolaan dan Penyajian Data"}, []string{`value="pemohon"`}},
		{"accounts refused", kec["loket"], "/konsol/kantor/akun", 403, []string{"tidak berwenang melihat daftar akun petugas"}, []string{"Buat akun"}},
		{"audit form", kec["kasi"], "/konsol/kantor/audit", 200, []string{`for="nik"`, `type="datetime-local"`}, nil},
		{"audit by officer", kec["kasi"], "/konsol/kantor/audit?cari=1&petugas=adb", 200, []string{"petugas.dibuat"}, nil},
		{"audit refused", kec["loket"], "/konsol/kantor/audit?cari=1&nik=1806015708900003", 403, []string{"tidak berwenang melihat jejak audit"}, nil},
		{"audit of a bad time", kec["kasi"], "/konsol/kantor/audit?cari=1&dari=besok", 422, []string{"tidak terbaca"}, nil},
		{"notices", kec["loket"], "/konsol/kantor/pemberitahuan", 200, []string{"Tidak ada pemberitahuan yang gagal", "Percakapan yang perlu petugas"}, nil},
		{"no dinas screen at a kecamatan", kec["adb"], "/konsol/kantor/dinas", 404, []string{"hanya ada di server Dinas"}, nil},
		{"dinas hub", dinasADB, "/konsol/kantor", 200, []string{"/konsol/kantor/dinas"}, nil},
		{"dinas screen", dinasADB, "/konsol/kantor/dinas", 200, []string{"Gudang data (DWH)", "Klaster Dinas", "Daftarkan instansi", "tidak terhubung ke DWH"}, nil},
		{"dinas screen read-only", dinasKepala, "/konsol/kantor/dinas", 200, []string{"Instansi pengguna cek NIK"}, []string{"Daftarkan instansi", "Kelola "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.b.t = t
			st, body := tc.b.get(tc.path)
			if st != tc.status {
				t.Fatalf("status %d, want %d:\n%s", st, tc.status, body)
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("page shows %q", s)
				}
			}
		})
	}
}

// The logbook's PDF downloads as a file.
func TestLogbookPDF(t *testing.T) {
	h := newOfficeHarness(t)
	b := h.kec.signIn(t, "loket")
	res, err := b.c.Get(h.kec.srv.URL + "/konsol/kantor/harian.pdf")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(body, []byte("%PDF")) {
		t.Fatalf("pdf: %d %v %.20q", res.StatusCode, res.Header, body)
	}
}

// A forged post (no or a wrong CSRF token), a post by a role without the
// permission and a form with bytes no browser sends (not UTF-8) are
// refused, and nothing changes.
func TestRefusedPostsChangeNothing(t *testing.T) {
	h := newOfficeHarness(t)
	adb, loket := h.kec.signIn(t, "adb"), h.kec.signIn(t, "loket")
	newAccount := url.Values{"nama_pengguna": {"palsu"}, "nama_lengkap": {"Akun Palsu"}, "peran": {"adb-siak"}, "kata_sandi": {"sandi-palsu-2026"}}
	offline := url.Values{"jaringan": {"luring"}}
	cases := []struct {
		name   string
		post   func() (int, string)
		status int
		says   string
	}{
		{"forged network change", func() (int, string) { return adb.forge("/konsol/kantor/sinkron/jaringan", offline) }, 403, "tidak sah"},
		{"network change without a token", func() (int, string) {
			return adb.send("POST", "/konsol/kantor/sinkron/jaringan", "application/x-www-form-urlencoded", strings.NewReader(offline.Encode()))
		}, 403, "tidak sah"},
		{"network change by a counter officer", func() (int, string) { return loket.post("/konsol/kantor/sinkron/jaringan", offline) }, 403, "tidak berwenang mengubah status jaringan kantor"},
		{"sync now by a counter officer", func() (int, string) { return loket.post("/konsol/kantor/sinkron/sekarang", nil) }, 403, "tidak berwenang menyinkronkan data sekarang"},
		{"forged account", func() (int, string) { return adb.forge("/konsol/kantor/akun", newAccount) }, 403, "tidak sah"},
		{"account by a counter officer", func() (int, string) { return loket.post("/konsol/kantor/akun", newAccount) }, 403, "tidak berwenang"},
		{"password reset by a counter officer", func() (int, string) {
			return loket.post("/konsol/kantor/akun/adb/sandi", url.Values{"kata_sandi": {"sandi-rampasan-1"}})
		}, 403, "tidak berwenang"},
		{"forged bundle import", func() (int, string) {
			res, body := adb.upload("/konsol/kantor/bundel/impor", url.Values{"_csrf": {"palsu"}}, "bundel", "x.bundle", []byte("x"))
			return res.StatusCode, string(body)
		}, 403, "tidak sah"},
		{"bundle import by a counter officer", func() (int, string) {
			res, body := loket.upload("/konsol/kantor/bundel/impor", url.Values{"_csrf": {loket.csrf}}, "bundel", "x.bundle", []byte("x"))
			return res.StatusCode, string(body)
		}, 403, "tidak berwenang mengimpor bundel data"},
		{"account whose name is not UTF-8", func() (int, string) {
			bad := url.Values{"nama_pengguna": {"palsu"}, "nama_lengkap": {"Akun \xff"}, "peran": {"adb-siak"}, "kata_sandi": {"sandi-palsu-2026"}}
			return adb.post("/konsol/kantor/akun", bad)
		}, 400, "karakter tidak dikenal"},
		{"intake whose NIK is not UTF-8", func() (int, string) {
			return loket.post("/konsol/layanan/sinkronisasi-data", url.Values{"nik": {"3201\xc3"}})
		}, 400, "karakter tidak dikenal"},
		{"sign-in whose name is not UTF-8", func() (int, string) {
			return loket.send("POST", "/konsol/masuk", "application/x-www-form-urlencoded", strings.NewReader("pengguna=adb%ff&sandi=x"))
		}, 400, "tidak terbaca"},
	}
	before := h.kec.n.Store().Vector().Total()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			adb.t, loket.t = t, t
			st, body := tc.post()
			if st != tc.status || !strings.Contains(body, tc.says) {
				t.Fatalf("got %d, want %d saying %q:\n%s", st, tc.status, tc.says, body)
			}
		})
	}
	if after := h.kec.n.Store().Vector().Total(); after != before {
		t.Fatalf("refused posts stored %d events", after-before)
	}
	adb.t = t
	if _, body := adb.get("/konsol/kantor/sinkron"); !strings.Contains(body, "Daring") {
		t.Fatal("the node went offline")
	}
	if _, err := h.kec.n.Accounts.Get("palsu"); err == nil {
		t.Fatal("a refused post created an account")
	}
	if _, _, err := h.kec.n.Accounts.Login("adb", adminPass); err != nil {
		t.Fatalf("the administrator's password changed: %v", err)
	}
}

// The ADB SIAK takes the node off the network and back, and syncs now.
func TestNetworkOfflineAndOnline(t *testing.T) {
	h := newOfficeHarness(t)
	adb := h.kec.signIn(t, "adb")
	steps := []struct {
		path, jaringan, says string
	}{
		{"/konsol/kantor/sinkron/jaringan", "luring", "Node terputus dari jaringan"},
		{"/konsol/kantor/sinkron/jaringan", "daring", "Node terhubung ke jaringan lagi"},
		{"/konsol/kantor/sinkron/sekarang", "", "Sinkron dimulai dengan|sinkron akan berjalan begitu ada"}, // peers may still be redialling
	}
	for _, s := range steps {
		st, body := adb.post(s.path, url.Values{"jaringan": {s.jaringan}})
		if st != 200 || !regexp.MustCompile(s.says).MatchString(body) {
			t.Fatalf("%s %s: %d\n%s", s.path, s.jaringan, st, body)
		}
		if s.jaringan == "luring" && !strings.Contains(body, "Hubungkan ke jaringan") {
			t.Fatal("offline page offers no way back")
		}
	}
}

var svgRE = regexp.MustCompile(`(?s)<svg.*?</svg>`)

// The sync chart is well-formed SVG, labelled for screen readers, with
// every office's name escaped.
func TestLagChartIsWellFormedSVG(t *testing.T) {
	rows := []peerRow{
		{P: &v1.Peer{Office: "Kecamatan <Kota> & \"Agung\"", WeLack: 12, PeerLacks: 3}},
		{P: &v1.Peer{Office: "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus"}},
	}
	svg := string(lagChart(rows))
	if lagChart(nil) != "" {
		t.Fatal("a chart without offices")
	}
	h := newOfficeHarness(t)
	_, page := h.kec.signIn(t, "loket").get("/konsol/kantor/sinkron")
	for _, doc := range []string{svg, svgRE.FindString(page)} {
		var root struct {
			XMLName xml.Name
			Role    string     `xml:"role,attr"`
			Title   string     `xml:"title"`
			Desc    string     `xml:"desc"`
			Rects   []struct{} `xml:"rect"`
		}
		d := xml.NewDecoder(strings.NewReader(doc))
		d.Strict = true
		if err := d.Decode(&root); err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, doc)
		}
		if root.XMLName.Local != "svg" || root.Role != "img" || root.Title == "" || len(root.Rects) < 4 {
			t.Fatalf("chart %+v", root)
		}
	}
	if !strings.Contains(svg, "Kecamatan &lt;Kota&gt; &amp;") {
		t.Fatalf("office name not escaped: %s", svg)
	}
}
