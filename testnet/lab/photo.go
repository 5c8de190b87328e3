package lab

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
)

// minSide is the smallest photo the counter API takes (node/form).
const minSide = 100

// Photo is a PNG of about size bytes, at least 100×100: rows of noise,
// which does not compress, then a flat band, which all but vanishes. It
// stands for a counter's compressed scan of a KK or KTP-el, whose bytes do
// not compress further either.
func Photo(rng *rand.Rand, size int) []byte {
	side := max(minSide, int(math.Sqrt(float64(size)/3)))
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	noisy := min(side, size/(3*side)+1)
	for y := range side {
		for x := range side {
			c := color.NRGBA{0xf0, 0xf0, 0xe8, 0xff}
			if y < noisy {
				v := rng.Uint32()
				c = color.NRGBA{byte(v), byte(v >> 8), byte(v >> 16), 0xff}
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img) // a bytes.Buffer does not fail
	return b.Bytes()
}
