//go:build goexperiment.simd && amd64

package iris

import "simd/archsimd"

// vector reports whether the CPU has 512-bit popcounts (AVX512-VPOPCNTDQ).
var vector = archsimd.X86.AVX512() && archsimd.X86.AVX512VPOPCNTDQ()

// distance counts eight words at a time with VPOPCNTQ: four iterations for
// a 2048-bit code instead of 64 scalar popcounts. The experimental
// simd/archsimd package needs GOEXPERIMENT=simd; without it (or on a CPU
// without the instructions) the scalar loop runs.
func distance(ac, am, bc, bm *[words]uint64) (diff, n int) {
	if !vector {
		return distanceScalar(ac, am, bc, bm)
	}
	var d, c archsimd.Uint64x8
	for i := 0; i < words; i += 8 {
		m := archsimd.LoadUint64x8((*[8]uint64)(am[i:])).And(archsimd.LoadUint64x8((*[8]uint64)(bm[i:])))
		x := archsimd.LoadUint64x8((*[8]uint64)(ac[i:])).Xor(archsimd.LoadUint64x8((*[8]uint64)(bc[i:])))
		d = d.Add(x.And(m).OnesCount())
		c = c.Add(m.OnesCount())
	}
	var ds, cs [8]uint64
	d.Store(&ds)
	c.Store(&cs)
	for k := range ds {
		diff += int(ds[k])
		n += int(cs[k])
	}
	return diff, n
}
