package form

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// provinces is an independent copy of the province code rule.
var provinces = map[string]bool{}

func init() {
	for _, r := range [][2]int{{11, 19}, {21, 21}, {31, 36}, {51, 53}, {61, 65}, {71, 76}, {81, 82}, {91, 96}} {
		for p := r[0]; p <= r[1]; p++ {
			provinces[strconv.Itoa(p)] = true
		}
	}
}

var nikRE = regexp.MustCompile(`^[0-9]{16}$`)

// requireFieldErr fails unless err is a *FieldError for field.
func requireFieldErr(t *testing.T, err error, field string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Field != field || fe.Message == "" {
		t.Fatalf("error %#v is not a *FieldError for %q", err, field)
	}
}

func FuzzParseNIK(f *testing.F) {
	for _, s := range []string{
		"3201011708900001", "3201015708900123", "3273012902000002",
		"3201012902010001", "3201011603260001", "9601011212120001",
		"3201011708900000", "0000000000000000", " 3201011708900001 ", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNIK(s, testNow)
		if err != nil {
			requireFieldErr(t, err, "nik")
			return
		}
		d := strings.TrimSpace(s)
		if !nikRE.MatchString(d) {
			t.Fatalf("accepted %q, not 16 digits", s)
		}
		if !provinces[d[:2]] || d[2:4] == "00" || d[4:6] == "00" || n.Region != d[:6] {
			t.Fatalf("accepted %q with region %q", s, n.Region)
		}
		if n.Birth.After(testNow) || n.Birth.Year() > testNow.Year() || n.Birth.Year() < 1900 {
			t.Fatalf("accepted %q with birth %v", s, n.Birth)
		}
		dd := n.Birth.Day()
		if n.Female {
			dd += 40
		}
		enc := fmt.Sprintf("%02d%02d%02d", dd, int(n.Birth.Month()), n.Birth.Year()%100)
		if enc != d[6:12] {
			t.Fatalf("accepted %q: birth %v female=%v re-encodes as %s", s, n.Birth, n.Female, enc)
		}
		if n.Serial < 1 || n.Serial > 9999 || fmt.Sprintf("%04d", n.Serial) != d[12:] {
			t.Fatalf("accepted %q with serial %d", s, n.Serial)
		}
	})
}

var phoneRE = regexp.MustCompile(`^08[0-9]{8,11}$`)

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{
		"081234567890", "+62 812-3456-7890", "6281234567890", "0812345678",
		"08123456789012", "+62215551234", "+62", "62", "", "０８１２３４５６７８９０",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizePhone(s)
		if err != nil {
			requireFieldErr(t, err, "whatsapp")
			return
		}
		if !phoneRE.MatchString(got) {
			t.Fatalf("NormalizePhone(%q) = %q, does not match %s", s, got, phoneRE)
		}
		if again, err := NormalizePhone(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", s, got, again, err)
		}
	})
}

func FuzzCheckImage(f *testing.F) {
	pngOK := encodePNG(f, 120, 120)
	jpegOK := encodeJPEG(f, 120, 120)
	photoPNG := encodePhotoPNG(f, 120, 120)
	for _, b := range [][]byte{
		pngOK, jpegOK, encodePNG(f, 50, 50), encodeGIF(f, 100, 100),
		pngOK[:20], jpegOK[:40], pngMagic, {0xFF, 0xD8, 0xFF}, nil,
		photoPNG[:100], jpegOK[:len(jpegOK)/2],
	} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := CheckImage("foto", b)
		if err != nil {
			requireFieldErr(t, err, "foto")
			return
		}
		if len(b) < 1 || len(b) > MaxImageBytes {
			t.Fatalf("accepted %d bytes", len(b))
		}
		cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("accepted %q but image.DecodeConfig fails: %v", ct, err)
		}
		if "image/"+format != ct {
			t.Fatalf("content type %q but format %q", ct, format)
		}
		if cfg.Width < 100 || cfg.Height < 100 || cfg.Width > 10000 || cfg.Height > 10000 {
			t.Fatalf("accepted %dx%d", cfg.Width, cfg.Height)
		}
		if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
			t.Fatalf("accepted %q but its pixels do not decode: %v", ct, err)
		}
	})
}
