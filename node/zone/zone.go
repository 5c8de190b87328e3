// Package zone gives an office's clock: the Indonesian time zone of its
// region (WIB, WITA or WIT) and the one way officers read a time in it,
// with the zone shown ("14.05 WIB"). The CLI, the printed documents and
// the logbook all use it, so a time reads the same wherever it is shown.
//
// The zones are fixed offsets (Indonesia keeps no daylight saving time),
// so nothing depends on the machine's tzdata, which a minimal server image
// may not have.
package zone

import (
	"strconv"
	"strings"
	"time"
)

// Offsets of Indonesia's three zones, east of UTC.
const (
	wibOffset  = 7 * 3600
	witaOffset = 8 * 3600
	witOffset  = 9 * 3600
)

// WIB is Waktu Indonesia Barat (UTC+7), the zone of an office whose region
// names none other.
func WIB() *time.Location { return time.FixedZone("WIB", wibOffset) }

// WITA is Waktu Indonesia Tengah (UTC+8).
func WITA() *time.Location { return time.FixedZone("WITA", witaOffset) }

// WIT is Waktu Indonesia Timur (UTC+9).
func WIT() *time.Location { return time.FixedZone("WIT", witOffset) }

// Of returns the zone of an office from its region code (Kemendagri's:
// province ‖ regency ‖ kecamatan, e.g. 180601 or 1806 for a dinas). The
// province, its first two digits, decides: Bali and Nusa Tenggara (51-53),
// East, South and North Kalimantan (63-65) and Sulawesi (71-76) keep WITA;
// Maluku (81, 82) and Papua (91-96) WIT; every other province, and a code
// too short to tell, WIB.
func Of(region string) *time.Location {
	if len(region) < 2 {
		return WIB()
	}
	switch p := region[:2]; {
	case p >= "51" && p <= "53", p >= "63" && p <= "65", p >= "71" && p <= "76":
		return WITA()
	case p == "81" || p == "82", p >= "91" && p <= "96":
		return WIT()
	}
	return WIB()
}

// Name is the zone of t as officers read it: WIB, WITA or WIT, or the
// offset ("+05:30") for a time in none of them.
func Name(t time.Time) string {
	name, off := t.Zone()
	switch off {
	case wibOffset:
		return "WIB"
	case witaOffset:
		return "WITA"
	case witOffset:
		return "WIT"
	}
	if name != "" && !strings.ContainsAny(name, "+-0123456789") && name != "UTC" {
		return name
	}
	return t.Format("-07:00")
}

// Clock is t's time of day in loc with the zone: "14.05 WIB" (Indonesian
// writes the hour and minute apart with a period).
func Clock(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return t.Format("15.04") + " " + Name(t)
}

// Date is t's date the Indonesian way, in t's location: "24 November 2026".
func Date(t time.Time) string {
	return strconv.Itoa(t.Day()) + " " + bulan[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni",
	"Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// Long is t's date and time in loc with the zone, as a page or a printed
// document shows it to be read: "24 November 2026 09.15 WIB".
func Long(t time.Time, loc *time.Location) string {
	return Date(t.In(loc)) + " " + Clock(t, loc)
}

// DateTime is t's date and time in loc with the zone:
// "2026-12-07 14.05.09 WIB", sortable in a table.
func DateTime(t time.Time, loc *time.Location) string {
	t = t.In(loc)
	return t.Format("2006-01-02 15.04.05") + " " + Name(t)
}

// PDFDate is t as a PDF date string with its offset,
// "D:20261207140509+07'00'": without the offset a reader takes the wall
// time for UTC, and a document printed at 14.05 WIB said 14.05 UTC.
func PDFDate(t time.Time) string {
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	return "D:" + t.Format("20060102150405") + string(sign) + twoDigits(off/3600) + "'" + twoDigits(off%3600/60) + "'"
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }
