package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// selfSigned writes a certificate and key for 127.0.0.1 and returns the
// files and a pool that trusts the certificate.
func selfSigned(t *testing.T) (string, string, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "kecamatan"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	cert, keyFile := filepath.Join(dir, "api.crt"), filepath.Join(dir, "api.key")
	_ = os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(parsed)
	return cert, keyFile, pool
}

// A node serves its API over TLS from configured files; a client that
// trusts the certificate talks HTTP/2 to it, and a missing file is an error
// at start, not a cleartext fallback.
func TestAPIOverTLS(t *testing.T) {
	nw, _ := serve(t)
	cert, key, pool := selfSigned(t)
	srv, err := ListenTLS("127.0.0.1:0", NewHandler(nw.Kecamatan(0)), cert, key)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hc := &http.Client{Transport: withBearer{token: token(t, nw.Kecamatan(0), "uji"),
		next: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}}
	c := sinkronv1connect.NewRequestServiceClient(hc, "https://"+srv.Addr())
	r, err := c.ListServices(context.Background(), connect.NewRequest(&v1.ListServicesRequest{}))
	if err != nil || len(r.Msg.Services) == 0 {
		t.Fatalf("over TLS: %v", err)
	}
	if _, err := ListenTLS("127.0.0.1:0", NewHandler(nw.Kecamatan(0)), cert, filepath.Join(t.TempDir(), "missing.key")); err == nil {
		t.Fatal("started without its key")
	}
}
