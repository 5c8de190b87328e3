//go:build !(goexperiment.simd && amd64)

package iris

// distance is the scalar loop; a build with GOEXPERIMENT=simd on amd64
// uses AVX-512 popcounts where the CPU has them (distance_simd.go).
func distance(ac, am, bc, bm *[words]uint64) (diff, n int) {
	return distanceScalar(ac, am, bc, bm)
}
