package institution

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/fault"
)

// certificate makes a self-signed client certificate valid from..until.
func certificate(t testing.TB, cn string, from, until time.Time) (*x509.Certificate, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: cn}, NotBefore: from, NotAfter: until,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestParseCertificate(t *testing.T) {
	good, goodPEM := certificate(t, "bank", t0.Add(-time.Hour), t0.Add(365*24*time.Hour))
	_, expired := certificate(t, "bank", t0.Add(-48*time.Hour), t0.Add(-time.Hour))
	key := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	for _, tc := range []struct {
		name string
		in   []byte
		says string // "" when accepted
	}{
		{"a PEM certificate", goodPEM, ""},
		{"a private key instead", key, "bukan sertifikat PEM"},
		{"DER without PEM", good.Raw, "bukan sertifikat PEM"},
		{"garbage in a certificate block", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}), "tidak dapat dibaca"},
		{"expired", expired, "kedaluwarsa"},
		{"too large", append(goodPEM, make([]byte, maxCertPEM)...), "64 KB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spki, err := ParseCertificate(tc.in, t0)
			if tc.says == "" {
				want := sha256.Sum256(good.RawSubjectPublicKeyInfo)
				if err != nil || string(spki) != string(want[:]) {
					t.Fatalf("%x, %v; want the SHA-256 of the SubjectPublicKeyInfo", spki, err)
				}
				return
			}
			if fault.KindOf(err) != fault.Invalid || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v, want invalid saying %q", err, tc.says)
			}
		})
	}
}

// A certificate authenticates its institution while valid, not after;
// nobody else can register it; a refused registration registers nothing.
func TestCertificateAuthenticates(t *testing.T) {
	s, clk, key, _ := service(t, 100, 100)
	ctx := context.Background()
	c, err := s.Registry.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, certPEM := certificate(t, "bpjs", t0.Add(-time.Hour), t0.Add(time.Hour))
	if _, err := s.Registry.SetCertificate(ctx, c.ID, certPEM); err != nil {
		t.Fatal(err)
	}
	got, err := s.Registry.authenticate(ctx, Credential{Cert: cert})
	if err != nil || got.ID != c.ID {
		t.Fatalf("by certificate: %v, %v", got, err)
	}
	if _, _, err := s.Registry.RegisterWithCertificate(ctx, "Bank Lain", 10, 10, certPEM); !errors.Is(err, ErrExists) {
		t.Fatalf("the same certificate for another institution: %v, want exists", err)
	}
	if us, _ := s.Registry.Usage(ctx, "", t0.Add(-time.Hour)); len(us) != 1 {
		t.Fatalf("%d institutions after a refused registration, want 1", len(us))
	}
	clk.add(2 * time.Hour)
	if _, err := s.Registry.authenticate(ctx, Credential{Cert: cert}); !errors.Is(err, ErrCertExpired) {
		t.Fatalf("after it expired: %v, want refused", err)
	}
	if _, err := s.Registry.SetCertificate(ctx, "000000000000", certPEM); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("an expired certificate for rotation: %v, want invalid", err)
	}
}
