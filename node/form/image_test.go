package form

import (
	"bytes"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"
)

// testImage returns a w×h image with a simple gradient.
func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	return img
}

func encodePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// encodePhotoPNG is a w×h PNG whose pixels do not compress to nothing,
// so its first bytes hold the header and only part of the pixels.
func encodePhotoPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encodeGIF(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gif.Encode(&buf, testImage(w, h), nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCheckImage(t *testing.T) {
	const (
		badType = "berkas harus berupa foto JPEG atau PNG"
		tooBig  = "ukuran berkas melebihi 2 MB"
		tooFew  = "resolusi foto minimal 100×100 piksel"
		tooMany = "resolusi foto maksimal 10000×10000 piksel"
		// cutShort is a file whose header is whole but whose pixels are
		// not: an upload cut off, or a file damaged on the phone.
		cutShort = "foto rusak atau terpotong; ambil atau unggah ulang fotonya"
	)
	pngOK := encodePNG(t, 120, 120)
	jpegOK := encodeJPEG(t, 120, 120)
	photoPNG := encodePhotoPNG(t, 120, 120)
	padded := append(bytes.Clone(pngOK), make([]byte, MaxImageBytes-len(pngOK))...)
	tests := []struct {
		name   string
		in     []byte
		wantCT string
		msg    string
	}{
		{"png 120x120", pngOK, "image/png", ""},
		{"jpeg 120x120", jpegOK, "image/jpeg", ""},
		{"png exactly 100x100", encodePNG(t, 100, 100), "image/png", ""},
		{"jpeg wide 4000x100", encodeJPEG(t, 4000, 100), "image/jpeg", ""},
		{"png 10000x100", encodePNG(t, 10000, 100), "image/png", ""},
		{"exactly MaxImageBytes", padded, "image/png", ""},
		{"nil", nil, "", "berkas kosong"},
		{"empty", []byte{}, "", "berkas kosong"},
		{"one byte over limit", append(bytes.Clone(padded), 0), "", tooBig},
		{"oversized zeros", make([]byte, 3<<20), "", tooBig},
		{"gif", encodeGIF(t, 120, 120), "", badType},
		{"text", []byte("bukan gambar sama sekali"), "", badType},
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ\n"), "", badType},
		{"png signature only", pngOK[:8], "", badType},
		{"truncated png header", pngOK[:20], "", badType},
		{"jpeg magic only", jpegOK[:3], "", badType},
		{"truncated jpeg", jpegOK[:40], "", badType},
		{"png photo", photoPNG, "image/png", ""},
		{"png of its first 100 bytes", photoPNG[:100], "", cutShort},
		{"png without its end", photoPNG[:len(photoPNG)-12], "", cutShort},
		{"jpeg cut in its pixels", jpegOK[:len(jpegOK)/2], "", cutShort},
		{"jpeg without its end marker", jpegOK[:len(jpegOK)-2], "", cutShort},
		{"png with a pixel byte flipped", flip(photoPNG, len(photoPNG)/2), "", cutShort},
		{"png magic with jpeg body", append(bytes.Clone(pngMagic), jpegOK...), "", badType},
		{"jpeg magic with png body", append([]byte{0xFF, 0xD8, 0xFF}, pngOK...), "", badType},
		{"png 50x50", encodePNG(t, 50, 50), "", tooFew},
		{"jpeg 99x120", encodeJPEG(t, 99, 120), "", tooFew},
		{"png 120x99", encodePNG(t, 120, 99), "", tooFew},
		{"png 10001x100", encodePNG(t, 10001, 100), "", tooMany},
		{"png 100x10001", encodePNG(t, 100, 10001), "", tooMany},
		{"png 5000x5000, flat", encodePNG(t, 5000, 5000), "", "resolusi foto maksimal 24 megapiksel"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := CheckImage("foto_ktp", tc.in)
			if tc.msg != "" {
				if err == nil {
					t.Fatalf("CheckImage = %q, want error", ct)
				}
				checkFieldErr(t, err, "foto_ktp", tc.msg)
				return
			}
			if err != nil || ct != tc.wantCT {
				t.Fatalf("CheckImage = %q, %v; want %q", ct, err, tc.wantCT)
			}
		})
	}
}

// flip is b with the byte at i inverted.
func flip(b []byte, i int) []byte {
	out := bytes.Clone(b)
	out[i] ^= 0xFF
	return out
}
