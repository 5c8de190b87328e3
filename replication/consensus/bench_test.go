package consensus

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// benchGroup is a 3-node group on loopback with raft's default (WAN) timeouts,
// a real fsynced log, as a dinas cluster would run.
func benchGroup(b *testing.B) *node {
	b.Helper()
	nodes := newGroup(b, 3)
	return waitLeader(b, nodes...)
}

// run spreads b.N operations over clients goroutines and reports
// operations/s and latency percentiles.
func run(b *testing.B, clients int, unit string, op func(i int) error) {
	b.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < b.N; i = int(next.Add(1)) - 1 {
				t0 := time.Now()
				if err := op(i); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
				lat[c] = append(lat[c], time.Since(t0))
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	b.ReportMetric(float64(b.N)/el.Seconds(), unit+"/s")
	b.ReportMetric(float64(pct(all, 50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(pct(all, 99).Microseconds())/1000, "p99-ms")
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

// BenchmarkPropose measures decisions through the leader: each a 256-byte
// command committed on a quorum (two fsyncs, leader's then follower's) and
// applied.
func BenchmarkPropose(b *testing.B) {
	leader := benchGroup(b)
	val := string(make([]byte, 240))
	var round atomic.Int64
	for _, clients := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			r := round.Add(1)
			ctx := context.Background()
			run(b, clients, "decisions", func(i int) error {
				_, err := leader.c.Propose(ctx, kvCmd(fmt.Sprintf("%02d-%013d", r, i), val))
				return err
			})
		})
	}
}

// BenchmarkProposeForwarded is the same through a follower, which adds a
// forward round trip and caps in-flight calls at maxForwardStreams.
func BenchmarkProposeForwarded(b *testing.B) {
	nodes := newGroup(b, 3)
	f := followers(nodes, waitLeader(b, nodes...))[0]
	val := string(make([]byte, 240))
	ctx := context.Background()
	run(b, 256, "decisions", func(i int) error {
		_, err := f.c.Propose(ctx, kvCmd(fmt.Sprintf("f-%013d", i), val))
		return err
	})
}

// BenchmarkQuery measures linearizable reads on the leader (one quorum
// heartbeat round each), one client.
func BenchmarkQuery(b *testing.B) {
	leader := benchGroup(b)
	ctx := context.Background()
	if _, err := leader.c.Propose(ctx, kvCmd("k", "v")); err != nil {
		b.Fatal(err)
	}
	run(b, 1, "reads", func(int) error {
		_, err := leader.c.Query(ctx, []byte("k"))
		return err
	})
}
