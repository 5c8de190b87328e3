package browser_test

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/api/console"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/testnet"
	"github.com/sinkron-id/sinkron/testnet/browser"
)

// password of every test officer.
const password = "sandi-petugas-uji-2026"

// consoleOf serves n's officer listener (API and console) and returns
// the console's address.
func consoleOf(t *testing.T, n *node.Node) string {
	t.Helper()
	h, con, err := console.Mount(api.NewHandler(n))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); con.Close() })
	return srv.URL + console.Prefix
}

// staff creates the officers of the scenarios at the dinas; accounts
// replicate, and each signs in where they work once theirs arrived.
func staff(t *testing.T, nw *testnet.Network) {
	t.Helper()
	d := nw.Dinas()
	if err := d.Accounts.Bootstrap("adb", "Admin Database", password); err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct {
		user, name string
		role       catalog.Role
	}{
		{"rina", "Rina Wati", catalog.PetugasPendukung},
		{"tono", "Tono Saputra", catalog.PetugasPendukung},
		{"budi", "Budi Santoso", catalog.OperatorKecamatan},
		{"dewi", "Dewi Lestari", catalog.KasiData},
		{"sari", "Sari Indah", catalog.StafInformasi},
		{"andi", "Andi Pratama", catalog.OperatorDinas},
		{"putu", "Putu Ayu", catalog.PetugasPendistribusian},
	} {
		if err := d.Accounts.Create(o.user, o.name, []catalog.Role{o.role}, password, "adb"); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nw.Nodes {
		waitFor(t, "the accounts at "+n.Member().Office, func() bool {
			_, err := n.Accounts.Get("putu")
			return err == nil
		})
	}
}

// resident is registered at the dinas, so the warehouse can confirm the
// consolidated record of a Sinkronisasi Data request about her.
func registerResident(t *testing.T, d *node.Node, nik string) {
	t.Helper()
	a := registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung",
		KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}
	if _, err := d.RegisterResident(registry.Biodata{NIK: nik, NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung",
		TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
		Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: a}, "Petugas"); err != nil {
		t.Fatal(err)
	}
}

// photos writes two sample photos and returns their paths.
func photos(t *testing.T) (kk, ktp string) {
	dir := t.TempDir()
	kk, ktp = filepath.Join(dir, "foto-kk.png"), filepath.Join(dir, "foto-ktp.png")
	for p, seed := range map[string]int{kk: 1, ktp: 2} {
		if err := os.WriteFile(p, testnet.Photo(seed), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return kk, ktp
}

// signIn signs an officer in to a console.
func signIn(tab *browser.Tab, consoleURL, user string) {
	tab.Do(chromedp.Navigate(consoleURL+"masuk"),
		chromedp.SendKeys(chromedp.CSS("#pengguna"), user),
		chromedp.SendKeys(chromedp.CSS("#sandi"), password),
		chromedp.Click(chromedp.CSS("main button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("header .siapa")))
}

// waitFor polls cond until it holds (the network's replication is
// asynchronous), failing after a minute.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitPage reloads url until the page's main text contains want.
func waitPage(t testing.TB, tab *browser.Tab, url, want string) {
	t.Helper()
	waitFor(t, want+" at "+url, func() bool {
		tab.Do(chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("h1")))
		return strings.Contains(tab.Text("main"), want)
	})
}

// withWarehouse starts a dinas and a kecamatan whose dinas feeds a real
// PostgreSQL warehouse, so a Sinkronisasi DWH step completes.
func withWarehouse(t *testing.T) *testnet.Network {
	t.Helper()
	pg := pgtest.Start(t)
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond,
		Configure: func(c *node.Config) {
			if c.ClusterKeyFile != "" {
				c.DWH.DSN = pg.DSN()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	return nw
}
