package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

// Throughput of the two calls a person waits on at a node's API, through
// real HTTP/2 over TLS on loopback, with the client in the same process.
// Figures and how they were taken are in BENCHMARKS.md:
//
//	go test -run '^$' -bench 'Login' -benchtime 4s -count 5 ./api/
//	go test -run '^$' -bench 'StatusLookup' -benchtime 3s -count 5 ./api/

const benchPassword = "kata-sandi-uji-Panjang-42"

// BenchmarkLogin signs officers in through AccountService.Login: one
// argon2id check at account.DefaultParams per call, which is the cost.
// Each concurrent client signs in as its own officer.
func BenchmarkLogin(b *testing.B) {
	n := publicNode(b)
	users := []string{"adb.satu", "petugas.dua"}
	if err := n.Accounts.Bootstrap(users[0], "Admin Satu", benchPassword); err != nil {
		b.Fatal(err)
	}
	if err := n.Accounts.Create(users[1], "Petugas Dua", []catalog.Role{catalog.PetugasPendukung}, benchPassword, users[0]); err != nil {
		b.Fatal(err)
	}
	srv := h2Server(b, NewHandler(n))
	c := sinkronv1connect.NewAccountServiceClient(srv.Client(), srv.URL)
	for _, clients := range []int{1, 2} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			concurrently(b, clients, "logins/s", func(client int) error {
				_, err := c.Login(context.Background(), connect.NewRequest(&v1.LoginRequest{Username: users[client], Password: benchPassword}))
				return err
			})
		})
	}
}

// BenchmarkStatusLookup is residents checking their request: TrackRequest
// on the Connect service, and the portal's track page, with the attempt limit
// lifted (every client here shares one address).
func BenchmarkStatusLookup(b *testing.B) {
	n := publicNode(b)
	r, err := n.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := n.Requests.Transition(r.ID, request.Disetujui, "petugas-pendukung-pelayanan", "berkas lengkap", "Budi"); err != nil {
		b.Fatal(err)
	}
	srv := h2Server(b, NewPublicHandler(n, AttemptLimit(0, 0)))
	c := sinkronv1connect.NewPublicServiceClient(srv.Client(), srv.URL)
	track := func(int) error {
		_, err := c.TrackRequest(context.Background(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: r.ID, Nik: residentNIK}))
		return err
	}
	// The portal's track form: one browser (cookie and form token), its
	// posts spread over the clients.
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	hc := &http.Client{Transport: srv.Client().Transport, Jar: jar}
	form, err := hc.Get(srv.URL + "/lacak")
	if err != nil {
		b.Fatal(err)
	}
	html, _ := io.ReadAll(form.Body)
	form.Body.Close()
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindSubmatch(html)
	if m == nil {
		b.Fatal("no form token")
	}
	body := url.Values{"_csrf": {string(m[1])}, "kode": {r.ID}, "nik": {residentNIK}}.Encode()
	page := func(int) error {
		resp, err := hc.Post(srv.URL+"/lacak", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return err
		}
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return nil
	}
	for _, clients := range []int{1, 4, 16} {
		b.Run(fmt.Sprintf("api=connect/clients=%d", clients), func(b *testing.B) { concurrently(b, clients, "lookups/s", track) })
	}
	b.Run("api=portal/clients=16", func(b *testing.B) { concurrently(b, 16, "lookups/s", page) })
}

// h2Server serves h over TLS with HTTP/2, as a node's listener does.
func h2Server(b *testing.B, h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	b.Cleanup(srv.Close)
	return srv
}

// concurrently runs b.N calls spread over clients goroutines (call gets the
// client's index) and reports the rate and the latency percentiles.
func concurrently(b *testing.B, clients int, unit string, call func(client int) error) {
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	errs := make([]error, clients)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for i := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := call(i); err != nil {
					errs[i] = err
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	for _, err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	all := slices.Sorted(slices.Values(slices.Concat(lat...)))
	pct := func(p int) float64 { return float64(all[(len(all)-1)*p/100].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), unit)
	b.ReportMetric(pct(50), "p50-ms")
	b.ReportMetric(pct(99), "p99-ms")
}
