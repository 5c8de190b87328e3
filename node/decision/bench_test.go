package decision_test

// Benchmarks of the real decision stack: a 3-node dinas cluster in one
// process (testnet: libp2p on loopback, raft-wal and badger on disk with
// fsync, the publisher and anti-entropy running), driven through
// node.Decisions as the API does.
//
//	go test -run '^$' -bench 'Decide|LinearizableRead|Fsync' -benchtime 5s -count 3 ./node/decision/
//
// or with fixed work per run, which suits the client counts better:
//
//	go test -run '^$' -bench 'Decide/clients=1$|LinearizableRead' -benchtime 3000x -count 3 ./node/decision/
//	go test -run '^$' -bench 'Decide/clients=(16|256)' -benchtime 20000x -count 3 ./node/decision/
//
// Each reports decisions/s (or reads/s) and p50/p99 latency in ms;
// BenchmarkFsync is the disk's floor measured in the same run.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/testnet"
)

// benchCluster starts 3 dinas nodes (no kecamatan: Kecamatan 0 would mean
// testnet's default 3) with the production Raft timing (1 s heartbeat) and
// sync interval, and returns them with the leader.
func benchCluster(b testing.TB) (*testnet.Network, *node.Node) {
	b.Helper()
	nw, err := testnet.Start(b.TempDir(), testnet.Options{
		Dinas: 3, Kecamatan: -1, RaftHeartbeat: time.Second, SyncInterval: 30 * time.Second,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(nw.Close)
	leader, err := nw.WaitLeader(20 * time.Second)
	if err != nil {
		b.Fatal(err)
	}
	return nw, leader
}

// opSeq numbers commands across every run of the process, so keys stay
// unique and heads (region ‖ birth date) never fill up.
var opSeq atomic.Int64

// assignCmd is a fresh AssignNIK. Forty residents share a birth date, as in
// a real register; the FSM finds the lowest free serial by scanning a
// head's used serials, so a head's size sets that cost.
func assignCmd() *eventpb.Command {
	n := opSeq.Add(1)
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n/40)).Format(time.DateOnly)
	return &eventpb.Command{
		Key: fmt.Sprintf("bench/%d/%d", os.Getpid(), n),
		Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{
			Region: "180601", BirthDate: birth, Female: n%2 == 0, Subject: fmt.Sprintf("penduduk-%d", n)}},
	}
}

// run spreads b.N operations over clients goroutines and reports
// operations/s and latency percentiles.
func run(b *testing.B, clients int, unit string, op func() error) {
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
				if err := op(); err != nil {
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

// BenchmarkDecide measures NIK assignments decided through the leader by
// 1, 16 and 256 concurrent clients (each a proposal committed on a quorum,
// applied in badger, answered), and by 256 clients through a follower,
// which forwards to the leader over libp2p.
func BenchmarkDecide(b *testing.B) {
	nw, leader := benchCluster(b)
	ctx := context.Background()
	decide := func(n *node.Node) func() error {
		return func() error {
			d, err := n.Decisions.Decide(ctx, assignCmd())
			if err == nil && d.Nik == "" {
				err = fmt.Errorf("decision %d gave no NIK", d.Number)
			}
			return err
		}
	}
	for _, clients := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) {
			run(b, clients, "decisions", decide(leader))
		})
	}
	b.Run("clients=256-via-follower", func(b *testing.B) {
		var f *node.Node
		for _, n := range nw.DinasNodes() {
			if !n.Cluster().IsLeader() {
				f = n
				break
			}
		}
		run(b, 256, "decisions", decide(f))
	})
	if !leader.Cluster().IsLeader() {
		b.Log("leadership moved during the benchmark: later figures include forwarding")
	}
}

// BenchmarkLinearizableRead measures one client's linearizable reads on the
// leader, alternating ActiveCard and LookupNIK: each confirms leadership
// with a quorum heartbeat round, then reads badger.
func BenchmarkLinearizableRead(b *testing.B) {
	_, leader := benchCluster(b)
	ctx := context.Background()
	svc := leader.Decisions
	d, err := svc.Decide(ctx, assignCmd())
	if err != nil {
		b.Fatal(err)
	}
	blanks, err := svc.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_AllocateBlankSerials{
		AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "bench", Count: 10}}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_IssueCard{
		IssueCard: &eventpb.IssueCard{Nik: d.Nik, BlankSerial: blanks.SerialFrom}}}); err != nil {
		b.Fatal(err)
	}
	var i atomic.Int64
	run(b, 1, "reads", func() error {
		if i.Add(1)%2 == 0 {
			card, err := svc.ActiveCard(ctx, d.Nik)
			if err == nil && card != blanks.SerialFrom {
				err = fmt.Errorf("active card %d, want %d", card, blanks.SerialFrom)
			}
			return err
		}
		_, ok, err := svc.LookupNIK(ctx, d.Nik)
		if err == nil && !ok {
			err = fmt.Errorf("%s not found", d.Nik)
		}
		return err
	})
}

// BenchmarkFsync is the disk's floor, measured in the same run: one 4 KiB
// O_DSYNC write in the benchmark's temp dir. A decision waits for three in
// sequence (the leader's raft-wal, a follower's, then the leader's badger
// commit of the applied batch), so 1/(3×this) bounds one client's
// decisions/s.
func BenchmarkFsync(b *testing.B) {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "fsync"), os.O_CREATE|os.O_WRONLY|syscall.O_DSYNC, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	for i := 0; b.Loop(); i++ {
		if _, err := f.WriteAt(buf, int64(i%256)*4096); err != nil {
			b.Fatal(err)
		}
	}
}
