//go:build !amd64

package iris

func distanceMany(p *[EyeWords]uint64, g []uint64, stride int, out []uint64) {
	distanceManyScalar(p, g, stride, out)
}
