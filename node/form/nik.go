package form

import (
	"strings"
	"time"
)

// NIK is a parsed Nomor Induk Kependudukan.
type NIK struct {
	Region string    // 6-digit region code: province, regency, kecamatan
	Birth  time.Time // birth date at midnight in the location of now
	Female bool      // day of birth was encoded as DD+40
	Serial int       // 1..9999
}

// idMessages holds the field name and messages for a 16-digit number.
type idMessages struct {
	field, format, region, date, future, serial string
}

var nikMessages = idMessages{
	field:  "nik",
	format: "NIK harus 16 digit angka",
	region: "kode wilayah NIK tidak dikenal",
	date:   "tanggal lahir pada NIK tidak valid",
	future: "tanggal lahir pada NIK tidak boleh di masa depan",
	serial: "nomor urut NIK tidak boleh 0000",
}

var kkMessages = idMessages{
	field:  "kk",
	format: "nomor KK harus 16 digit angka",
	region: "kode wilayah nomor KK tidak dikenal",
	date:   "tanggal terbit pada nomor KK tidak valid",
	future: "tanggal terbit pada nomor KK tidak boleh di masa depan",
	serial: "nomor urut KK tidak boleh 0000",
}

// ParseNIK checks a 16-digit NIK: region code, DDMMYY birth date (DD+40
// for women) not after today in Indonesia (see Future), and a non-zero 4-digit serial. Surrounding
// whitespace is ignored. Errors are *FieldError with Field "nik".
func ParseNIK(s string, now time.Time) (NIK, error) {
	return parseID(s, now, nikMessages, true)
}

// ValidKK checks a 16-digit Nomor Kartu Keluarga: region code, DDMMYY
// issue date (no +40) not after today in Indonesia, and a non-zero 4-digit serial.
// Errors are *FieldError with Field "kk".
func ValidKK(s string, now time.Time) error {
	_, err := parseID(s, now, kkMessages, false)
	return err
}

// parseID implements the shared NIK/KK layout. With female set, a day
// above 40 marks a woman and is reduced by 40.
func parseID(s string, now time.Time, msg idMessages, female bool) (NIK, error) {
	s = strings.TrimSpace(s)
	if len(s) != 16 || !allDigits(s) {
		return NIK{}, fieldErr(msg.field, msg.format)
	}
	if !validRegion(s[:6]) {
		return NIK{}, fieldErr(msg.field, msg.region)
	}
	day := atoi(s[6:8])
	isFemale := female && day > 40
	if isFemale {
		day -= 40
	}
	date, ok := parseDate(day, atoi(s[8:10]), atoi(s[10:12]), now)
	if !ok {
		return NIK{}, fieldErr(msg.field, msg.date)
	}
	if Future(date, now) {
		return NIK{}, fieldErr(msg.field, msg.future)
	}
	serial := atoi(s[12:])
	if serial == 0 {
		return NIK{}, fieldErr(msg.field, msg.serial)
	}
	return NIK{Region: s[:6], Birth: date, Female: isFemale, Serial: serial}, nil
}

// parseDate builds the calendar date DD-MM-YY at midnight in now's
// location. YY means 20YY unless that year is after this year in
// Indonesia, then 19YY. It reports false for dates that do not exist.
func parseDate(day, month, yy int, now time.Time) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	year := 2000 + yy
	if year > thisYear(now) {
		year -= 100
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, now.Location())
	if t.Day() != day || t.Month() != time.Month(month) {
		return time.Time{}, false // e.g. 31 April or 29 Feb in a common year
	}
	return t, true
}

// validRegion checks a 6-digit region code: known province, and
// regency and kecamatan codes other than 00.
func validRegion(code string) bool {
	return validProvince(atoi(code[0:2])) && atoi(code[2:4]) != 0 && atoi(code[4:6]) != 0
}

// validProvince reports whether p is an Indonesian province code,
// including the Papua provinces created in 2022 (93-96).
func validProvince(p int) bool {
	switch {
	case p >= 11 && p <= 19, p == 21, p >= 31 && p <= 36,
		p >= 51 && p <= 53, p >= 61 && p <= 65, p >= 71 && p <= 76,
		p == 81, p == 82, p >= 91 && p <= 96:
		return true
	}
	return false
}

// allDigits reports whether s is non-empty and only ASCII digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// atoi converts a short string of ASCII digits; callers check allDigits first.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
