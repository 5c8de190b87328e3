package browser_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sinkron-id/sinkron/testnet"
	"github.com/sinkron-id/sinkron/testnet/browser"
)

// Every screen of the console, as the officer who may use it sees it,
// passes axe-core without a serious or critical finding, at an office PC's
// 1366×768 and at a mobile unit's tablet width.
func TestEveryScreenAccessible(t *testing.T) {
	b := browser.Start(t)
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	staff(t, nw)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	r, err := kec.Requests.Create(testnet.SampleForm(3))
	if err != nil {
		t.Fatal(err)
	}
	K, D := consoleOf(t, kec), consoleOf(t, dinas)
	screens := []string{"", "permohonan", "permohonan/" + r.ID, "layanan", "layanan/sinkronisasi-data", "kantor",
		"kantor/harian", "kantor/sinkron", "kantor/bundel", "kantor/akun", "kantor/audit", "kantor/pemberitahuan"}
	for _, at := range []struct {
		base, user string
		extra      []string
	}{{K, "rina", nil}, {K, "adb", nil}, {D, "adb", []string{"kantor/dinas"}}, {D, "dewi", []string{"kantor/dinas"}}} {
		tab := b.Person(at.user)
		signIn(tab, at.base, at.user)
		for _, s := range append(screens, at.extra...) {
			tab.Do(chromedp.Navigate(at.base+s), chromedp.WaitVisible(chromedp.CSS("main h1")))
			tab.Axe(at.user + " /konsol/" + s)
		}
		tab.Do(chromedp.EmulateViewport(800, 1280), chromedp.Navigate(at.base+"permohonan/"+r.ID), chromedp.WaitVisible(chromedp.CSS("main h1")))
		tab.Axe(at.user + " detail on a tablet")
		if at.user == "adb" && at.base == D {
			tab.Do(chromedp.EmulateViewport(1366, 768), chromedp.Navigate(at.base+"kantor/sinkron"), chromedp.WaitVisible(chromedp.CSS("main h1")))
			tab.Shot("konsol-sinkron")
		}
	}
}
