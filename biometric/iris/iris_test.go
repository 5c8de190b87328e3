package iris

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"time"

	"pgregory.net/rapid"

	"github.com/sinkron-id/sinkron/biometric/template"
)

func randomCode(r *rand.Rand, keep float64) template.IrisCode {
	var c template.IrisCode
	for i := 0; i < template.IrisBits; i++ {
		if r.Float64() < keep {
			c.Mask[i/64] |= 1 << (i % 64)
			if r.IntN(2) == 1 {
				c.Code[i/64] |= 1 << (i % 64)
			}
		}
	}
	return c
}

func codeFrom(t *rapid.T, name string) template.IrisCode {
	var c template.IrisCode
	for i := range c.Code {
		c.Mask[i] = rapid.Uint64().Draw(t, name+"m")
		c.Code[i] = rapid.Uint64().Draw(t, name+"c") & c.Mask[i]
	}
	return c
}

// TestDistanceLaws: a code is at distance 0 from itself, distance is
// symmetric, and rotating both codes together changes nothing.
func TestDistanceLaws(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := codeFrom(t, "a"), codeFrom(t, "b")
		if d, _ := Distance(&a, &a); d != 0 {
			t.Fatalf("self distance %d", d)
		}
		d1, n1 := Distance(&a, &b)
		d2, n2 := Distance(&b, &a)
		if d1 != d2 || n1 != n2 {
			t.Fatalf("asymmetric: %d/%d vs %d/%d", d1, n1, d2, n2)
		}
		s := rapid.IntRange(-200, 200).Draw(t, "s")
		ra, rb := Rotate(a, s), Rotate(b, s)
		if d3, n3 := Distance(&ra, &rb); d3 != d1 || n3 != n1 {
			t.Fatalf("rotation by %d changed %d/%d to %d/%d", s, d1, n1, d3, n3)
		}
		back := Rotate(Rotate(a, s), -s)
		if back != a {
			t.Fatal("rotate then rotate back differs")
		}
	})
}

// TestKernelEqualsScalar: the kernel the CPU selected (AVX-512 here when
// the CPU has it) gives exactly the portable loop's counts, for random codes
// and masks, any rotation, any number of gallery eyes and any stride.
func TestKernelEqualsScalar(t *testing.T) {
	t.Logf("avx512 kernel: %v", avx512)
	rapid.Check(t, func(t *rapid.T) {
		a := codeFrom(t, "a")
		a = Rotate(a, rapid.IntRange(-64, 64).Draw(t, "shift"))
		count := rapid.IntRange(1, 9).Draw(t, "count")
		stride := rapid.IntRange(EyeWords, EyeWords+9).Draw(t, "stride")
		g := make([]uint64, (count-1)*stride+EyeWords)
		for i := 0; i < count; i++ {
			b := codeFrom(t, "b")
			b = Rotate(b, rapid.IntRange(-64, 64).Draw(t, "bshift"))
			copy(g[i*stride:], eye(&b)[:])
		}
		got, want := make([]uint64, count), make([]uint64, count)
		DistanceMany(eye(&a), g, stride, got)
		distanceManyScalar(eye(&a), g, stride, want)
		for i := range got {
			if got[i] != want[i] {
				gd, gn := Unpack(got[i])
				wd, wn := Unpack(want[i])
				t.Fatalf("eye %d: kernel %d/%d, scalar %d/%d", i, gd, gn, wd, wn)
			}
		}
	})
}

func TestDistanceManyBounds(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("no panic reading past g")
		}
	}()
	var p [EyeWords]uint64
	DistanceMany(&p, make([]uint64, EyeWords+10), EyeWords, make([]uint64, 2))
}

// TestCompareFindsRotation: a rotated copy is found at distance 0 and the
// right shift; an independent random code scores near chance.
func TestCompareFindsRotation(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	a, b := randomCode(r, 0.7), randomCode(r, 0.7)
	for _, s := range []int{-8, -3, 0, 5, 8} {
		res := Compare(Rotate(a, s), a)
		if res.HD != 0 || res.Shift != -s {
			t.Errorf("rotation %d: %+v", s, res)
		}
	}
	if res := Compare(a, b); res.HD < 0.4 || res.Score < 0.4 {
		t.Errorf("strangers: %+v", res)
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		diff, n int
		want    float64
	}{
		{0, 0, 0.5}, {911 / 2, 911, 0.5 - (0.5 - float64(455)/911)}, {0, 911, 0}, {100, 400, 0.5 - 0.25*0.6626},
	}
	for _, c := range cases {
		if got := Normalize(c.diff, c.n); got < c.want-1e-3 || got > c.want+1e-3 {
			t.Errorf("Normalize(%d,%d) = %v, want %v", c.diff, c.n, got, c.want)
		}
	}
}

// BenchmarkDistance is one masked comparison at one rotation (the TARGETS.md
// figure: comparisons per second per core).
func BenchmarkDistance(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	codes := make([]template.IrisCode, 1024)
	for i := range codes {
		codes[i] = randomCode(r, 0.6)
	}
	p := codes[0]
	sink := 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d, n := Distance(&p, &codes[i&1023])
		sink += d + n
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcmp/s")
	// Per second of CPU time the process got: on a shared machine the
	// wall-clock rate counts the time other processes held the core.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds()/1e6, "Mcmp/cpu-s")
	}
	_ = sink
}

// BenchmarkDistanceScalar is BenchmarkDistance on the portable loop: the
// baseline in the same run.
func BenchmarkDistanceScalar(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	codes := make([]template.IrisCode, 1024)
	for i := range codes {
		codes[i] = randomCode(r, 0.6)
	}
	p := codes[0]
	var out [1]uint64
	sink := uint64(0)
	for i := 0; b.Loop(); i++ {
		distanceManyScalar(eye(&p), eye(&codes[i&1023])[:], 0, out[:])
		sink += out[0]
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mcmp/s")
	_ = sink
}

// BenchmarkDistanceMany is one probe eye against a block of 1,024 gallery
// eyes per call, the 1:N search's shape: comparisons per second per core.
func BenchmarkDistanceMany(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 1024
	g := make([]uint64, n*EyeWords)
	for i := 0; i < n; i++ {
		c := randomCode(r, 0.6)
		copy(g[i*EyeWords:], eye(&c)[:])
	}
	p := randomCode(r, 0.6)
	out := make([]uint64, n)
	for b.Loop() {
		DistanceMany(eye(&p), g, EyeWords, out)
	}
	b.ReportMetric(float64(b.N)*n/b.Elapsed().Seconds()/1e6, "Mcmp/s")
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
