package etcd_test

// etcd baseline for Sinkron's dinas cluster benchmarks
// (node/decision/bench_test.go: BenchmarkDecide, BenchmarkLinearizableRead).
//
// Three etcd members (go.etcd.io/etcd/server/v3/embed, v3.7.3) run in this
// process on 127.0.0.1 with free ports, plain http for peer and client
// URLs, each with its data dir in b.TempDir() and etcd's default durability
// (the WAL fsyncs every Raft Ready batch; UnsafeNoFsync is left false) and
// default Raft timing (100 ms heartbeat, 1 s election). Clients use
// go.etcd.io/etcd/client/v3 against the leader's client URL, as Sinkron's
// benchmark proposes to its leader. Logging is off (zap nop).
//
//   - BenchmarkPut/clients=N: N goroutines each Put a 256-byte value to a
//     fresh key. Like etcd's own `benchmark put --conns --clients`, the
//     goroutines share a pool of min(N, 16) client connections (flag
//     -conns overrides the cap): 1 connection for 1 client, 16 for 16
//     clients and 16 for 256 clients. The three sub-benchmarks run one
//     after the other on one cluster, as in BenchmarkDecide.
//   - BenchmarkLinearizableRead: one client's Gets of an existing key at the
//     leader with etcd's default (linearizable) consistency: each goes
//     through a ReadIndex round confirmed by a quorum.
//
// Both report ops/s (puts/s, reads/s) and p50/p90/p99 latency in ms with the
// same `run` harness and percentile code as node/decision/bench_test.go.
// Run from this directory (a nested module: `go test ./...` at the root
// skips it):
//
//	cd bench/etcd && go test -run '^$' -bench . -benchtime 20000x -count 5
//
// and, in the same session, Sinkron's own:
//
//	go test -run '^$' -bench 'Decide|LinearizableRead|Fsync' -benchtime 20000x -count 5 ./node/decision/
//
// Quote ratios of medians from the same session; the machine is noisy.

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"google.golang.org/grpc/grpclog"
)

var maxConns = flag.Int("conns", 16, "cap on client connections shared by a sub-benchmark's clients")

func init() {
	// The gRPC client and server log through grpclog; keep them quiet too.
	grpclog.SetLoggerV2(grpclog.NewLoggerV2(discard{}, discard{}, discard{}))
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// freePorts returns n distinct free TCP ports on 127.0.0.1, holding every
// listener until all are picked so none repeats.
func freePorts(b *testing.B, n int) []int {
	b.Helper()
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	ports := make([]int, n)
	for i := range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		ls = append(ls, l)
		ports[i] = l.Addr().(*net.TCPAddr).Port
	}
	return ports
}

func httpURL(port int) url.URL {
	return url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", port)}
}

// benchCluster starts 3 etcd members and returns the leader's client URL.
func benchCluster(b *testing.B) string {
	b.Helper()
	const members = 3
	ports := freePorts(b, 2*members)
	var initial []string
	for i := range members {
		peer := httpURL(ports[2*i])
		initial = append(initial, fmt.Sprintf("m%d=%s", i, peer.String()))
	}
	var etcds []*embed.Etcd
	b.Cleanup(func() {
		for _, e := range etcds {
			e.Close()
		}
	})
	for i := range members {
		cfg := embed.NewConfig()
		cfg.Name = fmt.Sprintf("m%d", i)
		cfg.Dir = b.TempDir()
		peer, client := httpURL(ports[2*i]), httpURL(ports[2*i+1])
		cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peer}, []url.URL{peer}
		cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{client}, []url.URL{client}
		cfg.InitialCluster = strings.Join(initial, ",")
		cfg.InitialClusterToken = "sinkron-bench"
		cfg.ClusterState = embed.ClusterStateFlagNew
		cfg.Logger = "zap"
		cfg.LogLevel = "error"
		cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
		e, err := embed.StartEtcd(cfg)
		if err != nil {
			b.Fatal(err)
		}
		etcds = append(etcds, e)
	}
	timeout := time.After(30 * time.Second)
	for _, e := range etcds {
		select {
		case <-e.Server.ReadyNotify():
		case err := <-e.Err():
			b.Fatal(err)
		case <-timeout:
			b.Fatal("etcd cluster not ready after 30 s")
		}
	}
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, e := range etcds {
			if s := e.Server; s.Leader() == s.MemberID() {
				return e.Config().AdvertiseClientUrls[0].String()
			}
		}
	}
	b.Fatal("no etcd leader after 20 s")
	return ""
}

// clientPool opens n client connections to endpoint.
func clientPool(b *testing.B, endpoint string, n int) []*clientv3.Client {
	b.Helper()
	cs := make([]*clientv3.Client, n)
	for i := range cs {
		c, err := clientv3.New(clientv3.Config{
			Endpoints:   []string{endpoint},
			DialTimeout: 5 * time.Second,
			Logger:      zap.NewNop(),
		})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { c.Close() })
		cs[i] = c
	}
	return cs
}

// run spreads b.N operations over clients goroutines and reports
// operations/s and latency percentiles. It is node/decision/bench_test.go's
// run, except that op is told which client goroutine calls it (to pick its
// connection from the pool).
func run(b *testing.B, clients int, unit string, op func(client int) error) {
	b.Helper()
	var next atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	var failed atomic.Pointer[error]
	b.ResetTimer()
	start := time.Now()
	for c := range clients {
		wg.Go(func() {
			for next.Add(1) <= int64(b.N) {
				t0 := time.Now()
				if err := op(c); err != nil {
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
	b.ReportMetric(ms(pct(all, 50)), "p50-ms")
	b.ReportMetric(ms(pct(all, 90)), "p90-ms")
	b.ReportMetric(ms(pct(all, 99)), "p99-ms")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

// keySeq numbers keys across every run of the process, so each Put writes
// a fresh key.
var keySeq atomic.Int64

// BenchmarkPut measures Puts of a 256-byte value to a fresh key through the
// leader by 1, 16 and 256 concurrent clients (each a proposal committed on a
// quorum with the WAL fsynced, applied to bbolt, answered).
func BenchmarkPut(b *testing.B) {
	endpoint := benchCluster(b)
	value := strings.Repeat("v", 256)
	ctx := context.Background()
	for _, clients := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			pool := clientPool(b, endpoint, max(1, min(clients, *maxConns)))
			run(b, clients, "puts", func(c int) error {
				_, err := pool[c%len(pool)].Put(ctx, fmt.Sprintf("bench/%d", keySeq.Add(1)), value)
				return err
			})
		})
	}
}

// BenchmarkLinearizableRead measures one client's linearizable Gets of an
// existing key at the leader (etcd's default consistency: a ReadIndex round
// confirmed by a quorum, then a read of the applied state).
func BenchmarkLinearizableRead(b *testing.B) {
	endpoint := benchCluster(b)
	c := clientPool(b, endpoint, 1)[0]
	ctx := context.Background()
	value := strings.Repeat("v", 256)
	if _, err := c.Put(ctx, "bench/read", value); err != nil {
		b.Fatal(err)
	}
	run(b, 1, "reads", func(int) error {
		r, err := c.Get(ctx, "bench/read")
		if err == nil && (len(r.Kvs) != 1 || string(r.Kvs[0].Value) != value) {
			err = fmt.Errorf("bench/read: got %d values", len(r.Kvs))
		}
		return err
	})
}
