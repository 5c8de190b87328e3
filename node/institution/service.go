package institution

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sinkron-id/sinkron/node/fault"
)

// OverQuota refuses a call beyond the institution's quota; RetryAfter says
// when the next one is allowed.
type OverQuota struct{ RetryAfter time.Duration }

func (e *OverQuota) Error() string {
	return fmt.Sprintf("kuota instansi terlampaui; coba lagi dalam %d detik", retrySeconds(e.RetryAfter))
}

// Unwrap lets errors.Is find fault.Exhausted's sentinel.
func (e *OverQuota) Unwrap() error { return errExhausted }

var errExhausted = fault.New(fault.Exhausted, "kuota instansi terlampaui")

// RetrySeconds is the Retry-After value of a wait: whole seconds, at least 1.
func RetrySeconds(d time.Duration) int { return retrySeconds(d) }

func retrySeconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

// SyncForm is an institution's request to open a Sinkronisasi Data request.
type SyncForm struct {
	RequestID                        string
	SentAt                           time.Time
	NIK, Nama, KK, WhatsApp, Problem string
	Documents                        []Document
}

// Document is a photo sent with a SyncForm.
type Document struct {
	Name    string
	Kind    int32 // as sinkron.v1.DocumentKind
	Content []byte
}

// Opener opens a Sinkronisasi Data request (the node's request engine) and
// returns its tracking code.
type Opener func(f SyncForm, institution string) (string, error)

// Options configure a Service.
type Options struct {
	Now    func() time.Time
	Rand   io.Reader
	Log    *slog.Logger
	Zone   *time.Location // of times in answers (WIB)
	Opener Opener
}

// Service answers institutions from the warehouse.
type Service struct {
	Registry *Registry
	pool     *pgxpool.Pool
	opt      Options
	batch    *batcher
	replays  replays
}

// NewService serves institutions from the warehouse behind pool. Close
// stops it once the calls in flight are answered.
func NewService(pool *pgxpool.Pool, opt Options) *Service {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Rand == nil {
		opt.Rand = rand.Reader
	}
	if opt.Zone == nil {
		opt.Zone = time.FixedZone("WIB", 7*3600)
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{Registry: NewRegistry(pool, opt.Now, opt.Rand), pool: pool, opt: opt,
		batch: newBatcher(pool, opt.Zone, opt.Log)}
}

// Close answers the calls in flight and stops.
func (s *Service) Close() { s.batch.close() }

// admit authenticates a call, takes it from the quota, validates it and
// refuses a replay, in that order: a malformed or replayed call changes
// nothing but its audit row.
func (s *Service) admit(ctx context.Context, cred Credential, op, requestID, nik string, validate func(time.Time) error) (*Caller, error) {
	now := s.opt.Now()
	entry := Entry{At: now, RequestID: clip(requestID), Op: op, NIK: clip(nik), Refused: true}
	c, err := s.Registry.authenticate(ctx, cred)
	if err == nil {
		entry.Institution = c.ID
		if wait, ok := s.Registry.Allow(c); !ok {
			err = &OverQuota{RetryAfter: wait}
		}
	}
	if err == nil {
		err = validate(now)
	}
	if err == nil && !s.replays.fresh(c.ID+"/"+requestID, now) {
		err = fmt.Errorf("%w: request_id %s sudah dipakai", ErrReplay, requestID)
	}
	if err != nil {
		entry.Outcome = "ditolak: " + err.Error()
		s.record(ctx, entry)
		return nil, err
	}
	return c, nil
}

// record commits an audit row for a call answered without the warehouse's
// data (a refusal, an opened request). If it cannot be written the call's
// own answer still stands: a refusal changed nothing, and an opened request
// is recorded by the request engine with the institution's name.
func (s *Service) record(ctx context.Context, e Entry) {
	c := &call{entry: e}
	s.batch.do(context.WithoutCancel(ctx), c)
	if c.err != nil && !errors.Is(c.err, ErrAudit) { // an audit failure is logged where it happened
		s.opt.Log.Error("institution audit", "err", c.err, "op", e.Op, "institution", e.Institution, "request", e.RequestID)
	}
}

func clip(s string) string {
	if len(s) > 64 {
		return s[:64]
	}
	return s
}

// Check answers a check from the institution cred names.
func (s *Service) Check(ctx context.Context, cred Credential, q Query) (Answer, error) {
	c, err := s.admit(ctx, cred, "check", q.RequestID, q.NIK, q.Validate)
	if err != nil {
		return Answer{}, err
	}
	k := &call{q: &q, entry: Entry{At: s.opt.Now(), Institution: c.ID, RequestID: q.RequestID, Op: "check", NIK: q.NIK}}
	s.batch.do(ctx, k)
	if k.err != nil {
		s.replays.forget(c.ID + "/" + q.RequestID) // not answered: the same id may be sent again
		return Answer{}, k.err
	}
	return k.answer, nil
}

// OpenSync opens a Sinkronisasi Data request for the resident.
func (s *Service) OpenSync(ctx context.Context, cred Credential, f SyncForm) (string, error) {
	validate := func(now time.Time) error {
		q := Query{RequestID: f.RequestID, SentAt: f.SentAt, NIK: f.NIK, Nama: f.Nama}
		return q.Validate(now)
	}
	c, err := s.admit(ctx, cred, "open-sync", f.RequestID, f.NIK, validate)
	if err != nil {
		return "", err
	}
	if s.opt.Opener == nil {
		return "", errors.New("this server does not open requests")
	}
	code, err := s.opt.Opener(f, c.Name)
	entry := Entry{At: s.opt.Now(), Institution: c.ID, RequestID: f.RequestID, Op: "open-sync", NIK: f.NIK, Outcome: code}
	if err != nil {
		entry.Outcome, entry.Refused = "gagal: "+err.Error(), true
	}
	s.record(ctx, entry)
	return code, err
}
