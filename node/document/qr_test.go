package document

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
)

// decodeQR reads a QR code from an image with the ZXing port.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, hints)
	if err != nil {
		t.Fatalf("decoding QR: %v", err)
	}
	return res.GetText()
}

// paintRuns draws the runs the PDF draws into an image, scale px a module.
func paintRuns(bits [][]bool, scale int) image.Image {
	n := len(bits) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, r := range qrRuns(bits) {
		for y := r.y * scale; y < (r.y+1)*scale; y++ {
			for x := r.x * scale; x < (r.x+r.w)*scale; x++ {
				img.SetGray(x, y, color.Gray{})
			}
		}
	}
	return img
}

func TestQRPNGDecodes(t *testing.T) {
	for _, text := range []string{"20261124-AB12CD", "01JD3S7Q2M8ZK4XW", "Cek status: 0812-3456-7890"} {
		b, err := QRPNG(text, 4)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQR(t, img); got != text {
			t.Errorf("QR PNG decodes to %q, want %q", got, text)
		}
	}
	if _, err := QRPNG("x", 0); err == nil {
		t.Error("QRPNG accepted scale 0")
	}
}

// TestQRRunsDecode checks the run-merging drawing path the PDFs use.
func TestQRRunsDecode(t *testing.T) {
	bits, err := qrModules("20261124-AB12CD")
	if err != nil {
		t.Fatal(err)
	}
	if got := decodeQR(t, paintRuns(bits, 4)); got != "20261124-AB12CD" {
		t.Errorf("drawn QR decodes to %q", got)
	}
}

// TestKKQRScans goes from a sealed KK through the drawn QR code and a
// scanner back to a verified summary.
func TestKKQRScans(t *testing.T) {
	data, seal, id := signedKK(t)
	text, err := KKQRText(data, seal)
	if err != nil {
		t.Fatal(err)
	}
	bits, err := qrModules(text)
	if err != nil {
		t.Fatal(err)
	}
	if side := len(bits) - 8; side > 77 {
		t.Errorf("KK QR is %d modules wide (version %d), want at most 77 (version 15)", side, (side-17)/4)
	}
	scanned := decodeQR(t, paintRuns(bits, 4))
	if scanned != text {
		t.Fatalf("scanned %q, want %q", scanned, text)
	}
	s, err := VerifyKKQR(scanned, id)
	if err != nil {
		t.Fatal(err)
	}
	if s.Number != data.Number || s.HeadName != data.HeadName || len(s.MemberNIKs) != 4 {
		t.Errorf("summary %+v does not match the KK", s)
	}
}
