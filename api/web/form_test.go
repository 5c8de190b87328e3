package web

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestFormIsText(t *testing.T) {
	cases := []struct {
		name, target, body string
		want               bool
	}{
		{"plain form", "/lacak", "kode=AB12&nik=3201", true},
		{"Bahasa and emoji", "/lacak", "catatan=" + "Sudah%20dicek%20%E2%9C%85", true},
		{"byte that is not UTF-8 in a field", "/lacak", "kode=%FF&nik=3201", false},
		{"cut multi-byte letter", "/lacak", "nama=Budi%E2%9C", false},
		{"query not UTF-8", "/antrean?cari=%C3", "", false},
		{"path not UTF-8", "/permohonan/%FE", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", c.target, strings.NewReader(c.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.body != "" {
				if err := r.ParseForm(); err != nil {
					t.Fatal(err)
				}
			}
			if got := FormIsText(r); got != c.want {
				t.Fatalf("FormIsText(%s %q) = %v, want %v", c.target, c.body, got, c.want)
			}
		})
	}
}
