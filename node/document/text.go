package document

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"

	"github.com/sinkron-id/sinkron/node/zone"
)

// toCP1252 turns arbitrary input into the single-byte cp1252 text that
// fpdf's core fonts (Helvetica, Courier) can show. Runes of cp1252 are kept;
// other letters lose their diacritics when that leaves ASCII ("ă" → "a",
// "ş" → "s"); a few letters without a decomposition are spelled out;
// control characters become spaces and anything else becomes '?'. Invalid
// UTF-8 never reaches the PDF.
func toCP1252(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		for _, c := range cp1252Rune(r) {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// cp1252Rune maps one rune to zero or more cp1252 bytes.
func cp1252Rune(r rune) []byte {
	switch {
	case r == utf8.RuneError:
		return []byte{'?'}
	case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
		return []byte{' '}
	case r < 0x80:
		return []byte{byte(r)}
	}
	if c, ok := charmap.Windows1252.EncodeRune(r); ok {
		return []byte{c}
	}
	if s, ok := spelled[r]; ok {
		return []byte(s)
	}
	var out []byte
	for _, d := range norm.NFD.String(string(r)) {
		if d < 0x80 && !unicode.IsControl(d) {
			out = append(out, byte(d))
		}
	}
	if len(out) == 0 {
		return []byte{'?'}
	}
	return out
}

// spelled holds letters and marks that have no NFD decomposition to ASCII.
var spelled = map[rune]string{
	'ı': "i", 'ł': "l", 'Ł': "L", 'đ': "d", 'Đ': "D", 'ħ': "h", 'ŋ': "ng",
	'ə': "e", 'Ə': "E",
	'\u2010': "-", '\u2011': "-", '\u2012': "-", '\u2015': "-", '\u2212': "-",
	'\u2002': " ", '\u2003': " ", '\u2009': " ", '\u202f': " ", '\u200b': "",
}

// maskID hides all but the last four digits of a NIK or KK number, as seed
// 002 requires of population data shown to anyone but the officer: an
// empty input stays empty, four characters or fewer are hidden whole.
func maskID(s string) string {
	s = strings.TrimSpace(s)
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-4) + string(r[len(r)-4:])
}

var hari = [...]string{"Minggu", "Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu"}

// tanggal formats a date the Indonesian way: "24 November 2026".
func tanggal(t time.Time) string { return zone.Date(t) }

// hariTanggal adds the weekday: "Selasa, 24 November 2026".
func hariTanggal(t time.Time) string {
	return hari[t.Weekday()] + ", " + tanggal(t)
}

// waktu formats a date and time in t's zone, as every time an officer
// reads is (package zone): "24 November 2026 09.15 WIB".
func waktu(t time.Time) string { return zone.Long(t, t.Location()) }

// Durasi formats a time standard in Indonesian: "5 menit", "1 hari 2 jam".
// A zero or negative duration is "-".
func Durasi(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	units := []struct {
		size time.Duration
		name string
	}{{24 * time.Hour, "hari"}, {time.Hour, "jam"}, {time.Minute, "menit"}}
	var parts []string
	for _, u := range units {
		if n := d / u.size; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, u.name))
			d -= n * u.size
		}
	}
	if len(parts) == 0 {
		return "< 1 menit"
	}
	return strings.Join(parts, " ")
}

// isoDate parses a "YYYY-MM-DD" date as used in KKData.
func isoDate(s string) (time.Time, error) {
	return time.Parse("2006-01-02", s)
}

// dmy turns "YYYY-MM-DD" into the "DD-MM-YYYY" printed on a KK; anything
// unparseable is printed as given.
func dmy(s string) string {
	t, err := isoDate(s)
	if err != nil {
		return s
	}
	return t.Format("02-01-2006")
}
