package browser_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/api/portal"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet/browser"
)

// A resident submits a Sinkronisasi Data request on the kecamatan's
// portal, gets the tracking code (a reload of the answer files nothing
// more), and tracks each status change the offices make until Selesai.
func TestResidentSubmitsAndTracksInTheBrowser(t *testing.T) {
	b := browser.Start(t)
	nw := withWarehouse(t)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	registerResident(t, dinas, "1806015708900003")
	// A resident checking again and again stays within her attempts: one
	// every 100ms here, a burst of 10 (an office's listener: one every 6s).
	srv := httptest.NewServer(api.NewPublicHandler(kec, api.AttemptLimit(100*time.Millisecond, 10), api.PublicDinas(portal.Dinas{Name: "Dinas Dukcapil Kab. Tanggamus",
		Address: "Jl. Ir. H. Juanda, Kota Agung", Phone: "0722-21000"}, kec.Member().Office)))
	t.Cleanup(srv.Close)
	kk, ktp := photos(t)

	siti := b.Person("siti, a resident")
	siti.Do(chromedp.EmulateViewport(412, 915), chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	siti.Axe("portal: beranda")
	siti.Do(chromedp.Navigate(srv.URL+"/ajukan"), chromedp.WaitVisible(chromedp.CSS("#f-nik")),
		chromedp.SendKeys(chromedp.CSS("#f-nama_pemohon"), "Siti Aminah"),
		chromedp.SendKeys(chromedp.CSS("#f-nik"), "1806015708900003"),
		chromedp.SendKeys(chromedp.CSS("#f-kk"), "1806010101150007"),
		chromedp.SendKeys(chromedp.CSS("#f-permasalahan"), "NIK tidak ditemukan di BPJS"),
		chromedp.SendKeys(chromedp.CSS("#f-whatsapp"), "081234567890"),
		chromedp.SetUploadFiles(chromedp.CSS("#d-foto_kk, input[name=foto_kk]"), []string{kk}),
		chromedp.SetUploadFiles(chromedp.CSS("#d-foto_ktp_el, input[name=foto_ktp_el]"), []string{ktp}))
	siti.Axe("portal: ajukan")
	siti.Shot("portal-ajukan")
	// An impatient double click: the form goes twice.
	siti.Do(chromedp.Evaluate[chromedp.Void](`setTimeout(()=>{const f=document.querySelector("main form");f.requestSubmit();f.requestSubmit()},0)`),
		chromedp.WaitVisible(chromedp.CSS("#kode-lacak")))
	code := strings.TrimSpace(siti.Text("#kode-lacak"))
	siti.Axe("portal: kode lacak")
	siti.Shot("portal-kode")
	if all, err := kec.Requests.List(request.Filter{}); err != nil || len(all) != 1 || all[0].ID != code {
		t.Fatalf("after a double click the kecamatan holds %d requests (%v), want only %s", len(all), err, code)
	}

	track := func(want string) {
		t.Helper()
		waitFor(t, "status "+want+" on the portal", func() bool {
			siti.Do(chromedp.Navigate(srv.URL+"/lacak"), chromedp.WaitVisible(chromedp.CSS("input[name=kode]")),
				chromedp.SendKeys(chromedp.CSS("input[name=kode]"), code),
				chromedp.SendKeys(chromedp.CSS("input[name=nik]"), "1806015708900003"),
				// The form page has a heading too: wait for the answer's
				// status, or the next look would cut this post short.
				chromedp.Click(chromedp.CSS("main form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("#status-permohonan")))
			return strings.Contains(siti.Text("#status-permohonan"), want)
		})
	}
	track("Diterima")
	siti.Axe("portal: lacak")
	if _, err := kec.Requests.Transition(code, request.Disetujui, "petugas-pendukung-pelayanan", "berkas lengkap", "Rina"); err != nil {
		t.Fatal(err)
	}
	track("Disetujui")
	waitFor(t, "the file at the dinas", func() bool {
		r, err := dinas.Requests.Get(code)
		return err == nil && r.Status == request.Disetujui
	})
	for _, step := range []func() error{
		func() error { _, err := dinas.Requests.Transition(code, request.Diproses, "", "", "Dewi"); return err },
		func() error {
			_, err := dinas.Requests.CompleteStep(code, "konsolidasi-manual", "kasi-data", "", "Dewi")
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	track("Sedang diproses")
	if _, err := dinas.Requests.CompleteStep(code, "sinkronisasi-dwh", "adb-siak", "", "Admin"); err != nil {
		t.Fatal(err)
	}
	track("Selesai")
	siti.Shot("portal-lacak")
	if got := siti.Text("main"); strings.Contains(got, "Tidak diketahui") {
		t.Fatalf("the resident's history shows an internal entry:\n%s", got)
	}
}
