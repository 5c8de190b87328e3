package regency

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
)

// Photo returns a small valid PNG, distinct per seed: the demo's sample
// photos of a family card and a KTP-el, which the tour uploads.
func Photo(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + seed)
	}
	img.Set(0, 0, color.RGBA{byte(seed), byte(seed >> 8), 1, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
