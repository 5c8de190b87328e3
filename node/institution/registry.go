package institution

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/time/rate"

	"github.com/sinkron-id/sinkron/node/fault"
)

// Errors the API maps to Connect codes.
var (
	ErrUnknownKey = fault.New(fault.Unauthenticated, "kunci API tidak dikenal")
	ErrNotFound   = fault.New(fault.NotFound, "instansi tidak ditemukan")
	ErrExists     = fault.New(fault.Exists, "instansi dengan nama itu sudah terdaftar")
	ErrInvalid    = fault.New(fault.Invalid, "isian tidak valid")
)

// Default quota of a new institution.
const (
	DefaultPerSecond = 50
	DefaultBurst     = 100
)

// Institution is a registered institution.
type Institution struct {
	ID, Name  string
	PerSecond float64
	Burst     int
	keyHash   []byte
	certHash  []byte // SHA-256 of the client certificate's SubjectPublicKeyInfo; nil without one
}

// HasCertificate reports whether the institution may authenticate with a
// client certificate.
func (i Institution) HasCertificate() bool { return i.certHash != nil }

// Caller is an institution as this server last read it, with its limiter.
type Caller struct {
	Institution
	limiter *rate.Limiter
	read    time.Time
}

// Registry keeps institutions in the warehouse database.
type Registry struct {
	pool *pgxpool.Pool
	now  func() time.Time
	rand io.Reader
	ttl  time.Duration // how long a read of an institution serves (rotations elsewhere)

	mu    sync.Mutex
	cache map[string]*Caller
	certs map[[sha256.Size]byte]certOwner
}

// NewRegistry reads and writes institutions through pool.
func NewRegistry(pool *pgxpool.Pool, now func() time.Time, rand io.Reader) *Registry {
	return &Registry{pool: pool, now: now, rand: rand, ttl: 5 * time.Second, cache: map[string]*Caller{},
		certs: map[[sha256.Size]byte]certOwner{}}
}

// newKey makes an API key "sk_<id>_<32 random bytes>" and its hash.
func (r *Registry) newKey(id string) (string, []byte, error) {
	var b [32]byte
	if _, err := io.ReadFull(r.rand, b[:]); err != nil {
		return "", nil, err
	}
	key := "sk_" + id + "_" + base64.RawURLEncoding.EncodeToString(b[:])
	h := sha256.Sum256([]byte(key))
	return key, h[:], nil
}

// ParseKey returns the institution id a key names.
func ParseKey(key string) (string, error) {
	rest, ok := strings.CutPrefix(key, "sk_")
	if !ok || len(key) > 128 {
		return "", ErrUnknownKey
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || !validID(id) {
		return "", ErrUnknownKey
	}
	if b, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(b) != 32 {
		return "", ErrUnknownKey
	}
	return id, nil
}

func validID(id string) bool {
	if len(id) != 12 {
		return false
	}
	_, err := hex.DecodeString(id)
	return err == nil
}

func checkQuota(perSecond float64, burst int) (float64, int, error) {
	if perSecond == 0 {
		perSecond = DefaultPerSecond
	}
	if burst == 0 {
		burst = max(DefaultBurst, int(perSecond))
	}
	if perSecond < 0 || perSecond > 1e6 || burst < 1 || burst > 1e6 {
		return 0, 0, fmt.Errorf("%w: kuota harus antara 0 dan 1.000.000 per detik", ErrInvalid)
	}
	return perSecond, burst, nil
}

// Register adds an institution and returns its id and API key, which is
// shown once.
func (r *Registry) Register(ctx context.Context, name string, perSecond float64, burst int) (id, key string, err error) {
	return r.RegisterWithCertificate(ctx, name, perSecond, burst, nil)
}

// RegisterWithCertificate adds an institution that may also authenticate
// with the client certificate in certPEM (none when nil). Nothing is
// registered when the certificate is refused.
func (r *Registry) RegisterWithCertificate(ctx context.Context, name string, perSecond float64, burst int, certPEM []byte) (id, key string, err error) {
	var spki []byte
	if certPEM != nil {
		if spki, err = ParseCertificate(certPEM, r.now()); err != nil {
			return "", "", err
		}
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		return "", "", fmt.Errorf("%w: nama instansi wajib diisi (paling panjang 200 huruf)", ErrInvalid)
	}
	if perSecond, burst, err = checkQuota(perSecond, burst); err != nil {
		return "", "", err
	}
	var raw [6]byte
	if _, err := io.ReadFull(r.rand, raw[:]); err != nil {
		return "", "", err
	}
	id = hex.EncodeToString(raw[:])
	key, hash, err := r.newKey(id)
	if err != nil {
		return "", "", err
	}
	_, err = r.pool.Exec(ctx, `INSERT INTO institutions (id, name, key_hash, per_second, burst, cert_spki) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, name, hash, perSecond, burst, spki)
	if err != nil && strings.Contains(err.Error(), "cert_spki") {
		return "", "", fmt.Errorf("%w: sertifikat ini sudah terdaftar untuk instansi lain", ErrExists)
	}
	if err != nil && strings.Contains(err.Error(), "duplicate key") {
		return "", "", fmt.Errorf("%w: %s", ErrExists, name)
	}
	return id, key, err
}

// RotateKey gives an institution a new key; the old one stops working here
// at once and on other servers within their cache's lifetime (5 s).
func (r *Registry) RotateKey(ctx context.Context, id string) (string, error) {
	key, hash, err := r.newKey(id)
	if err != nil {
		return "", err
	}
	tag, err := r.pool.Exec(ctx, `UPDATE institutions SET key_hash = $2, rotated_at = now() WHERE id = $1`, id, hash)
	if err != nil {
		return "", err
	}
	if tag.RowsAffected() == 0 {
		return "", fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	r.forget(id)
	return key, nil
}

// SetQuota changes an institution's rate quota.
func (r *Registry) SetQuota(ctx context.Context, id string, perSecond float64, burst int) error {
	perSecond, burst, err := checkQuota(perSecond, burst)
	if err != nil {
		return err
	}
	tag, err := r.pool.Exec(ctx, `UPDATE institutions SET per_second = $2, burst = $3 WHERE id = $1`, id, perSecond, burst)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	r.forget(id)
	return nil
}

func (r *Registry) forget(id string) {
	r.mu.Lock()
	delete(r.cache, id)
	for k, o := range r.certs {
		if o.id == id {
			delete(r.certs, k)
		}
	}
	r.mu.Unlock()
}

// Authenticate finds the institution whose key this is.
func (r *Registry) Authenticate(ctx context.Context, key string) (*Caller, error) {
	id, err := ParseKey(key)
	if err != nil {
		return nil, err
	}
	c, err := r.lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte(key))
	if subtle.ConstantTimeCompare(h[:], c.keyHash) != 1 {
		return nil, ErrUnknownKey
	}
	return c, nil
}

// lookup reads an institution, from the cache while fresh. A re-read keeps
// the limiter, so a quota is not refilled by expiring the cache.
func (r *Registry) lookup(ctx context.Context, id string) (*Caller, error) {
	now := r.now()
	r.mu.Lock()
	c, ok := r.cache[id]
	r.mu.Unlock()
	if ok && now.Sub(c.read) < r.ttl {
		return c, nil
	}
	var inst Institution
	err := r.pool.QueryRow(ctx, `SELECT id, name, per_second, burst, key_hash, cert_spki FROM institutions WHERE id = $1`, id).
		Scan(&inst.ID, &inst.Name, &inst.PerSecond, &inst.Burst, &inst.keyHash, &inst.certHash)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrUnknownKey
	}
	if err != nil {
		return nil, fmt.Errorf("baca instansi: %w", err)
	}
	fresh := &Caller{Institution: inst, read: now}
	if ok && c.PerSecond == inst.PerSecond && c.Burst == inst.Burst {
		fresh.limiter = c.limiter
	} else {
		fresh.limiter = rate.NewLimiter(rate.Limit(inst.PerSecond), inst.Burst)
	}
	r.mu.Lock()
	r.cache[id] = fresh
	r.mu.Unlock()
	return fresh, nil
}

// Allow takes one call from the institution's quota, or says how long until
// one is free.
func (r *Registry) Allow(c *Caller) (retryAfter time.Duration, ok bool) {
	now := r.now()
	res := c.limiter.ReserveN(now, 1)
	if !res.OK() {
		return time.Second, false
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d, false
	}
	return 0, true
}

// Usage is an institution's calls since a time.
type Usage struct {
	Institution
	Checks, Refused, Syncs uint64
	LastCall               time.Time
}

// Usage lists institutions (one, or all for id "") with their calls since.
func (r *Registry) Usage(ctx context.Context, id string, since time.Time) ([]Usage, error) {
	rows, err := r.pool.Query(ctx, `SELECT i.id, i.name, i.per_second, i.burst, i.cert_spki,
			count(a.id) FILTER (WHERE a.op = 'check' AND NOT a.refused),
			count(a.id) FILTER (WHERE a.refused),
			count(a.id) FILTER (WHERE a.op = 'open-sync' AND NOT a.refused),
			coalesce(max(a.at), 'epoch')
		FROM institutions i LEFT JOIN institution_audit a ON a.institution = i.id AND a.at >= $2
		WHERE $1 = '' OR i.id = $1
		GROUP BY i.id ORDER BY i.name`, id, since)
	if err != nil {
		return nil, err
	}
	var out []Usage
	for rows.Next() {
		var u Usage
		var checks, refused, syncs int64
		if err := rows.Scan(&u.ID, &u.Name, &u.PerSecond, &u.Burst, &u.certHash, &checks, &refused, &syncs, &u.LastCall); err != nil {
			return nil, err
		}
		u.Checks, u.Refused, u.Syncs = uint64(checks), uint64(refused), uint64(syncs)
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if id != "" && len(out) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return out, nil
}
