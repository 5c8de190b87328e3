package testnet

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
)

// acceptances records when the stand-in accepted each notice.
type acceptances struct {
	mu   sync.Mutex
	at   map[string]time.Time
	wake chan struct{}
}

func (a *acceptances) record(s cloudapitest.Sent) {
	a.mu.Lock()
	a.at[s.Key] = time.Now()
	a.mu.Unlock()
	select {
	case a.wake <- struct{}{}:
	default:
	}
}

func (a *acceptances) wait(b *testing.B, key string) time.Time {
	deadline := time.After(15 * time.Second)
	for {
		a.mu.Lock()
		t, ok := a.at[key]
		a.mu.Unlock()
		if ok {
			return t
		}
		select {
		case <-a.wake:
		case <-deadline:
			b.Fatalf("notice %s never accepted", key)
		}
	}
}

// BenchmarkNoticeLatency: from a status change (the call that files a
// request) to its notice accepted by the Cloud API stand-in, at the dinas
// that holds the number, and at a kecamatan whose notice travels to the
// dinas through the log (relay event, sync, queued with the event, sent).
// Run with -benchtime 100x; p50 and p99 in milliseconds.
func BenchmarkNoticeLatency(b *testing.B) {
	for _, office := range []int{dinasIdx, kecIdx} {
		name := map[int]string{dinasIdx: "dinas", kecIdx: "kecamatan-via-log"}[office]
		b.Run(name, func(b *testing.B) {
			rn := newRegencyNumber(b)
			acc := &acceptances{at: map[string]time.Time{}, wake: make(chan struct{}, 1)}
			rn.api.Accepted = acc.record
			nw, err := Start(b.TempDir(), Options{Kecamatan: 1, SyncInterval: time.Second,
				Configure: rn.configure(b), Sender: numberSender})
			if err != nil {
				b.Fatal(err)
			}
			defer nw.Close()
			if _, err := nw.WaitLeader(10 * time.Second); err != nil {
				b.Fatal(err)
			}
			n := nw.Nodes[office]
			var lat []time.Duration
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				r, err := n.Requests.Create(SampleForm(i))
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, acc.wait(b, r.History[0].Event).Sub(start))
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*99/100)]), "p99-ms")
		})
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
