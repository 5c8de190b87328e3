package api

import (
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/testnet"
)

// residentNIK is testnet.SampleForm's applicant.
const residentNIK = "1806015708900003"

// publicNode starts a one-kecamatan network for the residents' listener
// tests (their own, so they do not depend on the officers' API setup).
func publicNode(t testing.TB) *node.Node {
	t.Helper()
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	return nw.Kecamatan(0)
}

// stoppedClock is a clock the test moves by hand.
type stoppedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stoppedClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stoppedClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Exactly the burst passes for one address, the next attempt is refused,
// another address is not affected, and time gives attempts back one by
// one. A lifted limit (benchmarks) refuses nothing.
func TestAttemptsBeyondTheLimitAreRefused(t *testing.T) {
	clock := &stoppedClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	l := newLimiter(6*time.Second, 10, clock.now)
	for i := range 10 {
		if !l.admit("10.0.0.1") {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if l.admit("10.0.0.1") {
		t.Fatal("11th attempt admitted")
	}
	if !l.admit("10.0.0.2") {
		t.Fatal("another address refused")
	}
	clock.advance(5 * time.Second)
	if l.admit("10.0.0.1") {
		t.Fatal("admitted before an attempt came back")
	}
	clock.advance(time.Second)
	if !l.admit("10.0.0.1") || l.admit("10.0.0.1") {
		t.Fatal("want exactly one attempt back after 6s")
	}
	open := newLimiter(0, 1, clock.now)
	for range 1000 {
		if !open.admit("10.0.0.1") {
			t.Fatal("lifted limit refused")
		}
	}
}
