package api

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/institution"
)

// party is a certificate and its key, as files and in memory.
type party struct {
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	pem      []byte
	certFile string
	keyFile  string
}

// issue makes a certificate for cn signed by ca (self-signed when nil).
func issue(t *testing.T, cn string, ca *party, isCA bool) *party {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}}
	if cn == "127.0.0.1" {
		tmpl.IPAddresses = append(tmpl.IPAddresses, []byte{127, 0, 0, 1})
	}
	if isCA {
		tmpl.IsCA, tmpl.BasicConstraintsValid, tmpl.KeyUsage = true, true, x509.KeyUsageCertSign|x509.KeyUsageDigitalSignature
	}
	parent, signer := tmpl, key
	if ca != nil {
		parent, signer = ca.cert, ca.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	p := &party{key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
	p.cert, _ = x509.ParseCertificate(der)
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	p.certFile, p.keyFile = filepath.Join(dir, cn+".crt"), filepath.Join(dir, cn+".key")
	if err := errors.Join(os.WriteFile(p.certFile, p.pem, 0o600),
		os.WriteFile(p.keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)); err != nil {
		t.Fatal(err)
	}
	return p
}

// institutionTLSServer serves svc's institutions' API over TLS with client
// certificates requested (chained to ca when given) and returns its address
// and the server's certificate.
func institutionTLSServer(t *testing.T, svc *institution.Service, ca *party) (string, *party) {
	t.Helper()
	server := issue(t, "127.0.0.1", nil, false)
	caFile := ""
	if ca != nil {
		caFile = ca.certFile
	}
	conf, err := InstitutionTLS(server.certFile, server.keyFile, caFile)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := ListenConfig("127.0.0.1:0", NewInstitutionHandler(institutionNode{svc}), conf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.Addr(), server
}

// tlsClient calls addr presenting client (none when nil), trusting server.
func tlsClient(t *testing.T, addr string, server, client *party) sinkronv1connect.InstitutionServiceClient {
	roots := x509.NewCertPool()
	roots.AddCert(server.cert)
	conf := &tls.Config{RootCAs: roots}
	if client != nil {
		conf.Certificates = []tls.Certificate{{Certificate: [][]byte{client.cert.Raw}, PrivateKey: client.key, Leaf: client.cert}}
	}
	tr := &http.Transport{TLSClientConfig: conf, ForceAttemptHTTP2: true}
	t.Cleanup(tr.CloseIdleConnections)
	return sinkronv1connect.NewInstitutionServiceClient(&http.Client{Transport: tr}, "https://"+addr)
}

// An institution registered with a client certificate is answered over
// its TLS connection without an API key, with the same quota, replay
// refusal and audit as its key; a rotated certificate stops working, and a
// certificate registered to no one is refused.
func TestInstitutionClientCertificate(t *testing.T) {
	ctx := context.Background()
	svc, key := institutionService(t, 0.01, 3) // 3 calls, then one per 100 s
	c, err := svc.Registry.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	first, second, stranger := issue(t, "bank-1", nil, false), issue(t, "bank-2", nil, false), issue(t, "bank-x", nil, false)
	if _, err := svc.Registry.SetCertificate(ctx, c.ID, first.pem); err != nil {
		t.Fatal(err)
	}
	addr, server := institutionTLSServer(t, svc, nil)
	byCert, bySecond, byStranger, byNothing := tlsClient(t, addr, server, first), tlsClient(t, addr, server, second),
		tlsClient(t, addr, server, stranger), tlsClient(t, addr, server, nil)
	nik := residentN(0)
	certCall := func(id string) *connect.Request[v1.CheckRequest] { return checkCall("", id, nik) }

	r, err := byCert.Check(ctx, certCall("tls-000001"))
	if err != nil {
		t.Fatalf("check over the registered certificate: %v", err)
	}
	if r.Msg.Code != institution.CodeConsolidated || len(r.Msg.Fields) != 1 {
		t.Fatalf("answer %v", r.Msg)
	}
	for _, tc := range []struct {
		name   string
		client sinkronv1connect.InstitutionServiceClient
		req    *connect.Request[v1.CheckRequest]
		code   connect.Code // 0: answered
		says   string
	}{
		{"replayed over the certificate", byCert, certCall("tls-000001"), connect.CodeFailedPrecondition, "pengulangan"},
		{"the same institution's key shares the quota", byNothing, checkCall(key, "tls-000002", nik), 0, ""},
		{"over the quota by certificate", byCert, certCall("tls-000003"), connect.CodeResourceExhausted, "kuota"},
		{"a certificate registered to no one", byStranger, certCall("tls-000004"), connect.CodeUnauthenticated, "sertifikat klien tidak terdaftar"},
		{"neither certificate nor key", byNothing, certCall("tls-000005"), connect.CodeUnauthenticated, "kunci API"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.client.Check(ctx, tc.req)
			if tc.code == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != tc.code || !strings.Contains(ce.Message(), tc.says) {
				t.Fatalf("err %v, want %v saying %q", err, tc.code, tc.says)
			}
			if tc.code == connect.CodeResourceExhausted && ce.Meta().Get("Retry-After") == "" {
				t.Fatal("over quota without Retry-After")
			}
		})
	}

	// Rotation: the second certificate replaces the first.
	if err := svc.Registry.SetQuota(ctx, c.ID, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Registry.SetCertificate(ctx, c.ID, second.pem); err != nil {
		t.Fatal(err)
	}
	if _, err := byCert.Check(ctx, certCall("tls-000006")); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("the rotated-out certificate: %v, want unauthenticated", err)
	}
	if _, err := bySecond.Check(ctx, certCall("tls-000007")); err != nil {
		t.Fatalf("the new certificate: %v", err)
	}
	us, err := svc.Registry.Usage(ctx, c.ID, time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if u := us[0]; u.Checks != 3 || u.Refused != 2 || !u.HasCertificate() {
		t.Fatalf("usage %+v, want 3 checks answered (2 by certificate, 1 by key) and 2 refusals (replay, quota) audited under the institution", u)
	}
}

// With [institusi] ca, a client certificate must chain to the CA: a
// registered self-signed one does not get through the handshake.
func TestInstitutionClientCertificateChainsToCA(t *testing.T) {
	ctx := context.Background()
	svc, key := institutionService(t, 1000, 1000)
	c, err := svc.Registry.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	ca := issue(t, "ca-dukcapil", nil, true)
	signed, self := issue(t, "bank-ca", ca, false), issue(t, "bank-self", nil, false)
	addr, server := institutionTLSServer(t, svc, ca)
	if _, err := svc.Registry.SetCertificate(ctx, c.ID, self.pem); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsClient(t, addr, server, self).Check(ctx, checkCall("", "ca-000001", residentN(0))); err == nil {
		t.Fatal("a self-signed certificate got through a listener with a CA")
	}
	if _, err := svc.Registry.SetCertificate(ctx, c.ID, signed.pem); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsClient(t, addr, server, signed).Check(ctx, checkCall("", "ca-000002", residentN(0))); err != nil {
		t.Fatalf("a registered certificate the CA signed: %v", err)
	}
}

// The openssl binary, an independent TLS client, makes its own key and
// certificate, computes the hash the dinas must store, and calls the check
// over Connect's JSON protocol with its client certificate and no API key.
func TestInstitutionCheckWithOpenSSLClient(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("openssl not installed (.ci/run installs it)")
		}
		t.Skip("skipping: openssl not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	svc, key := institutionService(t, 1000, 1000)
	c, err := svc.Registry.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "bpjs.crt"), filepath.Join(dir, "bpjs.key")
	openssl := func(stdin []byte, args ...string) []byte {
		t.Helper()
		cmd := exec.CommandContext(ctx, "openssl", args...)
		cmd.Stdin = bytes.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("openssl %v: %v\n%s", args, err, stderr.Bytes())
		}
		return out
	}
	openssl(nil, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=BPJS Kesehatan")
	pub := openssl(nil, "x509", "-in", certFile, "-pubkey", "-noout")
	der := openssl(pub, "pkey", "-pubin", "-outform", "DER")
	want := hex.EncodeToString(openssl(der, "dgst", "-sha256", "-binary"))
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := svc.Registry.SetCertificate(ctx, c.ID, pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(spki) != want {
		t.Fatalf("stored %x, openssl's SHA-256 of the SubjectPublicKeyInfo %s", spki, want)
	}
	addr, server := institutionTLSServer(t, svc, nil)
	body := fmt.Sprintf(`{"requestId":"ossl-000001","sentAt":%q,"nik":%q,"nama":"siti  AMINAH"}`,
		time.Now().UTC().Format(time.RFC3339), residentN(0))
	req := fmt.Sprintf("POST /sinkron.v1.InstitutionService/Check HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"+
		"Connect-Protocol-Version: 1\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", addr, len(body), body)
	out := string(openssl([]byte(req), "s_client", "-connect", addr, "-cert", certFile, "-key", keyFile,
		"-CAfile", server.certFile, "-verify_return_error", "-quiet"))
	head, payload, _ := strings.Cut(out, "\r\n\r\n")
	var answer struct {
		Code   string
		Fields []struct{ Field, Match string }
	}
	if !strings.HasPrefix(head, "HTTP/1.1 200 OK") || json.Unmarshal([]byte(payload), &answer) != nil ||
		answer.Code != institution.CodeConsolidated || len(answer.Fields) != 1 || answer.Fields[0].Match != "MATCH_SESUAI" {
		t.Fatalf("openssl's call answered:\n%s", out)
	}
}
