package dwh

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// feedUntil runs a feeder until the warehouse holds every stream's end.
func feedUntil(t *testing.T, ctx context.Context, f *Feeder, w *world, sink *Sink) {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	defer func() { cancel(); <-done }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		cp, err := sink.Checkpoint(ctx)
		if err == nil && caughtUp(w, cp) && f.Status().Fed == w.Decisions() {
			return
		}
		f.Wake()
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(20 * time.Millisecond): // polling the warehouse, not synchronising goroutines
		}
	}
	t.Fatalf("feed did not catch up; status %+v", f.Status())
}

func caughtUp(w *world, cp Checkpoint) bool {
	for s, cs := range w.streams {
		if cp[s] != uint64(len(cs)) {
			return false
		}
	}
	return true
}

func opts() FeederOptions {
	return FeederOptions{Batch: 64, CatchUp: 200, Interval: 10 * time.Millisecond}
}

func TestFeedFromEmptyAndSteady(t *testing.T) {
	for _, tc := range []struct {
		name          string
		batch, copyAt int
	}{
		{"upserts", 50, 1 << 30},
		{"copy", 5000, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, pool := warehouse(t)
			w := newWorld(3, 120)
			sink := NewSink(pool, "dinas-1", tc.copyAt)
			f := NewFeeder(sink, w, &fixedLeader{term: 1, ok: true}, FeederOptions{Batch: tc.batch, CatchUp: tc.batch, Interval: 10 * time.Millisecond})
			feedUntil(t, context.Background(), f, w, sink)
			assertExact(t, w, pool)
			if st := f.Status(); st.LagDecisions() != 0 || st.Fed != w.Decisions() || st.LastError != "" {
				t.Fatalf("status after catch-up: %+v", st)
			}
		})
	}
}

func TestApplyRefusesGapsAndSkipsReplays(t *testing.T) {
	_, pool := warehouse(t)
	ctx := context.Background()
	sink := NewSink(pool, "dinas-1", 0)
	w := newWorld(1, 10)
	evs := w.streams["kec-0"]
	if n, err := sink.Apply(ctx, 1, evs[:3]); err != nil || n != 3 {
		t.Fatalf("first batch: %d, %v", n, err)
	}
	if n, err := sink.Apply(ctx, 1, evs[:3]); err != nil || n != 0 {
		t.Fatalf("replayed batch: %d new, %v; want 0, nil", n, err)
	}
	if _, err := sink.Apply(ctx, 1, evs[4:6]); !errors.Is(err, ErrGap) {
		t.Fatalf("batch after a gap: %v, want ErrGap", err)
	}
	if _, err := sink.Apply(ctx, 0, evs[3:4]); !errors.Is(err, ErrFenced) {
		t.Fatalf("older term: %v, want ErrFenced", err)
	}
	cp, _ := sink.Checkpoint(ctx)
	if cp["kec-0"] != 3 {
		t.Fatalf("checkpoint %d after refusals, want 3", cp["kec-0"])
	}
}

// TestExactlyOnceUnderFaults feeds a warehouse through each fault and
// checks that the warehouse equals the registry afterwards, every stream's
// checkpoint at its end, and no position written twice.
func TestExactlyOnceUnderFaults(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(t *testing.T, w *world, env *faultEnv)
	}{
		{"postgres killed mid-batch", killPostgres},
		{"leader killed mid-batch", killLeader},
		{"leader change with a deposed leader still writing", leaderChange},
		{"link cut", cutLink},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := &faultEnv{}
			env.srv, env.pool = warehouse(t)
			w := newWorld(4, 150)
			tc.run(t, w, env)
			assertExact(t, w, env.pool)
		})
	}
}

type faultEnv struct {
	srv  *pgtest.Server
	pool *pgxpool.Pool
}

func (e *faultEnv) sink(t *testing.T, name string, dsn string) *Sink {
	return NewSink(connect(t, dsn), name, 100)
}

// killPostgres kills the server while a batch is in flight (the source's
// fifth read triggers it), restarts it, and lets the same feeder finish.
func killPostgres(t *testing.T, w *world, env *faultEnv) {
	sink := env.sink(t, "dinas-1", env.srv.DSN())
	var once sync.Once
	killed := make(chan struct{})
	w.hook = func(n int) {
		if n == 5 {
			once.Do(func() { go func() { env.srv.Kill(); close(killed) }() }) // lands while the batch is being written
		}
	}
	f := NewFeeder(sink, w, &fixedLeader{term: 1, ok: true}, opts())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	waitError(t, f)
	cancel()
	<-done
	<-killed // the server is down before it starts again
	env.srv.Restart()
	env.pool.Reset() // the checker's connections died with the server
	w.hook = nil
	feedUntil(t, context.Background(), f, w, sink)
}

// killLeader cancels the leader's feeder inside its transaction (the
// process dies mid-batch); a new leader with a fresh sink finishes.
func killLeader(t *testing.T, w *world, env *faultEnv) {
	old := env.sink(t, "dinas-1", env.srv.DSN())
	ctx, kill := context.WithCancel(context.Background())
	w.hook = func(n int) {
		if n == 6 {
			kill() // the Apply that follows dies with the process
		}
	}
	f := NewFeeder(old, w, &fixedLeader{term: 1, ok: true}, opts())
	f.Run(ctx)
	w.hook = nil
	next := env.sink(t, "dinas-2", env.srv.DSN())
	feedUntil(t, context.Background(), NewFeeder(next, w, &fixedLeader{term: 2, ok: true}, opts()), w, next)
}

// leaderChange runs the deposed leader (term 1, still believing it leads)
// beside the new one (term 2): the deposed one writes its first batches,
// is held while the new one writes everything, then writes its next batch
// and is fenced. (Unheld, it could finish before the new one started and
// never meet the fence.)
func leaderChange(t *testing.T, w *world, env *faultEnv) {
	oldSink, newSink := env.sink(t, "dinas-1", env.srv.DSN()), env.sink(t, "dinas-2", env.srv.DSN())
	held := &heldSource{Source: w, after: 5, held: make(chan struct{}), open: make(chan struct{})}
	old := NewFeeder(oldSink, held, &fixedLeader{term: 1, ok: true}, FeederOptions{Batch: 20, CatchUp: 20, Interval: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); old.Run(ctx) }()
	<-held.held
	feedUntil(t, context.Background(), NewFeeder(newSink, w, &fixedLeader{term: 2, ok: true}, opts()), w, newSink)
	close(held.open)
	waitError(t, old)
	cancel()
	<-done
	if st := old.Status(); st.LastError == "" {
		t.Fatal("the deposed leader was not fenced")
	}
}

// heldSource serves its first reads, then holds the reader until open.
type heldSource struct {
	Source
	after      int32
	reads      atomic.Int32
	once       sync.Once
	held, open chan struct{}
}

func (h *heldSource) After(ctx context.Context, cp Checkpoint, max int) ([]Change, error) {
	if h.reads.Add(1) > h.after {
		h.once.Do(func() { close(h.held) })
		select {
		case <-h.open:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return h.Source.After(ctx, cp, max)
}

// cutLink runs the feed through a proxy and cuts every connection while
// batches are in flight, then restores the link.
func cutLink(t *testing.T, w *world, env *faultEnv) {
	p := newProxy(t, env.srv.DSN())
	sink := env.sink(t, "dinas-1", p.dsn)
	w.hook = func(n int) {
		if n == 4 {
			p.cut()
		}
	}
	f := NewFeeder(sink, w, &fixedLeader{term: 1, ok: true}, opts())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.Run(ctx) }()
	waitError(t, f)
	cancel()
	<-done
	w.hook = nil
	p.restore()
	feedUntil(t, context.Background(), f, w, sink)
}

func waitError(t *testing.T, f *Feeder) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for f.Status().LastError == "" {
		if time.Now().After(deadline) {
			t.Fatal("the fault did not surface as an error")
		}
		time.Sleep(5 * time.Millisecond) // polling the feeder's status
	}
}

// proxy forwards TCP to PostgreSQL; cut closes every connection and
// refuses new ones until restore.
type proxy struct {
	ln     net.Listener
	dsn    string
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, dsn string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfgHost := dsn[len("postgres://postgres@"):]
	target := cfgHost[:indexByte(cfgHost, '/')]
	p := &proxy{ln: ln, target: target}
	p.dsn = "postgres://postgres@" + ln.Addr().String() + "/postgres?sslmode=disable"
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() { ln.Close(); p.cut(); p.wg.Wait() })
	return p
}

func indexByte(s string, b byte) int {
	for i := range len(s) {
		if s[i] == b {
			return i
		}
	}
	return len(s)
}

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() { defer p.wg.Done(); io.Copy(up, c); up.Close() }()
		go func() { defer p.wg.Done(); io.Copy(c, up); c.Close() }()
	}
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}
