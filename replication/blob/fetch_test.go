package blob

import (
	"bytes"
	"crypto/rand"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"github.com/sinkron-id/sinkron/replication/event"
)

// node is one side of a document transfer on a mocknet host.
type node struct {
	*Fetcher
	id peer.ID
}

// link makes n fetchers on hosts joined by links of the given one-way
// latency and bandwidth (0: unlimited), a kecamatan and the dinas over 3G
// in small: they make round trips and transfer times real, but nothing
// here measures speed.
func link(t *testing.T, n int, latency time.Duration, bandwidth float64) []node {
	t.Helper()
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	mn.SetLinkDefaults(mocknet.LinkOptions{Latency: latency, Bandwidth: bandwidth})
	var out []node
	for range n {
		h, err := mn.GenPeer()
		if err != nil {
			t.Fatal(err)
		}
		f := NewFetcher(h, New(openDB(t)), func(peer.ID) bool { return true }, slog.New(slog.DiscardHandler))
		t.Cleanup(f.Close)
		out = append(out, node{f, h.ID()})
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	return out
}

// documents stores n random documents of size bytes at src and marks them
// wanted at each of dst.
func documents(t *testing.T, src node, n, size int, dst ...node) []event.Hash {
	t.Helper()
	var hs []event.Hash
	for range n {
		b := make([]byte, size)
		rand.Read(b)
		h, err := src.st.Put(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range dst {
			if err := d.st.db.Update(func(txn *badger.Txn) error { return Want(txn, h) }); err != nil {
				t.Fatal(err)
			}
		}
		hs = append(hs, h)
	}
	return hs
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func wantedNone(n node) func() bool {
	return func() bool { w, err := n.st.Wanted(); return err == nil && len(w) == 0 }
}

// asks records each request a fetcher writes, with how many were then in
// flight (this one included).
type asks struct {
	mu       sync.Mutex
	inFlight []int
}

func (a *asks) record(_ peer.ID, n int) {
	a.mu.Lock()
	a.inFlight = append(a.inFlight, n)
	a.mu.Unlock()
}

func (a *asks) get() []int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]int(nil), a.inFlight...)
}

// Eight photos and a scan over a link where a photo takes longer to cross
// than a round trip (as on 3G: 1 s against 0.3 s) cross one stream, and
// only the first request waits a round trip with nothing in flight: every
// later one was asked while earlier ones were still arriving, never more
// than Window at once. Fetched one per stream, each waited its own.
func TestFetchPipelinesDocumentsOnOneStream(t *testing.T) {
	ns := link(t, 2, 10*time.Millisecond, 300_000) // a 30 kB photo: 100 ms; a round trip: 20 ms
	srv, cli := ns[0], ns[1]
	var streams atomic.Int32
	srv.h.SetStreamHandler(Protocol, func(s network.Stream) { streams.Add(1); srv.serve(s) })
	hs := documents(t, srv, 8, 30_000, cli)
	big := documents(t, srv, 1, 3*ChunkSize+100, cli)[0] // resumed from its second chunk
	first, _ := srv.st.Get(big)
	if _, err := cli.st.WriteChunk(big, int64(len(first)), 0, first[:ChunkSize]); err != nil {
		t.Fatal(err)
	}
	var a asks
	cli.onAsk = a.record
	cli.FetchFrom(srv.id)
	waitFor(t, "every document at the client", wantedNone(cli))

	for _, h := range append(hs, big) {
		want, _ := srv.st.Get(h)
		if got, err := cli.st.Get(h); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("document %s: %v", h, err)
		}
	}
	if n := streams.Load(); n != 1 {
		t.Errorf("%d streams for 9 documents, want 1", n)
	}
	inFlight := a.get()
	idle, most := 0, 0
	for _, n := range inFlight {
		if n == 1 {
			idle++
		}
		most = max(most, n)
	}
	if len(inFlight) != 9 || idle != 1 || most != Window {
		t.Errorf("requests in flight as each was asked: %v; want 9 asks, 1 with nothing before it, at most %d", inFlight, Window)
	}
}

// While the peer's events are arriving, the fetcher asks it for nothing:
// events first on the peer's uplink. It asks once they are in.
func TestFetchHoldsRequestsWhileEventsArrive(t *testing.T) {
	ns := link(t, 2, time.Millisecond, 0)
	srv, cli := ns[0], ns[1]
	documents(t, srv, 4, 10_000, cli)
	var moving atomic.Bool
	var polls atomic.Int32
	moving.Store(true)
	cli.SetYield(nil, func(p peer.ID) bool { polls.Add(1); return p == srv.id && moving.Load() })
	var askedMoving atomic.Int32
	var a asks
	cli.onAsk = func(p peer.ID, n int) {
		if moving.Load() {
			askedMoving.Add(1)
		}
		a.record(p, n)
	}
	cli.FetchFrom(srv.id)
	waitFor(t, "the fetcher to check for events three times", func() bool { return polls.Load() >= 3 })
	if n := len(a.get()); n != 0 {
		t.Fatalf("%d requests asked while events were arriving", n)
	}
	moving.Store(false)
	waitFor(t, "every document at the client", wantedNone(cli))
	if n := askedMoving.Load(); n != 0 {
		t.Errorf("%d requests asked while events were arriving", n)
	}
}

// While this node's events are leaving, it sends no document bytes, though
// a request waits: events first on its own uplink.
func TestServingPausesWhileEventsLeave(t *testing.T) {
	ns := link(t, 2, time.Millisecond, 0)
	srv, cli := ns[0], ns[1]
	documents(t, srv, 3, 10_000, cli)
	var moving atomic.Bool
	var polls atomic.Int32
	moving.Store(true)
	srv.SetYield(func(peer.ID) bool { polls.Add(1); return moving.Load() }, nil)
	cli.FetchFrom(srv.id)
	waitFor(t, "the server to check for events three times", func() bool { return polls.Load() >= 3 })
	if w, _ := cli.st.Wanted(); len(w) != 3 {
		t.Fatalf("%d of 3 documents arrived while events were leaving", 3-len(w))
	}
	moving.Store(false)
	waitFor(t, "every document at the client", wantedNone(cli))
}

// A node serves one peer at a time, for the whole of that peer's stream: a
// second peer asking meanwhile hears busy and gets nothing, and fetches
// once the first is done. Close cuts a transfer that is waiting.
func TestServesOnePeerAtATime(t *testing.T) {
	ns := link(t, 3, time.Millisecond, 0)
	srv, first, second := ns[0], ns[1], ns[2]
	documents(t, srv, 2, 10_000, first, second)
	var moving atomic.Bool
	var polls atomic.Int32
	moving.Store(true) // holds the first transfer open
	srv.SetYield(func(peer.ID) bool { polls.Add(1); return moving.Load() }, nil)
	first.FetchFrom(srv.id)
	waitFor(t, "the first peer served", func() bool { return polls.Load() >= 1 })
	second.FetchFrom(second.id) // itself: nothing there, no effect
	second.FetchFrom(srv.id)
	waitFor(t, "the second peer told busy", func() bool {
		second.mu.Lock()
		defer second.mu.Unlock()
		return !second.busy[srv.id]
	})
	if w, _ := second.st.Wanted(); len(w) != 2 {
		t.Fatalf("the second peer got %d documents while the first was served", 2-len(w))
	}
	moving.Store(false)
	waitFor(t, "the first peer's documents", wantedNone(first))
	second.FetchFrom(srv.id)
	waitFor(t, "the second peer's documents", wantedNone(second))

	moving.Store(true)
	third := documents(t, srv, 1, 10_000, first)
	first.FetchFrom(srv.id)
	srv.Close() // returns though the transfer waits for events to pass
	first.Close()
	if in, _ := first.st.Stat(third[0]); in.Complete {
		t.Fatal("a transfer held for events completed before Close")
	}
}
