package browser_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet/browser"
)

// A kecamatan officer files a Sinkronisasi Data request with two photos
// while the kecamatan is offline and approves it; the kecamatan comes
// online, a dinas officer finds it in their queue, and the dinas walks it
// to Selesai in its console (the warehouse confirming the DWH step).
func TestOfflineKecamatanToSelesaiInTheBrowser(t *testing.T) {
	b := browser.Start(t)
	nw := withWarehouse(t)
	staff(t, nw)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	registerResident(t, dinas, "1806015708900003")
	K, D := consoleOf(t, kec), consoleOf(t, dinas)
	kk, _ := photos(t)

	kec.SetOnline(false)
	rina := b.Person("rina at the kecamatan")
	signIn(rina, K, "rina")
	rina.Axe("antrean kerja")
	rina.Shot("konsol-antrean")
	rina.Do(chromedp.Navigate(K+"layanan/sinkronisasi-data"), chromedp.WaitVisible(chromedp.CSS("#f-nik")),
		chromedp.SendKeys(chromedp.CSS("#f-nama_pemohon"), "Siti Aminah"),
		chromedp.SendKeys(chromedp.CSS("#f-nik"), "1806015708900003"),
		chromedp.SendKeys(chromedp.CSS("#f-kk"), "1806010101150007"),
		chromedp.SendKeys(chromedp.CSS("#f-permasalahan"), "NIK tidak ditemukan di BPJS"),
		chromedp.SendKeys(chromedp.CSS("#f-whatsapp"), "081234567890"),
		chromedp.SetUploadFiles(chromedp.CSS("#d-foto_kk"), []string{kk}))
	// The KTP-el photo from the PC's camera (chromium's test pattern).
	rina.Do(chromedp.Click(chromedp.CSS(`button[data-untuk="d-foto_ktp_el"]`)),
		chromedp.WaitVisible(chromedp.CSS(".kamera video")))
	waitFor(t, "the camera's picture", func() bool {
		return browser.Eval[bool](rina, `document.querySelector(".kamera video").videoWidth > 0`)
	})
	rina.Do(chromedp.Click(chromedp.CSS(".kamera button")), chromedp.WaitVisible(chromedp.CSS(".kamera canvas")))
	waitFor(t, "the photo in the form", func() bool {
		return browser.Eval[int](rina, `document.getElementById("d-foto_ktp_el").files.length`) == 1
	})
	rina.Axe("penerimaan permohonan")
	rina.Shot("konsol-penerimaan")
	rina.Do(chromedp.Click(chromedp.CSS("main form button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(".pesan strong")))
	id := rina.Text(".pesan strong")
	rina.Do(chromedp.Navigate(K+"permohonan/"+id), chromedp.WaitVisible(chromedp.CSS("button[value=disetujui]")))
	rina.Axe("rincian permohonan")
	rina.Do(chromedp.Click(chromedp.CSS("button[value=disetujui]")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))
	if got := rina.Text("h1"); !strings.Contains(got, "Disetujui") {
		t.Fatalf("after approving offline the page reads %q", got)
	}
	if _, err := dinas.Requests.Get(id); err == nil {
		t.Fatal("the request reached the dinas while the kecamatan was offline")
	}

	kec.SetOnline(true)
	dewi := b.Person("dewi, kasi data at the dinas")
	signIn(dewi, D, "dewi")
	waitPage(t, dewi, D, id) // in her queue: the file to receive
	dewi.Shot("konsol-antrean-dinas")
	dewi.Do(chromedp.Click(chromedp.CSS(`a[href$="/`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS("button[value=diproses]")))
	waitFor(t, "both photos shown at the dinas", func() bool {
		dewi.Do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("h1")))
		return browser.Eval[int](dewi, `document.querySelectorAll(".foto img").length`) == 2
	})
	dewi.Do(chromedp.Click(chromedp.CSS("button[value=diproses]")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))
	dewi.Do(chromedp.WaitVisible(chromedp.CSS("form[action$=langkah] button")))
	dewi.Shot("konsol-rincian")
	dewi.Do(chromedp.Click(chromedp.CSS("form[action$=langkah] button")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))

	adb := b.Person("adb siak at the dinas")
	signIn(adb, D, "adb")
	adb.Do(chromedp.Navigate(D+"permohonan/"+id), chromedp.WaitVisible(chromedp.CSS("form[action$=langkah] button")),
		chromedp.Click(chromedp.CSS("form[action$=langkah] button")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))
	waitPage(t, adb, D+"permohonan/"+id, "Selesai")
	r, err := dinas.Requests.Get(id)
	if err != nil || r.Status != request.Selesai {
		t.Fatalf("request %s: %v, %v", id, r.Status, err)
	}
}
