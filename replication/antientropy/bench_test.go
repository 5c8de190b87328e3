package antientropy

// Benchmarks of the sync protocol. Results and the exact commands are in
// BENCHMARKS.md at the repository root.
//
//	go test -run '^$' -bench 'CatchUp|IdleSync|DeltaBytes|VerifyBaseline' \
//	    -benchtime 1x -count 5 ./replication/antientropy/
//
// SINKRON_BENCH_EVENTS sets the catch-up size (default 100000) and
// SINKRON_BENCH_ORIGINS how many origins those events come from (default 4).

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
	manet "github.com/multiformats/go-multiaddr/net"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

func envInt(tb testing.TB, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		tb.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// openNode is newNode without tb.Cleanup, for nodes made and closed inside
// the timed loop (a catch-up iteration must free its 100k-event store).
func openNode(tb testing.TB) (*node, func()) {
	tb.Helper()
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	h, err := libp2p.New(libp2p.Identity(priv), libp2p.DisableRelay(), libp2p.NoListenAddrs,
		libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		tb.Fatal(err)
	}
	signer, _ := event.NewSigner(priv)
	st, err := store.Open(store.Options{InMemory: true, Signer: signer, Clock: hlc.NewClock(time.Now, time.Minute), MemTableSize: 64 << 20})
	if err != nil {
		h.Close()
		tb.Fatal(err)
	}
	n := &node{h: h, st: st}
	n.svc = New(Options{Host: h, Store: st, Interval: time.Hour})
	return n, func() {
		n.svc.Close()
		h.Close()
		st.Close()
	}
}

// originStore is a store signing as a fresh origin, with no host: a source
// of signed events for some other office.
func originStore(memTable int64) (*store.Store, error) {
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		return nil, err
	}
	signer, _ := event.NewSigner(priv)
	return store.Open(store.Options{InMemory: true, Signer: signer, Clock: hlc.NewClock(time.Now, time.Minute), MemTableSize: memTable})
}

// appendEvents appends n events to st: entity names prefix+0..entities-1
// round robin (so every entity after the first round has a dep), random
// payloads of 200–299 bytes. It returns the events' canonical sizes summed.
func appendEvents(st *store.Store, n, entities int, prefix string, rng *mrand.Rand) (int, error) {
	raw := 0
	for i := range n {
		p := make([]byte, 200+rng.IntN(100))
		for j := range p {
			p[j] = byte(rng.Uint32())
		}
		e, err := st.Append(store.Draft{Kind: "permohonan", Entity: fmt.Sprintf("%s%06d", prefix, i%entities), Type: "permohonan.diubah", Payload: p}, nil)
		if err != nil {
			return raw, err
		}
		raw += len(e.Marshal())
	}
	return raw, nil
}

func mustAppend(tb testing.TB, st *store.Store, n, entities int, prefix string, rng *mrand.Rand) int {
	tb.Helper()
	raw, err := appendEvents(st, n, entities, prefix, rng)
	if err != nil {
		tb.Fatal(err)
	}
	return raw
}

// rawEvents copies out every event st holds, in arrival (causal) order.
func rawEvents(st *store.Store) ([][]byte, error) {
	var out [][]byte
	err := st.Scan(vv.Vector{}, func(raw []byte) error {
		out = append(out, append([]byte(nil), raw...))
		return nil
	})
	return out, err
}

// makeOrigins builds `origins` origins' events, n in all over `entities`
// entities (disjoint per origin, as each office edits its own files), on all
// cores, and returns each origin's raw events in causal order.
func makeOrigins(tb testing.TB, origins, n, entities int) [][][]byte {
	tb.Helper()
	out := make([][][]byte, origins)
	errs := make([]error, origins)
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for o := range origins {
		cnt := n / origins
		if o < n%origins {
			cnt++
		}
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			// Room for the origin's events in the memtable, so none flush.
			st, err := originStore(max(4<<20, int64(cnt)*1536))
			if err != nil {
				errs[o] = err
				return
			}
			defer st.Close()
			rng := mrand.New(mrand.NewPCG(uint64(o), 1))
			if _, errs[o] = appendEvents(st, cnt, max(1, entities/origins), fmt.Sprintf("o%d-", o), rng); errs[o] == nil {
				out[o], errs[o] = rawEvents(st)
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return out
}

// importRaw verifies and applies raw events into st in batches, as a sync
// or a bundle would.
func importRaw(tb testing.TB, st *store.Store, raws [][]byte) {
	tb.Helper()
	const batch = 1024
	for i := 0; i < len(raws); i += batch {
		evs := make([]*event.Event, 0, batch)
		for _, r := range raws[i:min(i+batch, len(raws))] {
			e, err := event.Unmarshal(r)
			if err != nil {
				tb.Fatal(err)
			}
			evs = append(evs, e)
		}
		res, err := st.Verify(evs)
		if err != nil {
			tb.Fatal(err)
		}
		if len(res.Applied) != len(evs) {
			tb.Fatalf("import: %d of %d applied, %+v", len(res.Applied), len(evs), res.Rejected)
		}
	}
}

// catchUpCorpus caches the signed events across -count runs; the stores
// themselves cannot be kept (goleak checks at exit), but signing is most of
// the setup.
var catchUpCorpus struct {
	sync.Mutex
	key     string
	origins [][][]byte
}

func corpus(tb testing.TB, origins, n, entities int) [][][]byte {
	catchUpCorpus.Lock()
	defer catchUpCorpus.Unlock()
	key := fmt.Sprint(origins, n, entities)
	if catchUpCorpus.key != key {
		catchUpCorpus.origins = makeOrigins(tb, origins, n, entities)
		catchUpCorpus.key = key
	}
	return catchUpCorpus.origins
}

// BenchmarkCatchUp: an empty replica pulls a source's whole log (default
// 100,000 signed events from 4 origins over 20,000 entities) in one
// exchange over loopback TCP. Every event is decoded, signature-verified,
// admitted and committed with its entity refolded, as in production; both
// replicas are in this process, so sender and receiver share the cores.
// Stores are in memory: no fsync is timed.
//
// batch=default is the shipped sender batching (1,024 events / 256 KiB,
// ~590 events of this size); batch=64 is the same with the sender's
// Options.BatchEvents = 64, to show how throughput depends on batch size
// (before the store folded from a read snapshot, commit cost grew with the
// square of the batch and batch=default was 5× slower than batch=64).
func BenchmarkCatchUp(b *testing.B) {
	n := envInt(b, "SINKRON_BENCH_EVENTS", 100_000)
	origins := envInt(b, "SINKRON_BENCH_ORIGINS", 4)
	entities := max(1, n/5)
	src := newNode(b, false)
	var raw int
	// Profile labels: -tagignore phase=setup leaves the exchanges (the
	// source's side runs in libp2p's handler goroutines, unlabelled).
	pprof.Do(context.Background(), pprof.Labels("phase", "setup"), func(context.Context) {
		for _, o := range corpus(b, origins, n, entities) {
			importRaw(b, src.st, o)
			for _, r := range o {
				raw += len(r)
			}
		}
	})
	want := src.st.Vector()
	if got := want.Total(); got != uint64(n) {
		b.Fatalf("source holds %d events, want %d", got, n)
	}
	for _, c := range []struct {
		name  string
		batch int
	}{{"batch=default", 0}, {"batch=64", 64}} {
		b.Run(c.name, func(b *testing.B) {
			// A second Service on the source's host takes over the protocol.
			svc := New(Options{Host: src.h, Store: src.st, Interval: time.Hour, BatchEvents: c.batch})
			defer svc.Close()
			catchUp(b, src, want, n, raw)
		})
	}
}

func catchUp(b *testing.B, src *node, want vv.Vector, n, raw int) {
	var wire uint64
	b.StopTimer()
	b.ResetTimer()
	for range b.N {
		fresh, closeFresh := openNode(b)
		connect(b, fresh, src)
		var st Stats
		var err error
		pprof.Do(context.Background(), pprof.Labels("phase", "catchup", "bench", b.Name()), func(context.Context) {
			b.StartTimer()
			st, err = fresh.svc.SyncPeer(context.Background(), src.h.ID())
			b.StopTimer()
		})
		if err != nil {
			b.Fatal(err)
		}
		if st.EventsReceived != uint64(n) || len(st.Rejected) != 0 {
			b.Fatalf("received %d of %d, %d rejected", st.EventsReceived, n, len(st.Rejected))
		}
		if got := fresh.st.Vector(); !got.Equal(want) {
			b.Fatalf("fresh vector %v, source %v", got, want)
		}
		wire += st.BytesSent + st.BytesReceived
		closeFresh()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(wire)/float64(b.N)/float64(raw), "wire/raw")
	b.ReportMetric(float64(raw)/float64(n), "raw-B/event")
}

// tcpMeter is a loopback TCP relay counting what crosses it: everything
// libp2p puts on the socket (multistream-select, noise, yamux and the
// protocol), the bytes a real link would carry above TCP/IP.
type tcpMeter struct {
	ln    net.Listener
	addr  ma.Multiaddr
	bytes atomic.Uint64
	// rate, if set, caps each direction at so many bytes a second: a slow
	// but moving link.
	rate  int
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns []net.Conn
}

func newTCPMeter(tb testing.TB, target *node) *tcpMeter { return newTCPRelay(tb, target, 0) }

// newTCPRelay is a tcpMeter whose directions each carry at most rate
// bytes a second (0: unlimited).
func newTCPRelay(tb testing.TB, target *node, rate int) *tcpMeter {
	tb.Helper()
	var dst net.Addr
	for _, a := range target.h.Addrs() {
		if na, err := manet.ToNetAddr(a); err == nil {
			if _, ok := na.(*net.TCPAddr); ok {
				dst = na
				break
			}
		}
	}
	if dst == nil {
		tb.Fatal("target has no TCP address")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr, err := manet.FromNetAddr(ln.Addr())
	if err != nil {
		tb.Fatal(err)
	}
	m := &tcpMeter{ln: ln, addr: addr, rate: rate}
	m.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			d, err := net.Dial("tcp", dst.String())
			if err != nil {
				c.Close()
				continue
			}
			m.mu.Lock()
			m.conns = append(m.conns, c, d)
			m.mu.Unlock()
			pipe := func(w, r net.Conn) {
				var src io.Reader = countReader{r, &m.bytes}
				if m.rate > 0 {
					src = &slowReader{r: src, rate: m.rate}
				}
				_, _ = io.CopyBuffer(w, src, make([]byte, 4096))
				w.Close()
				r.Close()
			}
			m.wg.Go(func() { pipe(d, c) })
			m.wg.Go(func() { pipe(c, d) })
		}
	})
	tb.Cleanup(func() {
		ln.Close()
		m.mu.Lock()
		for _, c := range m.conns {
			c.Close()
		}
		m.mu.Unlock()
		m.wg.Wait()
	})
	return m
}

type countReader struct {
	r io.Reader
	n *atomic.Uint64
}

func (c countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(uint64(n))
	return n, err
}

// slowReader passes at most rate bytes a second, in small pieces.
type slowReader struct {
	r    io.Reader
	rate int
}

func (s *slowReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p[:min(len(p), 1024)])
	time.Sleep(time.Duration(n) * time.Second / time.Duration(s.rate))
	return n, err
}

// connectVia connects a to b through the meter, so all their traffic is counted.
func connectVia(tb testing.TB, a, b *node, m *tcpMeter) {
	tb.Helper()
	if err := a.h.Connect(context.Background(), peer.AddrInfo{ID: b.h.ID(), Addrs: []ma.Multiaddr{m.addr}}); err != nil {
		tb.Fatal(err)
	}
}

// settle waits until the meter's count stops moving (relay goroutines and
// stream-close frames trail the exchange by a moment).
func (m *tcpMeter) settle() uint64 {
	last := m.bytes.Load()
	for {
		time.Sleep(20 * time.Millisecond)
		cur := m.bytes.Load()
		if cur == last {
			return cur
		}
		last = cur
	}
}

// equalPair makes two replicas holding the same events of 24 origins (the
// 22 offices of a regency plus the two nodes themselves): each node writes
// 1,000 of its own, each of the 22 others 50, half imported on each side;
// one exchange through a tcpMeter makes them equal.
func equalPair(b *testing.B) (x, y *node, m *tcpMeter) {
	b.Helper()
	x, y = newNode(b, false), newNode(b, false)
	rng := mrand.New(mrand.NewPCG(7, 7))
	mustAppend(b, x.st, 1000, 200, "x", rng)
	mustAppend(b, y.st, 1000, 200, "y", rng)
	for i, o := range makeOrigins(b, 22, 22*50, 22*20) {
		if i%2 == 0 {
			importRaw(b, x.st, o)
		} else {
			importRaw(b, y.st, o)
		}
	}
	m = newTCPMeter(b, y)
	connectVia(b, x, y, m)
	st, err := x.svc.SyncPeer(context.Background(), y.h.ID())
	if err != nil {
		b.Fatal(err)
	}
	if st.EventsSent == 0 || st.EventsReceived == 0 {
		b.Fatalf("setup exchange %+v", st)
	}
	if !x.st.Vector().Equal(y.st.Vector()) {
		b.Fatal("setup: vectors differ")
	}
	if n := len(x.st.Vector()); n != 24 {
		b.Fatalf("vector has %d origins, want 24", n)
	}
	return x, y, m
}

// helloBytes is the size of x's HELLO frame: one vector on the wire.
func helloBytes(x *node) int {
	body := binary.AppendUvarint(nil, uint64(time.Now().UnixMilli()))
	body = appendEntries(body, x.svc.tags.entries(x.st.Vector()))
	return len(binary.AppendUvarint(nil, uint64(len(body)+1))) + 1 + len(body)
}

// BenchmarkIdleSync: one exchange between equal replicas with a 24-origin
// vector. bytes/sync is what the protocol writes on its stream both ways
// (HELLO + REPLY, one round trip); tcp-B/sync adds libp2p's stream opening,
// yamux and noise framing, measured on the socket.
func BenchmarkIdleSync(b *testing.B) {
	x, y, m := equalPair(b)
	var stream, tcp, hello, reply uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		before := m.settle()
		b.StartTimer()
		st, err := x.svc.SyncPeer(context.Background(), y.h.ID())
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if st.EventsSent+st.EventsReceived != 0 || st.PeerLacked+st.WeLacked != 0 {
			b.Fatalf("idle exchange moved events: %+v", st)
		}
		tcp += m.settle() - before
		stream += st.BytesSent + st.BytesReceived
		hello += st.BytesSent
		reply += st.BytesReceived
		b.StartTimer()
	}
	b.StopTimer()
	n := float64(b.N)
	b.ReportMetric(float64(stream)/n, "bytes/sync")
	b.ReportMetric(float64(hello)/n, "hello-B")
	b.ReportMetric(float64(reply)/n, "reply-B")
	b.ReportMetric(float64(tcp)/n, "tcp-B/sync")
	b.ReportMetric(float64(len(x.st.Vector())), "origins")
}

// BenchmarkDeltaBytes: equal replicas, then 1,000 new events (updates to
// existing entities) on one; one exchange. wire/raw compares the protocol's
// bytes on the stream, both ways, with the events' canonical encodings;
// (wire−vector)/raw takes out the one HELLO vector the target allows for.
func BenchmarkDeltaBytes(b *testing.B) {
	const d = 1000
	x, y, m := equalPair(b)
	rng := mrand.New(mrand.NewPCG(9, 9))
	var wire, tcp, raw, vec uint64
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		raw += uint64(mustAppend(b, x.st, d, 200, "x", rng))
		vec += uint64(helloBytes(x))
		before := m.settle()
		b.StartTimer()
		st, err := x.svc.SyncPeer(context.Background(), y.h.ID())
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		if st.EventsSent != d || st.EventsReceived != 0 {
			b.Fatalf("delta exchange %+v", st)
		}
		if !x.st.Vector().Equal(y.st.Vector()) {
			b.Fatal("vectors differ after delta")
		}
		tcp += m.settle() - before
		wire += st.BytesSent + st.BytesReceived
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(wire)/float64(raw), "wire/raw")
	b.ReportMetric(float64(wire-vec)/float64(raw), "(wire-vec)/raw")
	b.ReportMetric(float64(tcp)/float64(raw), "tcp/raw")
	b.ReportMetric(float64(wire)/float64(b.N*d), "bytes/event")
	b.ReportMetric(float64(raw)/float64(b.N*d), "raw-B/event")
	b.ReportMetric(float64(vec)/float64(b.N), "vector-B")
}

// BenchmarkVerifyBaseline: signature checks, the floor under catch-up. Each
// op checks 1,024 events, so that -benchtime 1x still times something;
// ns/verify is per event and 1e9/(ns/verify) the bound in events/s.
//
//	ed25519:   crypto/ed25519.Verify over a real event's signed bytes, one core
//	Verifier:  event.Verifier.Verify (key cache, re-encoding, verify), one core
//	Batch:     event.Verifier.VerifyBatch of 1,024 events on all cores
func BenchmarkVerifyBaseline(b *testing.B) {
	st, err := originStore(16 << 20)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	mustAppend(b, st, 1024, 200, "v", mrand.New(mrand.NewPCG(3, 3)))
	raws, err := rawEvents(st)
	if err != nil {
		b.Fatal(err)
	}
	evs := make([]*event.Event, len(raws))
	for i, r := range raws {
		e, err := event.Unmarshal(r)
		if err != nil {
			b.Fatal(err)
		}
		evs[i] = e
	}
	// The signed bytes are the signing context and the unsigned encoding:
	// the canonical encoding less its trailing uvarint(64) ‖ signature.
	msg := append([]byte("sinkron/event/v1\x00"), raws[0][:len(raws[0])-65]...)
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	sig := ed25519.Sign(priv, msg)
	report := func(b *testing.B) {
		per := float64(b.Elapsed().Nanoseconds()) / float64(b.N*len(evs))
		b.ReportMetric(per, "ns/verify")
		b.ReportMetric(1e9/per, "events/s")
	}

	b.Run("ed25519", func(b *testing.B) {
		for b.Loop() {
			for range evs {
				if !ed25519.Verify(pub, msg, sig) {
					b.Fatal("bad signature")
				}
			}
		}
		report(b)
	})
	b.Run("Verifier", func(b *testing.B) {
		var v event.Verifier
		for b.Loop() {
			for _, e := range evs {
				if err := v.Verify(e); err != nil {
					b.Fatal(err)
				}
			}
		}
		report(b)
	})
	b.Run("Batch", func(b *testing.B) {
		var v event.Verifier
		for b.Loop() {
			if ok, rej := v.VerifyBatch(evs); len(rej) != 0 || len(ok.Events()) != len(evs) {
				b.Fatal("batch did not verify")
			}
		}
		report(b)
	})
}
