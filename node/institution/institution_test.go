package institution

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/fault"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var (
	t0   = time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	wib  = time.FixedZone("WIB", 7*3600)
	niks = struct{ ok, kec, dinas, adj, none, fresh, ibu string }{
		"1806010101900001", "1806010101900002", "1806010101900003", "1806010101900004", "1806010101900009", "1806010101900005",
		"1806010101900006"}
)

// clock is a settable time for quotas and replay windows.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// seeded starts a warehouse holding one resident in each state.
func seeded(t *testing.T) *pgxpool.Pool {
	t.Helper()
	srv := pgtest.Start(t)
	pool, err := pgxpool.New(context.Background(), srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ctx := context.Background()
	if err := dwh.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	res := func(nik string) *dwh.Resident {
		return &dwh.Resident{NIK: nik, Nama: "Siti Aminah", TempatLahir: "Kota Agung", TanggalLahir: "1990-01-01",
			JenisKelamin: "Perempuan", Office: "Kecamatan Kota Agung", UpdatedAt: t0}
	}
	kec, dec := "kec", dwh.StreamDecisions
	changes := []dwh.Change{
		{Pos: dwh.Position{Stream: kec, Seq: 1}, Resident: res(niks.ok)},
		{Pos: dwh.Position{Stream: kec, Seq: 2}, Resident: res(niks.kec)},
		{Pos: dwh.Position{Stream: kec, Seq: 3}, Resident: res(niks.dinas)},
		{Pos: dwh.Position{Stream: kec, Seq: 4}, Resident: res(niks.adj)},
		{Pos: dwh.Position{Stream: kec, Seq: 5}, Pending: &dwh.Pending{Request: "r1", NIK: niks.kec, State: dwh.StatePending,
			Office: "Kecamatan Pugung", Since: t0.Add(time.Hour)}},
		{Pos: dwh.Position{Stream: kec, Seq: 6}, Pending: &dwh.Pending{Request: "r2", NIK: niks.dinas, State: dwh.StateAwaiting,
			Office: "Dinas", Since: t0.Add(time.Hour)}},
		{Pos: dwh.Position{Stream: kec, Seq: 7}, Pending: &dwh.Pending{Request: "r3", NIK: niks.fresh, State: dwh.StatePending,
			Office: "Kecamatan Pugung", Since: t0.Add(time.Hour)}},
		{Pos: dwh.Position{Stream: dec, Seq: 1}, State: &dwh.State{NIK: niks.ok, State: dwh.StateConsolidated, Since: t0.Add(2 * time.Hour)}},
		{Pos: dwh.Position{Stream: dec, Seq: 2}, State: &dwh.State{NIK: niks.kec, State: dwh.StateConsolidated, Since: t0}},
		{Pos: dwh.Position{Stream: dec, Seq: 3}, State: &dwh.State{NIK: niks.adj, State: dwh.StateAdjudication, Since: t0}},
		{Pos: dwh.Position{Stream: kec, Seq: 8}, Resident: withMother(res(niks.ibu), "RUKIAH BINTI AHMAD")},
		{Pos: dwh.Position{Stream: dec, Seq: 4}, State: &dwh.State{NIK: niks.ibu, State: dwh.StateConsolidated, Since: t0.Add(2 * time.Hour)}},
	}
	if _, err := dwh.NewSink(pool, "test", 0).Apply(ctx, 1, changes); err != nil {
		t.Fatal(err)
	}
	return pool
}

func withMother(r *dwh.Resident, ibu string) *dwh.Resident { r.NamaIbu = ibu; return r }

func TestCheckAnswers(t *testing.T) {
	pool := seeded(t)
	same := Query{Nama: "SITI  aminah", TanggalLahir: "1990-01-01", TempatLahir: "kota agung"}
	for _, tc := range []struct {
		name   string
		nik    string
		q      Query
		code   string
		reason string
		fields []FieldMatch
	}{
		{"consolidated, every field matches", niks.ok, same, CodeConsolidated, "",
			[]FieldMatch{{FieldNama, Sesuai}, {FieldTanggalLahir, Sesuai}, {FieldTempatLahir, Sesuai}}},
		{"a wrong name and no mother's name held", niks.ok, Query{Nama: "Siti Aminah Binti", NamaIbu: "Rukiah"}, CodeConsolidated, "",
			[]FieldMatch{{FieldNama, TidakSesuai}, {FieldNamaIbu, TidakTersedi}}},
		{"the mother's name written otherwise", niks.ibu, Query{NamaIbu: " rukiah  Binti ahmad"}, CodeConsolidated, "",
			[]FieldMatch{{FieldNamaIbu, Sesuai}}},
		{"another mother's name", niks.ibu, Query{Nama: "Siti Aminah", NamaIbu: "Rukiyah binti Ahmad"}, CodeConsolidated, "",
			[]FieldMatch{{FieldNama, Sesuai}, {FieldNamaIbu, TidakSesuai}}},
		{"a change still at the kecamatan", niks.kec, same, CodeAtKecamatan,
			"data masih di Kecamatan Pugung sejak 07-12-2026 11:00 WIB, belum sampai ke Dinas", nil},
		{"a change at the dinas", niks.dinas, same, CodeAwaiting, "menunggu konsolidasi", nil},
		{"double recording", niks.adj, same, CodeAdjudication, "perekaman ganda sedang diadjudikasi", nil},
		{"a new resident only the kecamatan holds", niks.fresh, same, CodeAtKecamatan,
			"data masih di Kecamatan Pugung sejak 07-12-2026 11:00 WIB, belum sampai ke Dinas", nil},
		{"unknown", niks.none, same, CodeNotFound, "NIK tidak terdaftar", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.NIK = tc.nik
			a, err := Check(context.Background(), pool, q, wib)
			if err != nil {
				t.Fatal(err)
			}
			if a.Code != tc.code || a.Reason != tc.reason || a.CodeEN != codeEN[tc.code] {
				t.Fatalf("answer %s %q (%s), want %s %q", a.Code, a.Reason, a.CodeEN, tc.code, tc.reason)
			}
			if tc.fields != nil && !equalFields(a.Fields, tc.fields) {
				t.Fatalf("fields %v, want %v", a.Fields, tc.fields)
			}
			if tc.code == CodeConsolidated && !a.AsOf.Equal(t0.Add(2*time.Hour)) {
				t.Fatalf("as of %v, want the consolidation's time", a.AsOf)
			}
		})
	}
}

func equalFields(a, b []FieldMatch) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// service starts a Service on a seeded warehouse with one institution.
func service(t *testing.T, perSecond float64, burst int) (*Service, *clock, string, *[]SyncForm) {
	t.Helper()
	pool := seeded(t)
	clk := &clock{t: t0}
	var opened []SyncForm
	s := NewService(pool, Options{Now: clk.now, Rand: bytes.NewReader(bytes.Repeat([]byte{7, 1, 9}, 1000)),
		Opener: func(f SyncForm, _ string) (string, error) { opened = append(opened, f); return "REQ1", nil }})
	t.Cleanup(s.Close)
	_, key, err := s.Registry.Register(context.Background(), "BPJS Kesehatan", perSecond, burst)
	if err != nil {
		t.Fatal(err)
	}
	return s, clk, key, &opened
}

func TestRefusedCallsChangeNothing(t *testing.T) {
	s, clk, key, opened := service(t, 100, 100)
	ctx := context.Background()
	good := SyncForm{RequestID: "bpjs-000001", SentAt: t0, NIK: niks.none, Nama: "Siti", WhatsApp: "081234567890", Problem: "NIK tidak ditemukan di BPJS"}
	if _, err := s.OpenSync(ctx, Credential{Key: key}, good); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  string
		f    func(SyncForm) SyncForm
		kind fault.Kind
	}{
		{"replayed id", key, func(f SyncForm) SyncForm { return f }, fault.Precondition},
		{"stale send time", key, func(f SyncForm) SyncForm { f.RequestID, f.SentAt = "bpjs-000002", t0.Add(-time.Hour); return f }, fault.Precondition},
		{"NIK of 15 digits", key, func(f SyncForm) SyncForm { f.RequestID, f.NIK = "bpjs-000003", "180601010190000"; return f }, fault.Invalid},
		{"id with a quote", key, func(f SyncForm) SyncForm { f.RequestID = "bpjs'000004"; return f }, fault.Invalid},
		{"control characters in a name", key, func(f SyncForm) SyncForm { f.RequestID, f.Nama = "bpjs-000005", "Siti\x00"; return f }, fault.Invalid},
		{"unknown key", "sk_000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", func(f SyncForm) SyncForm { f.RequestID = "bpjs-000006"; return f }, fault.Unauthenticated},
		{"no key", "", func(f SyncForm) SyncForm { f.RequestID = "bpjs-000007"; return f }, fault.Unauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.OpenSync(ctx, Credential{Key: tc.key}, tc.f(good))
			if fault.KindOf(err) != tc.kind {
				t.Fatalf("err %v (kind %v), want kind %v", err, fault.KindOf(err), tc.kind)
			}
			if len(*opened) != 1 {
				t.Fatalf("%d requests opened, want only the first", len(*opened))
			}
		})
	}
	clk.add(time.Second)
	s.Close() // flush the audit
	us, err := s.Registry.Usage(ctx, "", t0.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(us) != 1 || us[0].Syncs != 1 || us[0].Refused != 5 {
		t.Fatalf("usage %+v, want 1 request opened and 5 refusals (2 without a known key)", us)
	}
}

func TestOverQuotaSaysWhenToRetry(t *testing.T) {
	s, clk, key, _ := service(t, 2, 2)
	ctx := context.Background()
	q := Query{SentAt: t0, NIK: niks.ok}
	call := func(id string) error {
		q.RequestID = id
		_, err := s.Check(ctx, Credential{Key: key}, q)
		return err
	}
	for _, id := range []string{"chk-000001", "chk-000002"} {
		if err := call(id); err != nil {
			t.Fatal(err)
		}
	}
	err := call("chk-000003")
	var over *OverQuota
	if !errors.As(err, &over) || fault.KindOf(err) != fault.Exhausted || RetrySeconds(over.RetryAfter) != 1 {
		t.Fatalf("third call in a second: %v, want over quota, retry after 1 s", err)
	}
	clk.add(500 * time.Millisecond)
	if err := call("chk-000004"); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestRotatedKeyStopsWorking(t *testing.T) {
	s, _, key, _ := service(t, 10, 10)
	ctx := context.Background()
	c, err := s.Registry.Authenticate(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	fresh, err := s.Registry.RotateKey(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Registry.Authenticate(ctx, key); !errors.Is(err, ErrUnknownKey) {
		t.Fatalf("old key after rotation: %v", err)
	}
	if _, err := s.Registry.Authenticate(ctx, fresh); err != nil {
		t.Fatalf("new key: %v", err)
	}
	var stored []byte
	if err := s.pool.QueryRow(ctx, `SELECT key_hash FROM institutions`).Scan(&stored); err != nil || bytes.Contains([]byte(fresh), stored) || len(stored) != 32 {
		t.Fatalf("stored key %x (%v): want a 32-byte hash", stored, err)
	}
}

// auditRows counts the committed audit rows of a request id, read at once
// after the call returns: no flush, no wait.
func auditRows(t *testing.T, s *Service, id string) (n int, outcome string) {
	t.Helper()
	err := s.pool.QueryRow(context.Background(), `SELECT count(*), coalesce(max(outcome), '') FROM institution_audit WHERE request_id = $1`, id).
		Scan(&n, &outcome)
	if err != nil {
		t.Fatal(err)
	}
	return n, outcome
}

func TestEveryCallIsAuditedBeforeItsAnswer(t *testing.T) {
	s, _, key, _ := service(t, 100, 100)
	ctx := context.Background()
	a, err := s.Check(ctx, Credential{Key: key}, Query{RequestID: "chk-audit-1", SentAt: t0, NIK: niks.kec})
	if err != nil {
		t.Fatal(err)
	}
	if n, out := auditRows(t, s, "chk-audit-1"); n != 1 || out != a.Code {
		t.Fatalf("answered %s with %d audit rows (outcome %q), want one row with the answer's code", a.Code, n, out)
	}
	if _, err := s.Check(ctx, Credential{Key: key}, Query{RequestID: "chk-audit-2", SentAt: t0, NIK: "12"}); fault.KindOf(err) != fault.Invalid {
		t.Fatalf("malformed NIK: %v", err)
	}
	if n, out := auditRows(t, s, "chk-audit-2"); n != 1 || out[:8] != "ditolak:" {
		t.Fatalf("refused with %d audit rows (outcome %q), want one refusal", n, out)
	}
}

func TestNoAnswerWithoutItsAudit(t *testing.T) {
	s, _, key, _ := service(t, 100, 100)
	ctx := context.Background()
	exec := func(sql string) {
		if _, err := s.pool.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	exec(`ALTER TABLE institution_audit ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`)
	q := Query{RequestID: "chk-noaudit", SentAt: t0, NIK: niks.ok, Nama: "Siti Aminah"}
	a, err := s.Check(ctx, Credential{Key: key}, q)
	if !errors.Is(err, ErrAudit) || fault.KindOf(err) != fault.Unavailable || len(a.Fields) != 0 || a.Code != "" {
		t.Fatalf("audit cannot be written: answer %+v, err %v; want no answer, unavailable", a, err)
	}
	if strings.Contains(err.Error(), "refuse_all") {
		t.Fatalf("the database's error reaches the institution: %v", err)
	}
	exec(`ALTER TABLE institution_audit DROP CONSTRAINT refuse_all`)
	if a, err := s.Check(ctx, Credential{Key: key}, q); err != nil || a.Code != CodeConsolidated {
		t.Fatalf("the same request id once the audit works: %+v, %v; want answered (it was never answered)", a, err)
	}
	if n, _ := auditRows(t, s, q.RequestID); n != 1 {
		t.Fatalf("%d audit rows, want 1", n)
	}
}

// A check answered by one dinas server is refused as a replay by another
// (or by the same one after a restart): the answered request id is
// unique in the warehouse's audit, not only in one process's memory.
func TestReplayRefusedAcrossServers(t *testing.T) {
	s, clk, key, _ := service(t, 100, 100)
	other := NewService(s.pool, Options{Now: clk.now, Rand: bytes.NewReader(bytes.Repeat([]byte{3}, 1000))})
	t.Cleanup(other.Close)
	ctx := context.Background()
	q := Query{RequestID: "chk-two-servers", SentAt: t0, NIK: niks.ok}
	if _, err := s.Check(ctx, Credential{Key: key}, q); err != nil {
		t.Fatal(err)
	}
	a, err := other.Check(ctx, Credential{Key: key}, q)
	if !errors.Is(err, ErrReplay) || a.Code != "" {
		t.Fatalf("the same request id at another server: %+v, %v; want refused as a replay", a, err)
	}
	var answered, refused int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE NOT refused), count(*) FILTER (WHERE refused)
		FROM institution_audit WHERE request_id = $1`, q.RequestID).Scan(&answered, &refused); err != nil {
		t.Fatal(err)
	}
	if answered != 1 || refused != 1 {
		t.Fatalf("audit: %d answered, %d refused; want the first answered and the replay refused", answered, refused)
	}
	// Two copies in one batch: one answer.
	q.RequestID = "chk-one-batch"
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() { defer wg.Done(); _, errs[i] = other.Check(ctx, Credential{Key: key}, q) }()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		}
	}
	if ok != 1 {
		t.Fatalf("%d of 4 copies answered: %v", ok, errs)
	}
}
