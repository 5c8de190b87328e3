package netlab

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"pgregory.net/rapid"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func seeded(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

// arrival is one packet offered to a shaper in a test.
type arrival struct {
	at   time.Duration // after t0
	size int
}

// outcome is what the shaper decided for one arrival.
type outcome struct {
	v  verdict
	at time.Duration // delivery, after t0, if delivered
}

func runShaper(c Conditions, seed uint64, in []arrival) ([]outcome, DirStats) {
	s := newShaper(c, seeded(seed))
	out := make([]outcome, len(in))
	for i, a := range in {
		at, v := s.admit(t0.Add(a.at), a.size, false)
		out[i] = outcome{v: v}
		if v == deliver {
			out[i].at = at.Sub(t0)
		}
	}
	return out, s.stats
}

// burst is n packets of size bytes all arriving at once.
func burst(n, size int) []arrival {
	in := make([]arrival, n)
	for i := range in {
		in[i] = arrival{size: size}
	}
	return in
}

// spaced is n packets of size bytes, gap apart.
func spaced(n, size int, gap time.Duration) []arrival {
	in := make([]arrival, n)
	for i := range in {
		in[i] = arrival{at: time.Duration(i) * gap, size: size}
	}
	return in
}

func TestShaperRate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		c       Conditions
		in      []arrival
		wantAt  []time.Duration // deliveries of the first packets
		wantMax time.Duration   // the queueing delay the last one saw
	}{
		{
			name:   "unlimited passes at once",
			c:      Conditions{},
			in:     burst(3, 1500),
			wantAt: []time.Duration{0, 0, 0},
		},
		{
			name: "256 kbit/s serialises 1000 B in 31.25 ms",
			c:    Conditions{RateKbit: 256, Queue: time.Second},
			in:   burst(3, 1000),
			wantAt: []time.Duration{
				31250 * time.Microsecond, 62500 * time.Microsecond, 93750 * time.Microsecond,
			},
			wantMax: 62500 * time.Microsecond,
		},
		{
			name:    "delay adds after sending",
			c:       Conditions{RateKbit: 1000, Delay: 100 * time.Millisecond},
			in:      burst(2, 125),
			wantAt:  []time.Duration{101 * time.Millisecond, 102 * time.Millisecond},
			wantMax: time.Millisecond,
		},
		{
			name:   "spaced traffic below the rate does not queue",
			c:      Conditions{RateKbit: 1000},
			in:     spaced(3, 125, 10*time.Millisecond),
			wantAt: []time.Duration{time.Millisecond, 11 * time.Millisecond, 21 * time.Millisecond},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, st := runShaper(tc.c, 1, tc.in)
			for i, want := range tc.wantAt {
				if out[i].v != deliver || out[i].at != want {
					t.Errorf("packet %d: got %+v, want delivery at %v", i, out[i], want)
				}
			}
			if st.QueueDelayMax != tc.wantMax {
				t.Errorf("max queueing delay %v, want %v", st.QueueDelayMax, tc.wantMax)
			}
		})
	}
}

func TestShaperRateLongRun(t *testing.T) {
	// 10 s of saturating traffic: what leaves must be the rate, exactly.
	for _, rate := range []int{256, 1024, 100_000} {
		c := Conditions{RateKbit: rate}
		s := newShaper(c, seeded(1))
		var last time.Time
		var bytes int
		gap := txTime(1500, rate) / 2 // offered at twice the rate
		for now := t0; now.Before(t0.Add(10 * time.Second)); now = now.Add(gap) {
			if at, v := s.admit(now, 1500, false); v == deliver {
				last, bytes = at, bytes+1500
			}
		}
		got := float64(bytes*8) / last.Sub(t0).Seconds() / 1000
		if got < float64(rate)*0.999 || got > float64(rate)*1.001 {
			t.Errorf("rate %d kbit/s: delivered %.1f kbit/s", rate, got)
		}
		if s.stats.DropQueue == 0 {
			t.Errorf("rate %d kbit/s: offered twice the rate, nothing dropped", rate)
		}
	}
}

func TestShaperQueueOverflow(t *testing.T) {
	for _, tc := range []struct {
		name   string
		c      Conditions
		in     []arrival
		verdts []verdict
	}{
		{
			// 1000 B at 100 kbit/s is 80 ms: waits of 0, 80, 160 ms; a
			// 100 ms buffer holds two.
			name:   "drop-tail at the buffer size",
			c:      Conditions{RateKbit: 100, Queue: 100 * time.Millisecond},
			in:     burst(4, 1000),
			verdts: []verdict{deliver, deliver, dropQueue, dropQueue},
		},
		{
			name: "room again once the queue drains",
			c:    Conditions{RateKbit: 100, Queue: 100 * time.Millisecond},
			in: []arrival{
				{0, 1000}, {0, 1000}, {0, 1000}, {170 * time.Millisecond, 1000},
			},
			verdts: []verdict{deliver, deliver, dropQueue, deliver},
		},
		{
			// 1500 B at 256 kbit/s is 46.9 ms: five packets wait 0, 47,
			// 94, 141, 188 ms, within 200 ms; the sixth would wait 234.
			name:   "default buffer is 200 ms",
			c:      Conditions{RateKbit: 256},
			in:     burst(6, 1500),
			verdts: []verdict{deliver, deliver, deliver, deliver, deliver, dropQueue},
		},
		{
			name:   "cut drops before the queue",
			c:      Conditions{RateKbit: 100, Cut: true},
			in:     burst(2, 1000),
			verdts: []verdict{dropCut, dropCut},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, st := runShaper(tc.c, 1, tc.in)
			var got []verdict
			for _, o := range out {
				got = append(got, o.v)
			}
			if !slices.Equal(got, tc.verdts) {
				t.Errorf("verdicts %v, want %v", got, tc.verdts)
			}
			if st.InPackets != uint64(len(tc.in)) || st.Dropped() != uint64(count(got, dropQueue)+count(got, dropCut)) {
				t.Errorf("stats %+v do not match verdicts %v", st, got)
			}
		})
	}
}

func count(vs []verdict, v verdict) int {
	n := 0
	for _, x := range vs {
		if x == v {
			n++
		}
	}
	return n
}

func TestShaperJitterOrder(t *testing.T) {
	in := spaced(2000, 100, time.Millisecond)
	for _, tc := range []struct {
		name        string
		c           Conditions
		wantReorder bool
	}{
		{"jitter alone keeps order", Conditions{Delay: 100 * time.Millisecond, Jitter: 50 * time.Millisecond}, false},
		{"jitter with a rate keeps order", Conditions{RateKbit: 1000, Delay: 100 * time.Millisecond, Jitter: 50 * time.Millisecond}, false},
		{"reorder overtakes", Conditions{Delay: 100 * time.Millisecond, Reorder: 10}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := runShaper(tc.c, 7, in)
			reordered := 0
			var prev time.Duration
			for i, o := range out {
				if o.at < in[i].at {
					t.Fatalf("packet %d delivered at %v before it arrived at %v", i, o.at, in[i].at)
				}
				if o.at < prev {
					reordered++
				}
				prev = max(prev, o.at)
			}
			if (reordered > 0) != tc.wantReorder {
				t.Errorf("%d packets overtaken, want reordering %v", reordered, tc.wantReorder)
			}
		})
	}
}

func TestShaperJitterSpread(t *testing.T) {
	// Sparse packets (gap > 2×jitter) are never held back by the in-order
	// rule, so their delays spread over delay ± jitter.
	c := Conditions{Delay: 100 * time.Millisecond, Jitter: 20 * time.Millisecond}
	in := spaced(1000, 100, 50*time.Millisecond)
	out, _ := runShaper(c, 3, in)
	lo, hi, sum := time.Hour, time.Duration(0), time.Duration(0)
	for i, o := range out {
		d := o.at - in[i].at
		lo, hi, sum = min(lo, d), max(hi, d), sum+d
	}
	mean := sum / time.Duration(len(out))
	if lo < 80*time.Millisecond || hi > 120*time.Millisecond || hi-lo < 35*time.Millisecond {
		t.Errorf("delays span [%v, %v], want most of [80ms, 120ms]", lo, hi)
	}
	if mean < 98*time.Millisecond || mean > 102*time.Millisecond {
		t.Errorf("mean delay %v, want 100ms ± 2ms", mean)
	}
}

func TestShaperLoss(t *testing.T) {
	for _, loss := range []float64{0, 0.25, 1, 5, 50, 100} {
		out, st := runShaper(Conditions{Loss: loss}, 11, spaced(100_000, 100, time.Millisecond))
		got := 100 * float64(count(verdicts(out), dropLoss)) / float64(len(out))
		if got < loss-0.5 || got > loss+0.5 || st.DropLoss != uint64(count(verdicts(out), dropLoss)) {
			t.Errorf("loss %v%%: dropped %.3f%% (%d counted)", loss, got, st.DropLoss)
		}
	}
}

func verdicts(out []outcome) []verdict {
	vs := make([]verdict, len(out))
	for i, o := range out {
		vs[i] = o.v
	}
	return vs
}

func TestShaperSeeded(t *testing.T) {
	in := spaced(5000, 100, time.Millisecond)
	lossy := Conditions{Loss: 3, Delay: 50 * time.Millisecond, Jitter: 10 * time.Millisecond}
	for _, tc := range []struct {
		name     string
		a, b     Conditions
		sa, sb   uint64
		sameLoss bool
		sameAll  bool
	}{
		{"same seed, same run", lossy, lossy, 42, 42, true, true},
		{"other seed, other drops", lossy, lossy, 42, 43, false, false},
		{"jitter change keeps the loss pattern", lossy, Conditions{Loss: 3, Jitter: 40 * time.Millisecond}, 42, 42, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			oa, _ := runShaper(tc.a, tc.sa, in)
			ob, _ := runShaper(tc.b, tc.sb, in)
			if got := slices.Equal(verdicts(oa), verdicts(ob)); got != tc.sameLoss {
				t.Errorf("same drops: %v, want %v", got, tc.sameLoss)
			}
			if got := slices.Equal(oa, ob); got != tc.sameAll {
				t.Errorf("same deliveries: %v, want %v", got, tc.sameAll)
			}
		})
	}
}

// TestShaperProperties checks invariants over random conditions and
// traffic: counts add up, nothing leaves before it arrived or waits longer
// than the buffer allows, order holds without Reorder, and the rate holds.
func TestShaperProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := Conditions{
			RateKbit: rapid.IntRange(0, 10_000).Draw(t, "rate"),
			Delay:    time.Duration(rapid.IntRange(0, 500).Draw(t, "delayMs")) * time.Millisecond,
			Jitter:   time.Duration(rapid.IntRange(0, 100).Draw(t, "jitterMs")) * time.Millisecond,
			Loss:     float64(rapid.IntRange(0, 100).Draw(t, "loss")),
			Queue:    time.Duration(rapid.IntRange(0, 1000).Draw(t, "queueMs")) * time.Millisecond,
		}
		n := rapid.IntRange(1, 300).Draw(t, "n")
		in := make([]arrival, n)
		var now time.Duration
		for i := range in {
			now += time.Duration(rapid.IntRange(0, 20_000).Draw(t, "gapUs")) * time.Microsecond
			in[i] = arrival{at: now, size: rapid.IntRange(20, 1500).Draw(t, "size")}
		}
		out, st := runShaper(c, rapid.Uint64().Draw(t, "seed"), in)
		delivered := uint64(count(verdicts(out), deliver))
		if st.InPackets != uint64(n) || delivered+st.Dropped() != uint64(n) {
			t.Fatalf("counts: %d offered, %d delivered, stats %+v", n, delivered, st)
		}
		var prev, prevSent time.Duration
		for i, o := range out {
			if o.v != deliver {
				continue
			}
			if o.at < prev {
				t.Fatalf("packet %d at %v overtook one at %v", i, o.at, prev)
			}
			prev = o.at
			limit := c.queue() + txTimeOr0(in[i].size, c.RateKbit) + c.Delay + c.Jitter
			if o.at < in[i].at || o.at-in[i].at > limit {
				t.Fatalf("packet %d arrived %v, delivered %v (limit %v)", i, in[i].at, o.at, limit)
			}
			if c.Jitter == 0 && c.RateKbit > 0 && prevSent > 0 && o.at-prevSent < txTime(in[i].size, c.RateKbit) {
				t.Fatalf("packet %d sent %v after the previous, faster than the rate", i, o.at-prevSent)
			}
			prevSent = o.at
		}
	})
}

func txTimeOr0(size, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return txTime(size, rate)
}
