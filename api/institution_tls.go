package api

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
)

// InstitutionTLS is the institutions' listener's TLS: its own certificate
// (certFile, keyFile) and client certificates requested from every
// institution. An institution's certificate is known by the hash of its
// public key, registered by an officer; the handshake proves the client
// holds that key. With caFile (a PEM bundle) a client certificate must
// also chain to one of its CAs, or the handshake fails; without it a
// self-signed certificate serves, as the registered hash is what
// authenticates. A client without a certificate may still call with an
// API key.
func InstitutionTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("[institusi] cert/key %s: %w", certFile, err)
	}
	conf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12,
		NextProtos: []string{"h2", "http/1.1"}, ClientAuth: tls.RequestClientCert}
	if caFile != "" {
		b, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("[institusi] ca: %w", err)
		}
		conf.ClientCAs = x509.NewCertPool()
		if !conf.ClientCAs.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("[institusi] ca %s: tidak ada sertifikat PEM", caFile)
		}
		conf.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return conf, nil
}

type peerCertKey struct{}

// clientCert puts the connection's client certificate in the call's
// context, for credential; the institution service judges it.
func clientCert(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			r = r.WithContext(context.WithValue(r.Context(), peerCertKey{}, r.TLS.PeerCertificates[0]))
		}
		h.ServeHTTP(w, r)
	})
}

func peerCert(ctx context.Context) *x509.Certificate {
	c, _ := ctx.Value(peerCertKey{}).(*x509.Certificate)
	return c
}
