package api

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// BenchmarkInstitutionChecks runs 64 institution clients checking NIKs
// through the Connect API against PostgreSQL, and reports checks per
// second and the p99 latency.
//
//	go test ./api -run - -bench InstitutionChecks -benchtime 20000x
func BenchmarkInstitutionChecks(b *testing.B) {
	c, key := institutionAPI(b, 1e6, 1e6)
	const clients = 64
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	ctx := context.Background()
	// Warm up as a running server is: each client's connection open, the
	// pool's connections dialled and its statements prepared.
	var warm sync.WaitGroup
	for i := range clients {
		warm.Go(func() {
			req := connect.NewRequest(&v1.CheckRequest{RequestId: fmt.Sprintf("warm-%09d", i), SentAt: timestamppb.Now(), Nik: residentN(i)})
			req.Header().Set("Authorization", "Bearer "+key)
			if _, err := c.Check(ctx, req); err != nil {
				b.Error(err)
			}
		})
	}
	warm.Wait()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for {
				n := next.Add(1)
				if n > int64(b.N) {
					return
				}
				req := connect.NewRequest(&v1.CheckRequest{RequestId: fmt.Sprintf("bench-%09d", n), SentAt: timestamppb.Now(),
					Nik: residentN(int(n) % warehouseResidents), Nama: "Siti Aminah", TanggalLahir: "1990-01-01"})
				req.Header().Set("Authorization", "Bearer "+key)
				t0 := time.Now()
				if _, err := c.Check(ctx, req); err != nil {
					b.Error(err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "checks/s")
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}
