package zone

import (
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	tests := []struct {
		region, want string
	}{
		{"180601", "WIB"},                                          // Lampung
		{"1806", "WIB"},                                            // a dinas: the regency's code
		{"3171", "WIB"},                                            // DKI Jakarta
		{"510101", "WITA"}, {"520101", "WITA"}, {"530101", "WITA"}, // Bali, NTB, NTT
		{"610101", "WIB"}, {"620101", "WIB"}, // West and Central Kalimantan
		{"630101", "WITA"}, {"640101", "WITA"}, {"650101", "WITA"},
		{"710101", "WITA"}, {"760101", "WITA"}, // Sulawesi
		{"770101", "WIB"},
		{"810101", "WIT"}, {"820101", "WIT"}, // Maluku
		{"910101", "WIT"}, {"960101", "WIT"}, // Papua
		{"970101", "WIB"},
		{"", "WIB"}, {"5", "WIB"},
	}
	at := time.Date(2026, 12, 7, 7, 5, 0, 0, time.UTC)
	for _, tc := range tests {
		if got := Name(at.In(Of(tc.region))); got != tc.want {
			t.Errorf("Of(%q) is %s, want %s", tc.region, got, tc.want)
		}
	}
}

func TestFormats(t *testing.T) {
	at := time.Date(2026, 12, 7, 7, 5, 9, 0, time.UTC)
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"clock WIB", Clock(at, WIB()), "14.05 WIB"},
		{"clock WITA", Clock(at, WITA()), "15.05 WITA"},
		{"clock WIT", Clock(at, WIT()), "16.05 WIT"},
		{"date and time", DateTime(at, Of("180601")), "2026-12-07 14.05.09 WIB"},
		{"date", Date(at), "7 Desember 2026"},
		{"long, the next day in WIT", Long(at.Add(16*time.Hour), WIT()), "8 Desember 2026 08.05 WIT"},
		{"other zone", Clock(at, time.FixedZone("", 5*3600+1800)), "12.35 +05:30"},
		{"UTC", Clock(at, time.UTC), "07.05 +00:00"},
		{"pdf WIB", PDFDate(at.In(WIB())), "D:20261207140509+07'00'"},
		{"pdf WIT", PDFDate(at.In(WIT())), "D:20261207160509+09'00'"},
		{"pdf west of UTC", PDFDate(at.In(time.FixedZone("", -(3*3600 + 1800)))), "D:20261207033509-03'30'"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
