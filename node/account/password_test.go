package account

import (
	"crypto/rand"
	"strings"
	"testing"
)

func TestHashFormat(t *testing.T) {
	h, err := hashPassword(budiPass, cheap, rand.Reader)
	if err != nil || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("%s %v", h, err)
	}
	h2, _ := hashPassword(budiPass, cheap, rand.Reader)
	if h == h2 || !checkPassword(budiPass, h) || !checkPassword(budiPass, h2) || checkPassword(budiPass+"x", h) {
		t.Fatal("salted hashes of one password must differ and both verify")
	}
	for _, bad := range []string{
		"", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43),
		strings.Replace(h, "m=64", "m=1048576", 1), // a gigabyte per login
		strings.Replace(h, "t=1", "t=0", 1),
		strings.Replace(h, "v=19", "v=16", 1),
		h[:len(h)-10],
	} {
		if checkPassword(budiPass, bad) {
			t.Errorf("accepted %q", bad)
		}
	}
}

// BenchmarkHash reports the cost of one login's argon2id at DefaultParams.
func BenchmarkHash(b *testing.B) {
	h, err := hashPassword(budiPass, DefaultParams, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if !checkPassword(budiPass, h) {
			b.Fatal("no match")
		}
	}
	b.ReportMetric(float64(DefaultParams.Memory)/1024, "MiB/hash")
}
