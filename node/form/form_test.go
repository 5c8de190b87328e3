package form

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var wib = time.FixedZone("WIB", 7*60*60)

// testNow is a fixed "today" (15 March 2026, 10:00 WIB) so date cases
// stay deterministic.
var testNow = time.Date(2026, time.March, 15, 10, 0, 0, 0, wib)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, wib)
}

// checkFieldErr fails unless err is a *FieldError for field whose
// message contains msg.
func checkFieldErr(t *testing.T, err error, field, msg string) {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FieldError", err, err)
	}
	if fe.Field != field {
		t.Errorf("Field = %q, want %q", fe.Field, field)
	}
	if !strings.Contains(fe.Message, msg) {
		t.Errorf("Message = %q, want it to contain %q", fe.Message, msg)
	}
}

func TestParseNIKValid(t *testing.T) {
	tests := []struct {
		name, in string
		want     NIK
	}{
		{"male", "3201011708900001", NIK{"320101", day(1990, 8, 17), false, 1}},
		{"female day+40", "3201015708900123", NIK{"320101", day(1990, 8, 17), true, 123}},
		{"female day 31", "3174037101859999", NIK{"317403", day(1985, 1, 31), true, 9999}},
		{"female day 1", "3174034101850001", NIK{"317403", day(1985, 1, 1), true, 1}},
		{"leap day 2000", "3273012902000002", NIK{"327301", day(2000, 2, 29), false, 2}},
		{"leap day 1996 female", "6471056902960003", NIK{"647105", day(1996, 2, 29), true, 3}},
		{"leap day 2024", "3201012902240001", NIK{"320101", day(2024, 2, 29), false, 1}},
		{"born today", "3578011503260001", NIK{"357801", day(2026, 3, 15), false, 1}},
		{"YY after this year is 19YY", "1101010101270001", NIK{"110101", day(1927, 1, 1), false, 1}},
		{"YY 99 is 1999", "1101013112990001", NIK{"110101", day(1999, 12, 31), false, 1}},
		{"Papua Barat Daya 96", "9601011212120001", NIK{"960101", day(2012, 12, 12), false, 1}},
		{"Papua Selatan 93", "9301011212120001", NIK{"930101", day(2012, 12, 12), false, 1}},
		{"Kepulauan Riau 21", "2171011212120001", NIK{"217101", day(2012, 12, 12), false, 1}},
		{"surrounding whitespace", " 3201011708900001\n", NIK{"320101", day(1990, 8, 17), false, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNIK(tc.in, testNow)
			if err != nil {
				t.Fatalf("ParseNIK(%q) error: %v", tc.in, err)
			}
			if got.Region != tc.want.Region || !got.Birth.Equal(tc.want.Birth) ||
				got.Female != tc.want.Female || got.Serial != tc.want.Serial {
				t.Errorf("ParseNIK(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseNIKInvalid(t *testing.T) {
	const (
		format = "NIK harus 16 digit angka"
		region = "kode wilayah NIK tidak dikenal"
		date   = "tanggal lahir pada NIK tidak valid"
		future = "tanggal lahir pada NIK tidak boleh di masa depan"
		serial = "nomor urut NIK tidak boleh 0000"
	)
	tests := []struct{ name, in, msg string }{
		{"empty", "", format},
		{"15 digits", "320101170890001", format},
		{"17 digits", "32010117089000011", format},
		{"letter O", "32010117089O0001", format},
		{"inner space", "3201 01170890001", format},
		{"dashes", "3201-0117-0890-01", format},
		{"full-width digit", "３201011708900001", format},
		{"sign", "+320101170890001", format},
		{"province 00", "0001011708900001", region},
		{"province 10", "1001011708900001", region},
		{"province 20", "2001011708900001", region},
		{"province 37", "3701011708900001", region},
		{"province 97", "9701011708900001", region},
		{"regency 00", "3200011708900001", region},
		{"kecamatan 00", "3201001708900001", region},
		{"day 00", "3201010008900001", date},
		{"day 32", "3201013208900001", date},
		{"day 40", "3201014008900001", date},
		{"female day 72", "3201017208900001", date},
		{"day 99", "3201019908900001", date},
		{"month 00", "3201011700900001", date},
		{"month 13", "3201011713900001", date},
		{"31 April", "3201013104900001", date},
		{"female 31 April", "3201017104900001", date},
		{"29 Feb common year", "3201012902010001", date},
		{"female 29 Feb 1999", "3201016902990001", date},
		{"29 Feb 2026", "3201012902260001", date},
		{"30 Feb leap year", "3201013002960001", date},
		{"tomorrow", "3201011603260001", future},
		{"later this year, female", "3201015612260001", future},
		{"serial 0000", "3201011708900000", serial},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNIK(tc.in, testNow)
			if err == nil {
				t.Fatalf("ParseNIK(%q) = %+v, want error", tc.in, got)
			}
			checkFieldErr(t, err, "nik", tc.msg)
			if got != (NIK{}) {
				t.Errorf("ParseNIK(%q) returned non-zero NIK %+v with error", tc.in, got)
			}
		})
	}
}

func TestParseNIKTimeZone(t *testing.T) {
	// 23:30 UTC on 14 March is already 15 March across Indonesia: a date
	// is judged by Indonesia's calendar, whatever zone the server's clock
	// reads.
	now := time.Date(2026, time.March, 14, 23, 30, 0, 0, time.UTC)
	for _, clock := range []time.Time{now, now.In(wib)} {
		if _, err := ParseNIK("3201011503260001", clock); err != nil {
			t.Errorf("born today in Indonesia, clock in %s: %v", clock.Location(), err)
		}
		if _, err := ParseNIK("3201011603260001", clock); err == nil {
			t.Errorf("born tomorrow in Indonesia, clock in %s: want error", clock.Location())
		}
	}
}

func TestFuture(t *testing.T) {
	tests := []struct {
		name string
		date time.Time
		now  time.Time
		want bool
	}{
		{"today in WIB", day(2026, 3, 15), time.Date(2026, 3, 15, 10, 0, 0, 0, wib), false},
		{"yesterday", day(2026, 3, 14), time.Date(2026, 3, 15, 10, 0, 0, 0, wib), false},
		{"tomorrow", day(2026, 3, 16), time.Date(2026, 3, 15, 10, 0, 0, 0, wib), true},
		// 18:20 UTC on 2 December is 01:20 WIB on 3 December: the dinas
		// numbers a family card with the 3rd.
		{"after midnight WIB, clock in UTC", day(2026, 12, 3), time.Date(2026, 12, 2, 18, 20, 0, 0, time.UTC), false},
		// 15:30 UTC is 00:30 WIT in Jayapura: already the next day there.
		{"after midnight WIT", day(2026, 12, 3), time.Date(2026, 12, 2, 15, 30, 0, 0, time.UTC), false},
		{"before midnight WIT", day(2026, 12, 3), time.Date(2026, 12, 2, 14, 30, 0, 0, time.UTC), true},
		{"date in UTC, clock in WIB", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 15, 0, 5, 0, 0, wib), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Future(tc.date, tc.now); got != tc.want {
				t.Errorf("Future(%s, %s) = %v, want %v", tc.date.Format(time.DateOnly), tc.now, got, tc.want)
			}
		})
	}
}

func TestValidKK(t *testing.T) {
	tests := []struct{ name, in, msg string }{
		{"valid", "3201011708900001", ""},
		{"valid recent issue", "3201011503260042", ""},
		{"valid leap day", "3201012902200001", ""},
		{"valid whitespace", "\t3201011708900001 ", ""},
		{"short", "320101170890001", "nomor KK harus 16 digit angka"},
		{"letters", "KK01011708900001", "nomor KK harus 16 digit angka"},
		{"province 99", "9901011708900001", "kode wilayah nomor KK tidak dikenal"},
		{"regency 00", "3200011708900001", "kode wilayah nomor KK tidak dikenal"},
		{"no +40 for KK", "3201015708900001", "tanggal terbit pada nomor KK tidak valid"},
		{"29 Feb common year", "3201012902230001", "tanggal terbit pada nomor KK tidak valid"},
		{"month 13", "3201010113900001", "tanggal terbit pada nomor KK tidak valid"},
		{"future", "3201011603260001", "tanggal terbit pada nomor KK tidak boleh di masa depan"},
		{"serial 0000", "3201011708900000", "nomor urut KK tidak boleh 0000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidKK(tc.in, testNow)
			if tc.msg == "" {
				if err != nil {
					t.Fatalf("ValidKK(%q) = %v, want nil", tc.in, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("ValidKK(%q) = nil, want error", tc.in)
			}
			checkFieldErr(t, err, "kk", tc.msg)
		})
	}
}

func TestErrors(t *testing.T) {
	fe := &FieldError{Field: "nik", Message: "NIK harus 16 digit angka"}
	if got, want := fe.Error(), "nik: NIK harus 16 digit angka"; got != want {
		t.Errorf("FieldError.Error() = %q, want %q", got, want)
	}
	var none Errors
	if err := none.Err(); err != nil {
		t.Errorf("nil Errors.Err() = %v, want nil", err)
	}
	if err := (Errors{}).Err(); err != nil {
		t.Errorf("empty Errors.Err() = %v, want nil", err)
	}
	es := Errors{fe, {Field: "whatsapp", Message: "nomor WA wajib diisi"}}
	err := es.Err()
	if err == nil {
		t.Fatal("Errors.Err() = nil, want error")
	}
	want := "nik: NIK harus 16 digit angka; whatsapp: nomor WA wajib diisi"
	if err.Error() != want {
		t.Errorf("Errors.Error() = %q, want %q", err.Error(), want)
	}
	var got Errors
	if !errors.As(err, &got) || len(got) != 2 {
		t.Errorf("errors.As(Errors) = %v, %d entries", got, len(got))
	}
}
