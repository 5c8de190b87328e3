package browser_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
	"github.com/sinkron-id/sinkron/testnet/browser"
)

// A role without a permission never sees its button, and a forged post
// changes nothing: one with a made-up CSRF token, one from another site
// (whose cookie the browser does not send), and one the officer's own
// role may not make.
func TestForgedPostsChangeNothing(t *testing.T) {
	b := browser.Start(t)
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	staff(t, nw)
	kec := nw.Kecamatan(0)
	K := consoleOf(t, kec)
	r, err := kec.Requests.Create(testnet.SampleForm(2))
	if err != nil {
		t.Fatal(err)
	}
	detail := K + "permohonan/" + r.ID

	// Budi, operator kecamatan, may not take files nor verify them: no
	// "Permohonan baru" link, no approve or cancel button.
	budi := b.Person("budi, operator kecamatan")
	signIn(budi, K, "budi")
	budi.Do(chromedp.Navigate(detail), chromedp.WaitVisible(chromedp.CSS("h1")))
	if n := browser.Eval[int](budi, `document.querySelectorAll("button[value=disetujui], button[value=dibatalkan], a[href='/konsol/layanan']").length`); n != 0 {
		t.Fatalf("budi sees %d buttons or links his role may not use", n)
	}

	// A form with a made-up CSRF token, posted from his own session.
	budi.Do(chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(()=>{const f=document.createElement("form");f.method="post";
		f.action="/konsol/permohonan/%s/status";for(const [k,v] of [["_csrf","palsu"],["ke","dibatalkan"],["catatan","x"],["peran","petugas-pendukung-pelayanan"]]){
		const i=document.createElement("input");i.type="hidden";i.name=k;i.value=v;f.appendChild(i)}document.body.appendChild(f);f.submit()})()`, r.ID)),
		chromedp.WaitVisible(chromedp.CSS(".pesan.gagal")))
	if got := budi.Text(".pesan.gagal"); !strings.Contains(got, "Tidak ada yang diubah") {
		t.Fatalf("forged token: %q", got)
	}

	// His own session's token, but a step his role does not do: the API
	// refuses it in Bahasa, naming the role.
	budi.Do(chromedp.Navigate(detail), chromedp.WaitVisible(chromedp.CSS("h1")),
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(()=>{const f=document.createElement("form");f.method="post";
		f.action="/konsol/permohonan/%s/status";const csrf=JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRF-Token"];
		for(const [k,v] of [["_csrf",csrf],["ke","disetujui"],["peran","operator-kecamatan"]]){
		const i=document.createElement("input");i.type="hidden";i.name=k;i.value=v;f.appendChild(i)}document.body.appendChild(f);f.submit()})()`, r.ID)),
		chromedp.WaitVisible(chromedp.CSS(".pesan.gagal")))
	if got := budi.Text(".pesan.gagal"); !strings.Contains(got, "Operator Kecamatan") {
		t.Fatalf("wrong role: %q", got)
	}

	// Rina may approve, but a page on another site that posts to her
	// console reaches it without her cookie (SameSite=Strict).
	rina := b.Person("rina, petugas pendukung")
	signIn(rina, K, "rina")
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `<!doctype html><html lang="id"><title>x</title><body><form id="f" method="post" action="%spermohonan/%s/status">
			<input name="ke" value="dibatalkan"><input name="catatan" value="x"></form><script>document.getElementById("f").submit()</script></body></html>`, K, r.ID)
	}))
	t.Cleanup(evil.Close)
	rina.Do(chromedp.Navigate(strings.Replace(evil.URL, "127.0.0.1", "localhost", 1)), chromedp.WaitVisible(chromedp.CSS("#pengguna")))

	got, err := kec.Requests.Get(r.ID)
	if err != nil || got.Status != request.Baru || len(got.History) != 1 {
		t.Fatalf("after the forged posts the request is %v with %d changes (%v), want Baru untouched", got.Status, len(got.History), err)
	}
}
