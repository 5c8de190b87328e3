package browser_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
	"github.com/sinkron-id/sinkron/testnet/browser"
)

// Two dinas servers apart move one request at once, one receiving the
// file into processing and one cancelling it: the conflict shows in the
// kecamatan's console and at both dinas servers, the counter officer sees
// who may resolve it, and the kasi data resolves it in the browser. (Two
// kecamatan cannot race: a request belongs to the counter that took it
// until its file goes to the dinas.)
func TestConflictShownAndResolvedInTheBrowser(t *testing.T) {
	b := browser.Start(t)
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Dinas: 2, Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	staff(t, nw)
	kec, d1, d2 := nw.Kecamatan(0), nw.Nodes[0], nw.Nodes[1]
	K, D1, D2 := consoleOf(t, kec), consoleOf(t, d1), consoleOf(t, d2)
	r, err := kec.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kec.Requests.Transition(r.ID, request.Disetujui, "petugas-pendukung-pelayanan", "", "Rina"); err != nil {
		t.Fatal(err)
	}
	if err := nw.WaitConverged(20 * time.Second); err != nil {
		t.Fatal(err)
	}

	d1.SetOnline(false)
	dewi := b.Person("dewi at dinas server 1")
	signIn(dewi, D1, "dewi")
	dewi.Do(chromedp.Navigate(D1+"permohonan/"+r.ID), chromedp.WaitVisible(chromedp.CSS("button[value=diproses]")),
		chromedp.Click(chromedp.CSS("button[value=diproses]")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))
	andi := b.Person("andi at dinas server 2")
	signIn(andi, D2, "andi")
	andi.Do(chromedp.Navigate(D2+"permohonan/"+r.ID), chromedp.WaitVisible(chromedp.CSS("button[value=dibatalkan]")),
		chromedp.SendKeys(chromedp.CSS("#catatan-p"), "KK tidak terbaca"),
		chromedp.Click(chromedp.CSS("button[value=dibatalkan]")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))
	d1.SetOnline(true)

	rina := b.Person("rina at the kecamatan")
	signIn(rina, K, "rina")
	waitPage(t, rina, K+"permohonan/"+r.ID, "Konflik pada status")
	if got := rina.Text("main"); !strings.Contains(got, "Konflik ini diselesaikan oleh") || strings.Contains(got, "Pilih nilai ini") {
		t.Fatalf("the counter officer should see who may resolve, and no resolve button:\n%s", got)
	}
	rina.Axe("konflik (petugas loket)")
	waitPage(t, andi, D2+"permohonan/"+r.ID, "Konflik pada status")
	waitPage(t, dewi, D1+"permohonan/"+r.ID, "Konflik pada status")
	dewi.Axe("konflik (kasi data)")
	dewi.Shot("konsol-konflik")
	waitPage(t, dewi, D1, "konflik data") // and in her queue
	dewi.Do(chromedp.Navigate(D1+"permohonan/"+r.ID), chromedp.WaitVisible(chromedp.CSS("section form[action$=konflik]")))
	// Keep the cancellation: the KK could not be read.
	cancelled := `form[data-nilai="Dibatalkan"]`
	dewi.Do(chromedp.SendKeys(chromedp.CSS(cancelled+" input[name=catatan]"), "dikonfirmasi via telepon"),
		chromedp.Click(chromedp.CSS(cancelled+" button")), chromedp.WaitVisible(chromedp.CSS(".pesan[role=status]")))
	waitFor(t, "the resolution everywhere", func() bool {
		for _, n := range nw.Nodes {
			got, err := n.Requests.Get(r.ID)
			if err != nil || got.InConflict() || got.Status != request.Dibatalkan {
				return false
			}
		}
		return true
	})
	waitPage(t, rina, K+"permohonan/"+r.ID, "KK tidak terbaca")
}
