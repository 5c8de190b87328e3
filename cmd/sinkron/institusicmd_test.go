package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/testnet"
)

// `sinkron institusi` registers an institution (its key shown once), rotates
// its key, sets its quota and shows its usage, on a dinas server with a DWH.
func TestInstitusiCommands(t *testing.T) {
	pg := pgtest.Start(t)
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Configure: func(c *node.Config) { c.DWH.DSN = pg.DSN() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	srv, err := api.Listen("127.0.0.1:0", api.NewHandler(nw.Dinas(), api.AllowAnonymous()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"institusi"}, append(args, "--addr", srv.Addr())...), &out)
		return out.String(), err
	}
	var out string
	deadline := time.Now().Add(15 * time.Second)
	for out, err = cli("daftar", "BPJS Kesehatan", "--per-detik", "20"); err != nil; out, err = cli("daftar", "BPJS Kesehatan", "--per-detik", "20") {
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "DWH") && !strings.Contains(err.Error(), "relation") {
			t.Fatalf("daftar: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // the feed migrates the schema at start
	}
	m := regexp.MustCompile(`dengan ID ([0-9a-f]{12})\nkunci API \(hanya ditampilkan sekali\): (sk_\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("daftar printed %q", out)
	}
	id := m[1]
	certFile := filepath.Join(t.TempDir(), "bpjs.pem")
	if err := os.WriteFile(certFile, clientCertPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"kunci-baru", id}, "kunci API baru"},
		{[]string{"sertifikat", id, "--berkas", certFile}, "sertifikat klien " + id + " terdaftar (SHA-256 kunci publik "},
		{[]string{"kuota", id, "--per-detik", "5"}, "kuota " + id + ": 5 per detik"},
		{[]string{"pemakaian"}, "BPJS Kesehatan"},
		{[]string{"pemakaian", id}, "5"},
		{[]string{"pemakaian", id}, "ya"}, // a certificate is registered
	} {
		got, err := cli(tc.args...)
		if err != nil || !strings.Contains(got, tc.want) {
			t.Fatalf("institusi %v: %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
	if _, err := cli("kuota", "000000000000", "--per-detik", "5"); err == nil || !strings.Contains(err.Error(), "tidak ditemukan") {
		t.Fatalf("quota of an unknown institution: %v", err)
	}
	if _, err := cli("sertifikat", id, "--berkas", filepath.Join(t.TempDir(), "none.pem")); err == nil || !strings.Contains(err.Error(), "berkas sertifikat") {
		t.Fatalf("a missing certificate file: %v", err)
	}
	notCert := filepath.Join(t.TempDir(), "key.pem")
	_ = os.WriteFile(notCert, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600)
	if _, err := cli("sertifikat", id, "--berkas", notCert); err == nil || !strings.Contains(err.Error(), "bukan sertifikat PEM") {
		t.Fatalf("a key instead of a certificate: %v", err)
	}
}

// clientCertPEM is a self-signed client certificate, as an institution
// sends the dinas.
func clientCertPEM(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "BPJS Kesehatan"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// The institutions' listener never falls back to cleartext when TLS is
// configured wrong: a CA without a certificate, or a missing file, stops
// the node at start.
func TestInstitutionListenerConfig(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		cfg  node.InstitusiConfig
		says string
	}{
		{"a CA without a certificate", node.InstitusiConfig{Listen: "127.0.0.1:0", CA: filepath.Join(dir, "ca.pem")}, "[institusi] ca butuh"},
		{"a missing certificate", node.InstitusiConfig{Listen: "127.0.0.1:0", Cert: filepath.Join(dir, "x.pem"), Key: filepath.Join(dir, "x.key")}, "[institusi] cert/key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _, err := listenInstitutions(node.Config{Institusi: tc.cfg}, http.NotFoundHandler())
			if err == nil {
				s.Close()
				t.Fatal("listening")
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("%v, want %q", err, tc.says)
			}
		})
	}
	s, scheme, err := listenInstitutions(node.Config{Institusi: node.InstitusiConfig{Listen: "127.0.0.1:0"}}, http.NotFoundHandler())
	if err != nil || scheme != "http://" {
		t.Fatalf("no TLS configured: %q, %v; want cleartext with API keys only", scheme, err)
	}
	s.Close()
}
