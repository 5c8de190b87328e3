package institution

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sinkron-id/sinkron/node/fault"
)

// FuzzParseKey: any Authorization value parses or is refused, never panics,
// and an accepted key names a 12-hex-digit id.
func FuzzParseKey(f *testing.F) {
	f.Add("sk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add("sk__")
	f.Add("Bearer x")
	f.Fuzz(func(t *testing.T, key string) {
		id, err := ParseKey(key)
		if err == nil && !validID(id) {
			t.Fatalf("accepted %q with id %q", key, id)
		}
	})
}

// FuzzQueryValidate: a query that validates has a 16-digit NIK, a clean
// request id and fields that are valid UTF-8; normal never panics and is
// idempotent.
func FuzzQueryValidate(f *testing.F) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	f.Add("req-00000001", "1806010101900001", "Siti Aminah", "1990-01-01", "Kota Agung", "Rukiah", int64(0))
	f.Add("x", "18060101019000011", "\xff", "1990-02-30", "", "", int64(600))
	f.Fuzz(func(t *testing.T, id, nik, nama, tgl, tempat, ibu string, skew int64) {
		q := Query{RequestID: id, SentAt: now.Add(time.Duration(skew) * time.Second), NIK: nik, Nama: nama,
			TanggalLahir: tgl, TempatLahir: tempat, NamaIbu: ibu}
		if q.Validate(now) == nil {
			if !validNIK(nik) || validRequestID(id) != nil || !utf8.ValidString(nama) || len(nama) > 200 {
				t.Fatalf("accepted %+v", q)
			}
		}
		if n := normal(nama); normal(n) != n || strings.Contains(n, "  ") {
			t.Fatalf("normal(%q) = %q is not a fixed point", nama, n)
		}
	})
}

// FuzzParseCertificate: an uploaded certificate file parses or is refused
// as invalid, never panics, and an accepted one is known by a 32-byte hash.
func FuzzParseCertificate(f *testing.F) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	_, good := certificate(f, "bank", now.Add(-time.Hour), now.Add(time.Hour))
	f.Add(good)
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		spki, err := ParseCertificate(in, now)
		if err == nil && len(spki) != 32 {
			t.Fatalf("accepted with a %d-byte hash", len(spki))
		}
		if err != nil && fault.KindOf(err) != fault.Invalid {
			t.Fatalf("refused as %v: %v", fault.KindOf(err), err)
		}
	})
}
