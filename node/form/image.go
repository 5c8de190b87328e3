package form

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
)

// MaxImageBytes is the largest accepted upload (2 MiB).
const MaxImageBytes = 2 << 20

const (
	minImageSide = 100
	maxImageSide = 10000
	// maxImagePixels bounds what one check decodes: a PNG of flat colour
	// declares 10000×10000 in a few kilobytes, and decoding it would take
	// hundreds of megabytes. 24 megapixels (6000×4000) is more than any
	// photo of a document that fits in MaxImageBytes.
	maxImagePixels = 24_000_000

	msgImageEmpty  = "berkas kosong"
	msgImageType   = "berkas harus berupa foto JPEG atau PNG"
	msgImageTooBig = "ukuran berkas melebihi 2 MB"
	msgImageBroken = "foto rusak atau terpotong; ambil atau unggah ulang fotonya"
)

var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}

	errNotImage = errors.New("not a JPEG or PNG")
)

// CheckImage checks an uploaded photo by content: it must start with the
// JPEG or PNG signature and that format's header must decode, its size
// must be 1..MaxImageBytes, its dimensions 100x100..10000x10000 and at
// most 24 megapixels, and then the whole image must decode: a file cut
// short after its header (an upload broken off) has no pixels to show an
// officer. It returns "image/jpeg" or "image/png".
func CheckImage(field string, b []byte) (contentType string, err error) {
	if len(b) == 0 {
		return "", fieldErr(field, msgImageEmpty)
	}
	if len(b) > MaxImageBytes {
		return "", fieldErr(field, msgImageTooBig)
	}
	ct, cfg, err := decodeConfig(b)
	if err != nil {
		return "", fieldErr(field, msgImageType)
	}
	if cfg.Width < minImageSide || cfg.Height < minImageSide {
		return "", fieldErr(field, fmt.Sprintf("resolusi foto minimal %d×%d piksel", minImageSide, minImageSide))
	}
	if cfg.Width > maxImageSide || cfg.Height > maxImageSide {
		return "", fieldErr(field, fmt.Sprintf("resolusi foto maksimal %d×%d piksel", maxImageSide, maxImageSide))
	}
	if cfg.Width*cfg.Height > maxImagePixels {
		return "", fieldErr(field, fmt.Sprintf("resolusi foto maksimal %d megapiksel", maxImagePixels/1_000_000))
	}
	// Checked after the header, so the decoder's allocation is bounded.
	if err := decode(ct, b); err != nil {
		return "", fieldErr(field, msgImageBroken)
	}
	return ct, nil
}

// decode decodes the whole image of the type decodeConfig found.
func decode(ct string, b []byte) error {
	var err error
	if ct == "image/png" {
		_, err = png.Decode(bytes.NewReader(b))
	} else {
		_, err = jpeg.Decode(bytes.NewReader(b))
	}
	return err
}

// decodeConfig picks the decoder from the magic bytes, so a file is
// only accepted if its signature and its header agree.
func decodeConfig(b []byte) (string, image.Config, error) {
	r := bytes.NewReader(b)
	switch {
	case bytes.HasPrefix(b, pngMagic):
		cfg, err := png.DecodeConfig(r)
		return "image/png", cfg, err
	case bytes.HasPrefix(b, jpegMagic):
		cfg, err := jpeg.DecodeConfig(r)
		return "image/jpeg", cfg, err
	}
	return "", image.Config{}, errNotImage
}
