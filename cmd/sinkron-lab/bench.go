package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/regency"
)

// bench measures the whole system the way counters use it: requests filed
// through the Connect API of a kecamatan node (with both photos), their
// latency, and how long until the dinas holds them and their photos.
func bench(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fs.Int("requests", 1000, "requests to file")
	workers := fs.Int("clients", 8, "concurrent counter clients")
	rate := fs.Int("rate", 500, "requests/s for the paced latency run (0 skips it)")
	alone := fs.Bool("alone", false, "keep the kecamatan offline while filing: one node's own figures")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "sinkron-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	nw, err := regency.Start(dir, regency.Options{Kecamatan: 1})
	if err != nil {
		return err
	}
	defer nw.Close()
	kec := nw.Kecamatan(0)
	token, err := benchOfficer(kec)
	if err != nil {
		return err
	}
	srv, err := api.Listen("127.0.0.1:0", api.NewHandler(kec))
	if err != nil {
		return err
	}
	defer srv.Close()
	c := counterClient(srv.Addr(), token)
	kec.SetOnline(!*alone)

	lat, elapsed, err := fileRequests(ctx, c, *n, *workers, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "filed %d requests with %d clients: %.0f requests/s, p50 %v, p99 %v\n",
		*n, *workers, float64(*n)/elapsed.Seconds(), pct(lat, 50), pct(lat, 99))
	if *rate > 0 {
		lat, elapsed, err = fileRequests(ctx, c, *n, *workers, *rate)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "paced at %d/s: achieved %.0f/s, p50 %v, p99 %v\n", *rate, float64(*n)/elapsed.Seconds(), pct(lat, 50), pct(lat, 99))
	}
	acked := time.Now()
	kec.SetOnline(true)
	if err := waitDinas(ctx, nw); err != nil {
		return err
	}
	fmt.Fprintf(out, "all events and photos at the dinas %v after the last acknowledgement\n", time.Since(acked).Round(time.Millisecond))
	return nil
}

// benchOfficer signs in a counter officer at n, as counters do: every
// measured call carries the token and passes the login check.
func benchOfficer(n *node.Node) (string, error) {
	pw := rand.Text()
	if err := n.Accounts.Bootstrap("adb", "Admin Bench", pw); err != nil {
		return "", fmt.Errorf("bench account: %w", err)
	}
	if err := n.Accounts.Create("loket", "Petugas Loket", []catalog.Role{catalog.PetugasPendukung}, pw, "adb"); err != nil {
		return "", fmt.Errorf("bench account: %w", err)
	}
	n.Accounts.TokenTTL = 24 * time.Hour // however long the run takes; set before serving
	token, _, err := n.Accounts.Login("loket", pw)
	return token, err
}

// counterClient is counter software's Connect client of the node at addr
// (h2c, as the API serves it), every call signed with the officer's token.
func counterClient(addr, token string) sinkronv1connect.RequestServiceClient {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: &http.Transport{Protocols: p}}
	sign := connect.UnaryInterceptorFunc(func(next connect.UnaryFunc) connect.UnaryFunc {
		return func(ctx context.Context, r connect.AnyRequest) (connect.AnyResponse, error) {
			r.Header().Set("Authorization", "Bearer "+token)
			return next(ctx, r)
		}
	})
	return sinkronv1connect.NewRequestServiceClient(hc, "http://"+addr, connect.WithInterceptors(sign))
}

type creator interface {
	CreateRequest(context.Context, *connect.Request[v1.CreateRequestRequest]) (*connect.Response[v1.CreateRequestResponse], error)
}

// fileRequests files n requests from `workers` clients, paced at rate/s
// when rate > 0, and returns each call's latency.
func fileRequests(ctx context.Context, c creator, n, workers, rate int) ([]time.Duration, time.Duration, error) {
	reqs := make([]*v1.CreateRequestRequest, n) // photos made before the clock starts
	for i := range reqs {
		reqs[i] = benchRequest(i)
	}
	jobs := make(chan int)
	lat := make([]time.Duration, n)
	var wg sync.WaitGroup
	var firstErr error
	var mu sync.Mutex
	for range workers {
		wg.Go(func() {
			for i := range jobs {
				t0 := time.Now()
				if _, err := c.CreateRequest(ctx, connect.NewRequest(reqs[i])); err != nil {
					mu.Lock()
					firstErr = err
					mu.Unlock()
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	start := time.Now()
	for i := range n {
		if rate > 0 {
			time.Sleep(time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))))
		}
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return lat, time.Since(start), firstErr
}

func benchRequest(i int) *v1.CreateRequestRequest {
	return &v1.CreateRequestRequest{
		ApplicantName: "Warga Uji", Nik: "1806015708900003", Kk: "1806010101150007",
		Problem: fmt.Sprintf("NIK tidak ditemukan di BPJS (%d)", i), Whatsapp: "081234567890", Officer: "Rina",
		Documents: []*v1.DocumentUpload{
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: regency.Photo(2 * i)},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: regency.Photo(2*i + 1)},
		},
	}
}

func waitDinas(ctx context.Context, nw *regency.Regency) error {
	for {
		st := nw.Dinas().Status()
		if nw.Converged() && st.BlobsMissing == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func pct(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)].Round(10 * time.Microsecond)
}
