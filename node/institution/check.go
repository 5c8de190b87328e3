package institution

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/fault"
)

// ErrReplay refuses a call whose id was seen or whose time is off.
var ErrReplay = fault.New(fault.Precondition, "permintaan ditolak sebagai pengulangan")

// Query is one check an institution sends.
type Query struct {
	RequestID string
	SentAt    time.Time
	NIK       string
	// Optional fields to compare; empty ones are not compared.
	Nama, TanggalLahir, TempatLahir, NamaIbu string
}

// Field names in answers.
const (
	FieldNama         = "nama"
	FieldTanggalLahir = "tanggal_lahir"
	FieldTempatLahir  = "tempat_lahir"
	FieldNamaIbu      = "nama_ibu"
)

// Match results.
const (
	Sesuai       = "SESUAI"
	TidakSesuai  = "TIDAK SESUAI"
	TidakTersedi = "TIDAK TERSEDIA" // the warehouse holds no value to compare
)

// Answer codes, Bahasa and English.
const (
	CodeConsolidated = "TERKONSOLIDASI"
	CodeAtKecamatan  = "MASIH_DI_KECAMATAN"
	CodeAwaiting     = "MENUNGGU_KONSOLIDASI"
	CodeAdjudication = "SEDANG_ADJUDIKASI"
	CodeNotFound     = "NIK_TIDAK_TERDAFTAR"
)

var codeEN = map[string]string{
	CodeConsolidated: "CONSOLIDATED", CodeAtKecamatan: "PENDING_AT_KECAMATAN", CodeAwaiting: "AWAITING_CONSOLIDATION",
	CodeAdjudication: "IN_ADJUDICATION", CodeNotFound: "NIK_NOT_REGISTERED",
}

// FieldMatch is one compared field.
type FieldMatch struct{ Field, Match string }

// Answer is what an institution learns: never the data itself.
type Answer struct {
	Fields       []FieldMatch
	AsOf         time.Time
	Code, CodeEN string
	Reason       string // in Bahasa, for a stale or unknown NIK
}

// ReplayWindow is how far a call's time may be from the server's.
const ReplayWindow = 5 * time.Minute

// Validate checks a query's shape before anything reads or counts it.
func (q Query) Validate(now time.Time) error {
	if err := validRequestID(q.RequestID); err != nil {
		return err
	}
	if q.SentAt.IsZero() || q.SentAt.Sub(now).Abs() > ReplayWindow {
		return fmt.Errorf("%w: waktu kirim harus dalam 5 menit dari waktu server", ErrReplay)
	}
	if !validNIK(q.NIK) {
		return fmt.Errorf("%w: NIK harus 16 angka", ErrInvalid)
	}
	for _, f := range []string{q.Nama, q.TempatLahir, q.NamaIbu} {
		if !utf8.ValidString(f) || len(f) > 200 || strings.ContainsFunc(f, unicode.IsControl) {
			return fmt.Errorf("%w: nama dan tempat paling panjang 200 huruf, tanpa karakter kendali", ErrInvalid)
		}
	}
	if q.TanggalLahir != "" {
		if _, err := time.Parse(time.DateOnly, q.TanggalLahir); err != nil {
			return fmt.Errorf("%w: tanggal lahir ditulis TTTT-BB-HH", ErrInvalid)
		}
	}
	return nil
}

func validRequestID(id string) error {
	if len(id) < 8 || len(id) > 64 {
		return fmt.Errorf("%w: request_id 8 sampai 64 karakter", ErrInvalid)
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return fmt.Errorf("%w: request_id hanya huruf, angka, - dan _", ErrInvalid)
		}
	}
	return nil
}

func validNIK(nik string) bool {
	if len(nik) != 16 {
		return false
	}
	for i := range len(nik) {
		if nik[i] < '0' || nik[i] > '9' {
			return false
		}
	}
	return true
}

// normal compares names as officers write them: case, spacing and
// punctuation aside.
func normal(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToUpper(strings.TrimSpace(s)) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// record is what the warehouse holds of a NIK.
type record struct {
	found                       bool
	nama, tempat, tanggal, ibu  string
	updated                     time.Time
	state                       string
	stateSince                  time.Time
	pendingState, pendingOffice string
	pendingSince                time.Time
	hasState, hasPending        bool
}

// Querier is the warehouse connection a check reads through.
type Querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const checkSQL = `SELECT r.nik IS NOT NULL, coalesce(r.nama, ''), coalesce(r.tempat_lahir, ''), coalesce(r.tanggal_lahir, ''),
	coalesce(r.nama_ibu, ''), coalesce(r.updated_at, 'epoch'),
	s.nik IS NOT NULL, coalesce(s.state, ''), coalesce(s.since, 'epoch'),
	p.nik IS NOT NULL, coalesce(p.state, ''), coalesce(p.office, ''), coalesce(p.since, 'epoch')
FROM (SELECT $1::text AS nik) q
LEFT JOIN residents r ON r.nik = q.nik
LEFT JOIN nik_state s ON s.nik = q.nik
LEFT JOIN LATERAL (SELECT nik, state, office, since FROM pending WHERE nik = q.nik ORDER BY since LIMIT 1) p ON true`

func read(ctx context.Context, db Querier, nik string) (record, error) {
	var r record
	err := db.QueryRow(ctx, checkSQL, nik).Scan(&r.found, &r.nama, &r.tempat, &r.tanggal, &r.ibu, &r.updated,
		&r.hasState, &r.state, &r.stateSince, &r.hasPending, &r.pendingState, &r.pendingOffice, &r.pendingSince)
	if err != nil {
		return r, fmt.Errorf("baca DWH: %w", err)
	}
	return r, nil
}

// Check answers a valid query from the warehouse. zone is the time zone of
// times in reasons (WIB).
func Check(ctx context.Context, db Querier, q Query, zone *time.Location) (Answer, error) {
	r, err := read(ctx, db, q.NIK)
	if err != nil {
		return Answer{}, err
	}
	return answer(q, r, zone), nil
}

func answer(q Query, r record, zone *time.Location) Answer {
	a := Answer{AsOf: r.updated}
	if r.hasState && r.stateSince.After(a.AsOf) {
		a.AsOf = r.stateSince
	}
	if r.found {
		a.Fields = compare(q, r)
	}
	a.Code, a.Reason = reason(r, zone)
	a.CodeEN = codeEN[a.Code]
	if !r.found {
		a.AsOf = time.Time{}
	}
	return a
}

func compare(q Query, r record) []FieldMatch {
	var out []FieldMatch
	for _, f := range []struct{ name, sent, held string }{
		{FieldNama, q.Nama, r.nama}, {FieldTanggalLahir, q.TanggalLahir, r.tanggal},
		{FieldTempatLahir, q.TempatLahir, r.tempat}, {FieldNamaIbu, q.NamaIbu, r.ibu},
	} {
		switch {
		case f.sent == "":
			continue
		case f.held == "":
			out = append(out, FieldMatch{f.name, TidakTersedi})
		case normal(f.sent) == normal(f.held):
			out = append(out, FieldMatch{f.name, Sesuai})
		default:
			out = append(out, FieldMatch{f.name, TidakSesuai})
		}
	}
	return out
}

// reason says why a record is what it is. A pending request newer than the
// consolidation makes the record stale, whatever the fields say.
func reason(r record, zone *time.Location) (code, why string) {
	consolidated := r.hasState && r.state == dwh.StateConsolidated
	pendingNewer := r.hasPending && (!consolidated || r.pendingSince.After(r.stateSince))
	switch {
	case r.hasState && r.state == dwh.StateAdjudication:
		return CodeAdjudication, "perekaman ganda sedang diadjudikasi"
	case pendingNewer && r.pendingState == dwh.StatePending:
		return CodeAtKecamatan, fmt.Sprintf("data masih di %s sejak %s, belum sampai ke Dinas",
			r.pendingOffice, r.pendingSince.In(zone).Format("02-01-2006 15:04 MST"))
	case pendingNewer:
		return CodeAwaiting, "menunggu konsolidasi"
	case !r.found:
		return CodeNotFound, "NIK tidak terdaftar"
	case !consolidated:
		return CodeAwaiting, "menunggu konsolidasi"
	}
	return CodeConsolidated, ""
}
