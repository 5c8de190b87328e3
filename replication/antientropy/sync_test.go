package antientropy

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type node struct {
	h   host.Host
	st  *store.Store
	svc *Service
}

func newNode(tb testing.TB, start bool) *node {
	tb.Helper()
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := libp2p.New(libp2p.Identity(priv), libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"),
		libp2p.DisableRelay(), libp2p.NoListenAddrs, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		tb.Fatal(err)
	}
	signer, _ := event.NewSigner(priv)
	st, err := store.Open(store.Options{InMemory: true, Signer: signer, Clock: hlc.NewClock(time.Now, time.Minute), MemTableSize: 64 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	n := &node{h: h, st: st}
	n.svc = New(Options{Host: h, Store: st, Interval: time.Hour})
	if start {
		n.svc.Start()
	}
	tb.Cleanup(func() {
		n.svc.Close()
		h.Close()
		st.Close()
	})
	return n
}

func connect(tb testing.TB, a, b *node) {
	tb.Helper()
	if err := a.h.Connect(context.Background(), peer.AddrInfo{ID: b.h.ID(), Addrs: b.h.Addrs()}); err != nil {
		tb.Fatal(err)
	}
}

func write(tb testing.TB, n *node, count int, entity string) {
	tb.Helper()
	for i := range count {
		_, err := n.st.Append(store.Draft{Kind: "k", Entity: fmt.Sprintf("%s%d", entity, i%50), Type: "t", Payload: make([]byte, 200)}, nil)
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func TestExchangeBothWaysThenIdle(t *testing.T) {
	a, b := newNode(t, false), newNode(t, false)
	write(t, a, 300, "a")
	write(t, b, 200, "b")
	connect(t, a, b)
	st, err := a.svc.SyncPeer(context.Background(), b.h.ID())
	if err != nil {
		t.Fatal(err)
	}
	if st.EventsSent != 300 || st.EventsReceived != 200 || st.PeerLacked != 300 || st.WeLacked != 200 {
		t.Fatalf("stats %+v", st)
	}
	if !a.st.Vector().Equal(b.st.Vector()) {
		t.Fatal("vectors differ after exchange")
	}
	idle, err := b.svc.SyncPeer(context.Background(), a.h.ID())
	if err != nil {
		t.Fatal(err)
	}
	if idle.EventsSent+idle.EventsReceived != 0 || idle.BytesSent+idle.BytesReceived > 1024 {
		t.Fatalf("idle exchange moved %d+%d bytes", idle.BytesSent, idle.BytesReceived)
	}
}

func TestStartedNodesConvergeOnConnectAndNudge(t *testing.T) {
	a, b, c := newNode(t, true), newNode(t, true), newNode(t, true)
	write(t, a, 50, "a")
	connect(t, a, b)
	connect(t, b, c) // c reaches a only through b
	waitEqual(t, a, c)
	write(t, c, 10, "c")
	c.svc.Nudge()
	waitEqual(t, a, c)
}

// A slow link is fine, a silent one is not: a batch that takes many times
// the idle timeout to cross a slow but moving link (a kecamatan's 3G
// uplink shared by several sessions) still arrives and commits.
func TestSlowLinkCompletesPastIdleTimeout(t *testing.T) {
	a, b := newNode(t, false), newNode(t, false)
	// The idle timeout leaves room for a loaded CI machine's scheduling.
	a.svc.opt.IdleTimeout = 700 * time.Millisecond
	b.svc.opt.IdleTimeout = 700 * time.Millisecond
	write(t, a, 400, "a") // ~180 KB in one batch frame: ~2.8 s at 64 KiB/s
	relay := newTCPRelay(t, b, 64<<10)
	connectVia(t, a, b, relay)
	start := time.Now()
	st, err := a.svc.SyncPeer(context.Background(), b.h.ID())
	if err != nil {
		t.Fatalf("sync over a slow link after %v: %v", time.Since(start), err)
	}
	if st.EventsSent != 400 || !b.st.Vector().Equal(a.st.Vector()) {
		t.Fatalf("sent %d, vectors %v vs %v", st.EventsSent, a.st.Vector(), b.st.Vector())
	}
	if el := time.Since(start); el < 2*time.Second {
		t.Fatalf("the link was not slow: %v", el)
	}
}

// A backlog crosses a thin uplink once: two peers asking for it at once
// get it one after the other, and the second, having received it from the
// first over its own link meanwhile, needs nothing more from the uplink.
func TestBacklogCrossesTheUplinkOnce(t *testing.T) {
	a, b, c := newNode(t, false), newNode(t, false), newNode(t, false)
	write(t, a, 1200, "a")
	connectVia(t, a, b, newTCPRelay(t, b, 256<<10))
	connectVia(t, a, c, newTCPRelay(t, c, 256<<10))
	connect(t, b, c)
	var wg sync.WaitGroup
	sent := make([]Stats, 2)
	for i, p := range []*node{b, c} {
		wg.Go(func() {
			var err error
			if sent[i], err = a.svc.SyncPeer(context.Background(), p.h.ID()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if sent[0].Deferred == sent[1].Deferred || sent[0].EventsSent+sent[1].EventsSent != 1200 {
		t.Fatalf("both peers served at once: %+v, %+v", sent[0], sent[1])
	}
	waiting := c
	if sent[0].Deferred {
		waiting = b
	}
	other := map[*node]*node{b: c, c: b}[waiting]
	if _, err := waiting.svc.SyncPeer(context.Background(), other.h.ID()); err != nil {
		t.Fatal(err)
	}
	again, err := a.svc.SyncPeer(context.Background(), waiting.h.ID())
	if err != nil || again.EventsSent != 0 || !waiting.st.Vector().Equal(a.st.Vector()) {
		t.Fatalf("after the neighbour passed it on: %+v %v", again, err)
	}
}

func waitEqual(t *testing.T, x, y *node) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !x.st.Vector().Equal(y.st.Vector()) {
		if time.Now().After(deadline) {
			t.Fatalf("no convergence: %v vs %v", x.st.Vector(), y.st.Vector())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
