package document

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// TestWriteSamples writes one sample of each document into the directory
// named by SINKRON_DOC_SAMPLES, for a look with a PDF viewer. When
// pdftoppm is installed it also rasterises the KK and the request copy and
// scans their QR codes back from the page images. Without the variable the
// test is skipped; nothing else depends on pdftoppm.
func TestWriteSamples(t *testing.T) {
	dir := os.Getenv("SINKRON_DOC_SAMPLES")
	if dir == "" {
		t.Skip("set SINKRON_DOC_SAMPLES to a directory to write sample PDFs")
	}
	priv, id := testKey(t, "dinas-cluster")
	big := bigKK()
	bigSeal, err := SignKK(big, priv)
	if err != nil {
		t.Fatal(err)
	}
	data, seal, _ := signedKK(t)
	docs := map[string]func() ([]byte, error){
		"salinan-permohonan": func() ([]byte, error) { return RequestCopy(sampleRequest()) },
		"buku-harian":        func() ([]byte, error) { return Logbook(sampleLog(120)) },
		"kartu-keluarga":     func() ([]byte, error) { return KK(KKDocument{Data: data, Seal: seal}) },
		"kartu-keluarga-40":  func() ([]byte, error) { return KK(KKDocument{Data: big, Seal: bigSeal}) },
	}
	for name, render := range docs {
		b, err := render()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".pdf"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Log("pdftoppm not installed: QR codes not scanned from the pages")
		return
	}
	if got := scanPage(t, dir, "salinan-permohonan", 1); got != sampleRequest().Tracking {
		t.Errorf("request copy's QR scans as %q", got)
	}
	if _, err := VerifyKKQR(scanPage(t, dir, "kartu-keluarga", 1), id); err != nil {
		t.Errorf("KK's QR scanned from the page: %v", err)
	}
	if _, err := VerifyKKQR(scanPage(t, dir, "kartu-keluarga-40", 4), id); err != nil {
		t.Errorf("40-member KK's QR scanned from the page: %v", err)
	}
}

// scanPage rasterises page n of dir/name.pdf at 200 dpi and reads the QR
// code in its right-hand part.
func scanPage(t *testing.T, dir, name string, n int) string {
	t.Helper()
	base := filepath.Join(dir, name)
	page := strconv.Itoa(n)
	out, err := exec.Command("pdftoppm", "-r", "200", "-png", "-f", page, "-l", page, "-singlefile",
		base+".pdf", base).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	f, err := os.Open(base + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	right := img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(b.Dx()*2/5, 0, b.Dx(), b.Dy()))
	return decodeQR(t, right)
}
