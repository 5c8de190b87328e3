package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/api/console"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

const benchPassword = "sandi-bench-konsol-2026"

// screensSetup is a kecamatan holding a day's files (200 requests), its
// console, 20 signed-in officers and the three main screens.
func screensSetup(b *testing.B) (officers []*http.Client, screens []string) {
	nw, err := testnet.Start(b.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nw.Close)
	kec := nw.Kecamatan(0)
	if err := kec.Accounts.Bootstrap("adb", "Admin Database", benchPassword); err != nil {
		b.Fatal(err)
	}
	if err := kec.Accounts.Create("rina", "Rina Wati", []catalog.Role{catalog.PetugasPendukung}, benchPassword, "adb"); err != nil {
		b.Fatal(err)
	}
	var last *request.Request
	for i := range 200 {
		if last, err = kec.Requests.Create(testnet.SampleForm(i)); err != nil {
			b.Fatal(err)
		}
	}
	h, con, err := console.Mount(api.NewHandler(kec))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	b.Cleanup(func() { srv.Close(); con.Close() })
	base := srv.URL + console.Prefix
	screens = []string{base, base + "layanan/sinkronisasi-data", base + "permohonan/" + last.ID}
	officers = make([]*http.Client, 20)
	for i := range officers {
		officers[i] = signedIn(b, base)
	}
	return officers, screens
}

// BenchmarkScreens measures the console's main screens at a kecamatan
// holding a day's files: 20 officers at once, each loading the queue,
// the intake form or a request's detail every 250 ms (far busier than a
// counter). It reports the server time per screen at p50 and p99 and the
// bytes each screen transfers: the first load (page, style sheet, htmx,
// gzipped as served) and later loads (the page only; the assets are
// cached for a year).
//
//	go test ./api/console -run - -bench 'Screens$' -benchtime 2000x -count 5
func BenchmarkScreens(b *testing.B) {
	officers, screens := screensSetup(b)
	sizes := map[string]float64{}
	for _, s := range screens {
		first, later := transfer(b, officers[0], s)
		sizes["KB-first-"+screenName(s)], sizes["KB-later-"+screenName(s)] = float64(first)/1024, float64(later)/1024
	}
	b.ResetTimer()
	took := load(b, officers, screens, 250*time.Millisecond)
	b.StopTimer()
	for unit, v := range sizes {
		b.ReportMetric(v, unit)
	}
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "ms-p99")
}

// BenchmarkScreenThroughput is the same screens with no pause: how many
// pages a second the node serves once it is saturated (ns/op per page).
//
//	go test ./api/console -run - -bench ScreenThroughput -benchtime 2000x -count 5
func BenchmarkScreenThroughput(b *testing.B) {
	officers, screens := screensSetup(b)
	b.ResetTimer()
	load(b, officers, screens, 0)
}

// load has the officers share b.N screens, each pausing every between
// loads, and returns the server times, sorted.
func load(b *testing.B, officers []*http.Client, screens []string, every time.Duration) []time.Duration {
	var mu sync.Mutex
	var took []time.Duration
	var wg sync.WaitGroup
	for i, c := range officers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var tick <-chan time.Time
			if every > 0 {
				t := time.NewTicker(every)
				defer t.Stop()
				tick = t.C
			}
			for j := i; j < b.N; j += len(officers) {
				if tick != nil {
					<-tick // pacing an officer's clicks, not synchronisation
				}
				start := time.Now()
				if _, err := get(c, screens[j%len(screens)]); err != nil {
					b.Error(err)
					return
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			took = append(took, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(took)
	if len(took) == 0 {
		b.Fatal("no screen loaded")
	}
	return took
}

func screenName(u string) string {
	switch {
	case strings.Contains(u, "layanan"):
		return "intake"
	case strings.Contains(u, "permohonan"):
		return "detail"
	}
	return "queue"
}

// signedIn signs rina in through the console's form.
func signedIn(b *testing.B, base string) *http.Client {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.PostForm(base+"masuk", url.Values{"pengguna": {"rina"}, "sandi": {benchPassword}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.Request.URL.Path != console.Prefix {
		b.Fatalf("sign-in ended at %s", res.Request.URL)
	}
	return c
}

// get loads a page and returns its size.
func get(c *http.Client, u string) (int, error) {
	res, err := c.Get(u)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return 0, &url.Error{Op: "GET", URL: u, Err: io.ErrUnexpectedEOF}
	}
	return len(body), err
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/konsol/aset/[^"]+)"`)

// transfer is what a screen costs on the wire: the page with its assets
// as served gzipped, and the page alone once the assets are cached.
func transfer(b *testing.B, c *http.Client, u string) (first, later int) {
	res, err := c.Get(u)
	if err != nil {
		b.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	first = len(page)
	origin := strings.TrimSuffix(u, res.Request.URL.Path)
	for _, m := range assetRef.FindAllStringSubmatch(string(page), -1) {
		req, _ := http.NewRequest(http.MethodGet, origin+m[1], nil)
		req.Header.Set("Accept-Encoding", "gzip") // as a browser asks, kept compressed
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, res.Body)
		res.Body.Close()
		first += int(n)
	}
	return first, len(page)
}
