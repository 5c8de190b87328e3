package netlab

import (
	"context"
	"encoding/binary"
	"io"
	"sync"
	"testing"
	"time"
)

// memSource hands packets to a pipe one Read at a time, io.EOF once closed.
type memSource struct{ ch chan []byte }

func newMemSource() *memSource { return &memSource{ch: make(chan []byte, 1024)} }

func (s *memSource) Read(b []byte) (int, error) {
	p, ok := <-s.ch
	if !ok {
		return 0, io.EOF
	}
	return copy(b, p), nil
}

// memSink records what a pipe writes and when.
type memSink struct {
	mu    sync.Mutex
	got   []received
	count chan struct{}
}

type received struct {
	at  time.Time
	seq uint32
}

func newMemSink() *memSink { return &memSink{count: make(chan struct{}, 1<<16)} }

func (s *memSink) Write(b []byte) (int, error) {
	s.mu.Lock()
	s.got = append(s.got, received{at: time.Now(), seq: binary.BigEndian.Uint32(b)})
	s.mu.Unlock()
	s.count <- struct{}{}
	return len(b), nil
}

// waitFor waits until n packets have arrived or d has passed.
func (s *memSink) waitFor(t testing.TB, n int, d time.Duration) []received {
	t.Helper()
	deadline := time.After(d)
	for range n {
		select {
		case <-s.count:
		case <-deadline:
			t.Fatalf("only some of %d packets arrived within %v", n, d)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

func seqPacket(i, size int) []byte {
	b := make([]byte, size)
	binary.BigEndian.PutUint32(b, uint32(i))
	return b
}

// startPipe runs a pipe until the test ends.
func startPipe(t testing.TB, c Conditions) (*pipe, *memSource, *memSink) {
	src, dst := newMemSource(), newMemSink()
	p := newPipe(src, dst, c, seeded(1), SystemClock{})
	done := make(chan error, 1)
	go func() { done <- p.run(context.Background()) }()
	t.Cleanup(func() {
		close(src.ch)
		if err := <-done; err != nil {
			t.Errorf("pipe: %v", err)
		}
	})
	return p, src, dst
}

func TestPipeDelayAndOrder(t *testing.T) {
	const delay = 50 * time.Millisecond
	p, src, dst := startPipe(t, Conditions{Delay: delay, Jitter: 10 * time.Millisecond})
	start := time.Now()
	for i := range 50 {
		src.ch <- seqPacket(i, 100)
	}
	got := dst.waitFor(t, 50, 2*time.Second)
	for i, r := range got {
		if int(r.seq) != i {
			t.Fatalf("packet %d arrived as number %d: order broken", r.seq, i)
		}
	}
	if first := got[0].at.Sub(start); first < delay-10*time.Millisecond || first > delay+40*time.Millisecond {
		t.Errorf("first packet after %v, want about %v", first, delay)
	}
	if st := p.stats(); st.SentPackets != 50 || st.InPackets != 50 || st.SentBytes != 5000 {
		t.Errorf("stats %+v, want 50 packets of 100 B in and out", st)
	}
}

func TestPipeRate(t *testing.T) {
	// 40 packets of 1250 B at 1000 kbit/s is 10 ms each: 400 ms in all.
	p, src, dst := startPipe(t, Conditions{RateKbit: 1000, Queue: time.Second})
	start := time.Now()
	for i := range 40 {
		src.ch <- seqPacket(i, 1250)
	}
	got := dst.waitFor(t, 40, 2*time.Second)
	took := got[len(got)-1].at.Sub(start)
	if took < 390*time.Millisecond || took > 480*time.Millisecond {
		t.Errorf("40 × 1250 B at 1 Mbit/s took %v, want about 400ms", took)
	}
	if st := p.stats(); st.QueueDelayMax < 380*time.Millisecond {
		t.Errorf("max queueing delay %v, want about 390ms", st.QueueDelayMax)
	}
}

func TestPipeCutInFlight(t *testing.T) {
	p, src, dst := startPipe(t, Conditions{Delay: 100 * time.Millisecond})
	for i := range 5 {
		src.ch <- seqPacket(i, 100)
	}
	waitStat(t, p, func(s DirStats) bool { return s.InPackets == 5 })
	p.setConditions(Conditions{Delay: 100 * time.Millisecond, Cut: true})
	waitStat(t, p, func(s DirStats) bool { return s.DropCut == 5 })
	p.setConditions(Conditions{})
	src.ch <- seqPacket(5, 100)
	if got := dst.waitFor(t, 1, time.Second); len(got) != 1 || got[0].seq != 5 {
		t.Errorf("after heal got %+v, want only packet 5", got)
	}
}

func waitStat(t *testing.T, p *pipe, ok func(DirStats) bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if ok(p.stats()) {
			return
		}
	}
	t.Fatalf("stats never got there: %+v", p.stats())
}

func TestPipeStopsWhileHoldingPackets(t *testing.T) {
	src, dst := newMemSource(), newMemSink()
	p := newPipe(src, dst, Conditions{Delay: time.Hour}, seeded(1), SystemClock{})
	done := make(chan error, 1)
	go func() { done <- p.run(context.Background()) }()
	src.ch <- seqPacket(0, 100)
	close(src.ch)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(time.Second):
		t.Fatal("pipe did not stop when its source closed")
	}
}

// BenchmarkPipeForward is the cost of moving one 1400 B packet through a
// link: read, shape, queue, wake the writer, write. The source outpaces any
// real TUN device, so drops/op shows whether the writer kept up.
func BenchmarkPipeForward(b *testing.B) {
	for _, c := range []struct {
		name string
		c    Conditions
	}{
		{"none", Conditions{}},
		{"loss 1%", Conditions{Loss: 1}},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := newMemSource()
			p := newPipe(src, io.Discard, c.c, seeded(1), SystemClock{})
			done := make(chan error, 1)
			go func() { done <- p.run(context.Background()) }()
			pkt := seqPacket(0, 1400)
			b.SetBytes(int64(len(pkt)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				src.ch <- pkt
			}
			for st := p.stats(); st.SentPackets+st.Dropped() < uint64(b.N); st = p.stats() {
				time.Sleep(50 * time.Microsecond)
			}
			b.StopTimer()
			st := p.stats()
			b.ReportMetric(float64(st.Dropped())/float64(b.N), "drops/op")
			close(src.ch)
			<-done
		})
	}
}

func BenchmarkShaperAdmit(b *testing.B) {
	s := newShaper(Conditions{RateKbit: 100_000, Delay: time.Millisecond, Jitter: 100 * time.Microsecond, Loss: 1}, seeded(1))
	now := t0
	b.ReportAllocs()
	for range b.N {
		now = now.Add(200 * time.Microsecond)
		s.admit(now, 1400, false)
	}
}
