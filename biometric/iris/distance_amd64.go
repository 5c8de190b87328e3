package iris

import "golang.org/x/sys/cpu"

// avx512 is the one CPU-feature choice, made at start: 512-bit vectors and
// their popcount (AVX512-VPOPCNTDQ, Ice Lake and later, Zen 4 and later).
// x/sys/cpu also checks that the OS saves the ZMM registers.
var avx512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ

//go:noescape
func distanceManyAVX512(p *uint64, gal *uint64, stride int, out *uint64, count int)

// distanceMany fills out[i] with the masked distance of eye p against the
// eye at g[i*stride:] (see DistanceMany).
func distanceMany(p *[EyeWords]uint64, g []uint64, stride int, out []uint64) {
	if !avx512 {
		distanceManyScalar(p, g, stride, out)
		return
	}
	distanceManyAVX512(&p[0], &g[0], stride*8, &out[0], len(out))
}
