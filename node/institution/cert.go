package institution

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sinkron-id/sinkron/node/fault"
)

// ErrUnknownCert refuses a client certificate registered to no institution.
var ErrUnknownCert = fault.New(fault.Unauthenticated, "sertifikat klien tidak terdaftar untuk instansi mana pun")

// Credential is what a call proves its institution with: an API key, or
// the client certificate its TLS connection presented (the handshake has
// proved the client holds its key). A key, when sent, is what counts.
type Credential struct {
	Key  string
	Cert *x509.Certificate
}

// ErrCertExpired refuses a client certificate outside its validity.
var ErrCertExpired = fault.New(fault.Unauthenticated, "sertifikat klien tidak berlaku (kedaluwarsa atau belum berlaku)")

// SPKIHash is the SHA-256 of a certificate's SubjectPublicKeyInfo, what an
// institution's certificate is known by.
func SPKIHash(c *x509.Certificate) []byte {
	h := sha256.Sum256(c.RawSubjectPublicKeyInfo)
	return h[:]
}

// maxCertPEM bounds a certificate file an officer uploads.
const maxCertPEM = 64 << 10

// ParseCertificate reads one PEM certificate as an officer uploads it and
// returns the hash it is registered by. A certificate already expired at
// now is refused: the institution would be registered with a credential
// that cannot be renewed without a new key anyway.
func ParseCertificate(pemBytes []byte, now time.Time) ([]byte, error) {
	if len(pemBytes) > maxCertPEM {
		return nil, fmt.Errorf("%w: berkas sertifikat paling besar 64 KB", ErrInvalid)
	}
	block, _ := pem.Decode(pemBytes)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("%w: berkas bukan sertifikat PEM (-----BEGIN CERTIFICATE-----)", ErrInvalid)
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: sertifikat tidak dapat dibaca: %v", ErrInvalid, err)
	}
	if now.After(c.NotAfter) {
		return nil, fmt.Errorf("%w: sertifikat sudah kedaluwarsa sejak %s", ErrInvalid, c.NotAfter.Format(time.DateOnly))
	}
	return SPKIHash(c), nil
}

// SetCertificate registers (or replaces: a rotation) the client certificate
// an institution authenticates with; the old one stops working here at
// once and on other servers within their cache's lifetime (5 s). Its API
// key keeps working.
func (r *Registry) SetCertificate(ctx context.Context, id string, pemBytes []byte) ([]byte, error) {
	spki, err := ParseCertificate(pemBytes, r.now())
	if err != nil {
		return nil, err
	}
	tag, err := r.pool.Exec(ctx, `UPDATE institutions SET cert_spki = $2, rotated_at = now() WHERE id = $1`, id, spki)
	if err != nil && strings.Contains(err.Error(), "duplicate key") {
		return nil, fmt.Errorf("%w: sertifikat ini sudah terdaftar untuk instansi lain", ErrExists)
	}
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	r.forget(id)
	return spki, nil
}

// authenticate finds the institution a credential names.
func (r *Registry) authenticate(ctx context.Context, cred Credential) (*Caller, error) {
	if cred.Key != "" || cred.Cert == nil {
		return r.Authenticate(ctx, cred.Key)
	}
	if now := r.now(); now.Before(cred.Cert.NotBefore) || now.After(cred.Cert.NotAfter) {
		return nil, fmt.Errorf("%w: berlaku %s sampai %s", ErrCertExpired,
			cred.Cert.NotBefore.Format(time.DateOnly), cred.Cert.NotAfter.Format(time.DateOnly))
	}
	return r.AuthenticateCert(ctx, SPKIHash(cred.Cert))
}

// AuthenticateCert finds the institution whose client certificate has this
// SubjectPublicKeyInfo hash.
func (r *Registry) AuthenticateCert(ctx context.Context, spki []byte) (*Caller, error) {
	id, err := r.certOwner(ctx, spki)
	if err != nil {
		return nil, err
	}
	c, err := r.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(spki, c.certHash) != 1 {
		return nil, ErrUnknownCert // rotated since the owner was cached
	}
	return c, nil
}

// certOwner is the id of the institution a certificate hash belongs to,
// remembered for the cache's lifetime.
func (r *Registry) certOwner(ctx context.Context, spki []byte) (string, error) {
	if len(spki) != sha256.Size {
		return "", ErrUnknownCert
	}
	k := [sha256.Size]byte(spki)
	now := r.now()
	r.mu.Lock()
	o, ok := r.certs[k]
	r.mu.Unlock()
	if ok && now.Sub(o.read) < r.ttl {
		return o.id, nil
	}
	var id string
	err := r.pool.QueryRow(ctx, `SELECT id FROM institutions WHERE cert_spki = $1`, spki).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", ErrUnknownCert
	}
	if err != nil {
		return "", fmt.Errorf("baca instansi: %w", err)
	}
	r.mu.Lock()
	r.certs[k] = certOwner{id: id, read: now}
	r.mu.Unlock()
	return id, nil
}

type certOwner struct {
	id   string
	read time.Time
}
