package document

import (
	"testing"
	"time"
)

func TestToCP1252(t *testing.T) {
	cases := map[string]string{
		"Siti Nur'aini":      "Siti Nur'aini",
		"Ánh Ñoño é ü":       "\xc1nh \xd1o\xf1o \xe9 \xfc",
		"Nguyễn Thị":         "Nguyen Thi",
		"Şükrü Đorđe ı":      "S\xfckr\xfc Dorde i",
		"阮 😀":                "? ?",
		"a\x00b\tc\nd\x7f":   "a b c d ",
		"rusak \xff\xfe":     "rusak ??",
		"— … € ‘x’ “y”":      "\x97 \x85 \x80 \x91x\x92 \x93y\x94",
		"zero\u200bwidth":    "zerowidth",
		"minus \u2212 range": "minus - range",
	}
	for in, want := range cases {
		if got := toCP1252(in); got != want {
			t.Errorf("toCP1252(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMaskID(t *testing.T) {
	cases := map[string]string{
		"3299014907880002":   "************0002",
		" 3299014907880002 ": "************0002",
		"":                   "",
		"123":                "***",
		"1234":               "****",
		"12345":              "*2345",
	}
	for in, want := range cases {
		if got := maskID(in); got != want {
			t.Errorf("maskID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIndonesianFormats(t *testing.T) {
	d := map[time.Duration]string{
		0: "-", 5 * time.Minute: "5 menit", 24 * time.Hour: "1 hari",
		26*time.Hour + 15*time.Minute: "1 hari 2 jam 15 menit", 30 * time.Second: "< 1 menit",
	}
	for in, want := range d {
		if got := Durasi(in); got != want {
			t.Errorf("Durasi(%v) = %q, want %q", in, got, want)
		}
	}
	at := time.Date(2026, 11, 24, 9, 5, 0, 0, time.FixedZone("", 8*3600))
	if got := hariTanggal(at); got != "Selasa, 24 November 2026" {
		t.Errorf("hariTanggal = %q", got)
	}
	if got := waktu(at); got != "24 November 2026 09.05 WITA" {
		t.Errorf("waktu = %q", got)
	}
	if got := dmy("2015-10-21"); got != "21-10-2015" {
		t.Errorf("dmy = %q", got)
	}
}
