package dwh

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
)

// world is a deterministic registry in memory: kecamatan streams of
// resident and family records, and a decision stream of cards and states.
// Its final rows are what the warehouse must hold.
type world struct {
	streams map[string][]Change
	names   []string
	hook    func(n int) // called before each After, with its number
	mu      sync.Mutex
	calls   int
}

func newWorld(kecamatan, perKec int) *world {
	w := &world{streams: map[string][]Change{}}
	at := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	var decisions []Change
	for k := range kecamatan {
		stream := fmt.Sprintf("kec-%d", k)
		var evs []Change
		for i := range perKec {
			nik := fmt.Sprintf("3201%02d%010d", k, i)
			kk := fmt.Sprintf("3201%02d9%09d", k, i/4)
			res := &Resident{NIK: nik, Nama: fmt.Sprintf("WARGA %d-%d", k, i), TempatLahir: "BOGOR",
				TanggalLahir: "1990-01-02", JenisKelamin: "L", Office: stream, UpdatedAt: at}
			evs = append(evs, Change{Resident: res})
			if i%3 == 0 { // a change of name supersedes the first record
				r2 := *res
				r2.Nama += " BARU"
				evs = append(evs, Change{Resident: &r2})
			}
			if i%5 == 0 { // a request held at the kecamatan; every other one finishes
				req := fmt.Sprintf("req-%d-%d", k, i)
				evs = append(evs, Change{Pending: &Pending{Request: req, NIK: nik, State: StatePending, Office: stream, Since: at}})
				if i%10 == 0 {
					evs = append(evs, Change{Pending: &Pending{Request: req, Done: true}})
				}
			}
			if i%4 == 3 {
				fam := &Family{KK: kk, Kepala: fmt.Sprintf("3201%02d%010d", k, i-3), Alamat: "JL. MAWAR", UpdatedAt: at}
				for j := i - 3; j <= i; j++ {
					fam.Members = append(fam.Members, Member{NIK: fmt.Sprintf("3201%02d%010d", k, j), Hubungan: "Anak"})
				}
				evs = append(evs, Change{Family: fam})
			}
			decisions = append(decisions, Change{Card: &Card{NIK: nik, Serial: uint64(k*perKec + i + 1), IssuedAt: at}},
				Change{State: &State{NIK: nik, State: StateConsolidated, Since: at}})
		}
		for i := range evs {
			evs[i].Pos = Position{stream, uint64(i + 1)}
			evs[i].At = at
		}
		w.streams[stream] = evs
		w.names = append(w.names, stream)
	}
	for i := range decisions {
		decisions[i].Pos = Position{StreamDecisions, uint64(i + 1)}
		decisions[i].At = at
	}
	w.streams[StreamDecisions] = decisions
	w.names = append(w.names, StreamDecisions)
	return w
}

// After takes round-robin from the streams, as a store scan interleaves origins.
func (w *world) After(ctx context.Context, cp Checkpoint, max int) ([]Change, error) {
	w.mu.Lock()
	w.calls++
	n := w.calls
	w.mu.Unlock()
	if w.hook != nil {
		w.hook(n)
	}
	var out []Change
	pos := map[string]uint64{}
	for {
		progress := false
		for _, s := range w.names {
			i := cp[s] + pos[s]
			if i < uint64(len(w.streams[s])) && len(out) < max {
				out = append(out, w.streams[s][i])
				pos[s]++
				progress = true
			}
		}
		if !progress {
			return out, nil
		}
	}
}

func (w *world) Decisions() uint64 { return uint64(len(w.streams[StreamDecisions])) }

func (w *world) changes() int {
	n := 0
	for _, s := range w.streams {
		n += len(s)
	}
	return n
}

// want is the rows the warehouse must hold, one line per row.
func (w *world) want() []string {
	rs := &rowset{}
	for _, s := range w.names {
		for _, c := range w.streams[s] {
			rs.add(c)
		}
	}
	var lines []string
	for _, t := range []struct {
		name string
		k    *keyed
	}{{"residents", &rs.residents}, {"families", &rs.families}, {"cards", &rs.cards}, {"nik_state", &rs.states}, {"pending", &rs.pending}} {
		for _, r := range t.k.list() {
			lines = append(lines, t.name+"|"+join(r[:len(r)-2])) // without the position
		}
	}
	for kk, ms := range rs.members {
		for _, m := range ms {
			lines = append(lines, "family_members|"+kk+" "+join(m[1:]))
		}
	}
	sort.Strings(lines)
	return lines
}

type fixedLeader struct {
	mu   sync.Mutex
	term uint64
	ok   bool
}

func (l *fixedLeader) Leading() (uint64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.term, l.ok
}

func (l *fixedLeader) set(term uint64, ok bool) {
	l.mu.Lock()
	l.term, l.ok = term, ok
	l.mu.Unlock()
}

// warehouse starts PostgreSQL, migrates it and records every row write in
// a ledger (a trigger), so a test can tell a position written twice.
func warehouse(t testing.TB) (*pgtest.Server, *pgxpool.Pool) {
	t.Helper()
	srv := pgtest.Start(t)
	pool := connect(t, srv.DSN())
	ctx := context.Background()
	if err := Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE writes (tbl text, stream text, seq bigint);
		CREATE FUNCTION note_write() RETURNS trigger AS $$ BEGIN
			INSERT INTO writes VALUES (TG_TABLE_NAME, NEW.pos_stream, NEW.pos_seq); RETURN NULL; END $$ LANGUAGE plpgsql;
		CREATE TRIGGER w AFTER INSERT OR UPDATE ON residents FOR EACH ROW EXECUTE FUNCTION note_write();
		CREATE TRIGGER w AFTER INSERT OR UPDATE ON families FOR EACH ROW EXECUTE FUNCTION note_write();
		CREATE TRIGGER w AFTER INSERT OR UPDATE ON cards FOR EACH ROW EXECUTE FUNCTION note_write();
		CREATE TRIGGER w AFTER INSERT OR UPDATE ON nik_state FOR EACH ROW EXECUTE FUNCTION note_write();`); err != nil {
		t.Fatal(err)
	}
	return srv, pool
}

func connect(t testing.TB, dsn string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// held reads the warehouse's rows in want's format.
func held(t testing.TB, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()
	var lines []string
	for _, q := range []string{
		`SELECT 'residents|' || concat_ws(' ', nik, nama, tempat_lahir, tanggal_lahir, jenis_kelamin, nama_ibu, office, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "+0000 UTC"')) FROM residents`,
		`SELECT 'families|' || concat_ws(' ', kk, kepala, alamat, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "+0000 UTC"')) FROM families`,
		`SELECT 'cards|' || concat_ws(' ', nik, serial, to_char(issued_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "+0000 UTC"')) FROM cards`,
		`SELECT 'nik_state|' || concat_ws(' ', nik, state, office, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "+0000 UTC"')) FROM nik_state`,
		`SELECT 'pending|' || concat_ws(' ', request, nik, state, office, to_char(since AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "+0000 UTC"')) FROM pending`,
		`SELECT 'family_members|' || concat_ws(' ', kk, nik, hubungan) FROM family_members`,
	} {
		rows, err := pool.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(lines)
	return lines
}

func checksum(lines []string) string {
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	return fmt.Sprintf("%x", h[:8])
}

// assertExact checks the warehouse equals the world (count and checksum),
// holds every stream's checkpoint at its end and wrote no position twice.
func assertExact(t *testing.T, w *world, pool *pgxpool.Pool) {
	t.Helper()
	want, got := w.want(), held(t, pool)
	if len(got) != len(want) || checksum(got) != checksum(want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("first difference: warehouse %q, registry %q", got[i], want[i])
				break
			}
		}
		t.Fatalf("warehouse %d rows (%s), registry %d rows (%s)", len(got), checksum(got), len(want), checksum(want))
	}
	ctx := context.Background()
	cp, err := readCheckpoint(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for s, cs := range w.streams {
		if cp[s] != uint64(len(cs)) {
			t.Errorf("checkpoint of %s at %d, want %d", s, cp[s], len(cs))
		}
	}
	var twice int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM writes GROUP BY tbl, stream, seq HAVING count(*) > 1) d`).Scan(&twice); err != nil {
		t.Fatal(err)
	}
	if twice > 0 {
		t.Fatalf("%d positions written twice", twice)
	}
}

func join(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, " ")
}
