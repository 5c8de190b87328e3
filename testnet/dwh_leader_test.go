package testnet

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/registry"
)

// Three dinas servers feed one warehouse. The leader is stopped while it
// feeds a kecamatan's registrations and the consolidations of them; another
// server takes over under a higher term, the old one comes back as a
// follower. The warehouse then holds exactly the registry (rows and a
// checksum) and no position was written twice.
func TestDWHExactlyOnceAcrossLeaderChange(t *testing.T) {
	if testing.Short() {
		t.Skip("three dinas servers and PostgreSQL")
	}
	pg := pgtest.Start(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pg.DSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := dwh.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, ledgerSQL); err != nil {
		t.Fatal(err)
	}
	nw, err := Start(t.TempDir(), Options{Dinas: 3, Kecamatan: 1, SyncInterval: 200 * time.Millisecond,
		Configure: func(c *node.Config) {
			if c.ClusterKeyFile != "" {
				c.DWH.DSN = pg.DSN()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	kec := nw.Kecamatan(0)
	const n = 150
	niks := make([]string, n)
	for i := range niks {
		niks[i] = fmt.Sprintf("1806015708%06d", 900001+i)
		if _, err := kec.RegisterResident(registry.Biodata{NIK: niks[i], NamaLengkap: "Warga " + string(rune('A'+i%26)) + string(rune('A'+i/26)), TempatLahir: "Kota Agung",
			TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
			Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2",
				DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung", KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}}, "Petugas"); err != nil {
			t.Fatal(err)
		}
	}
	leader, err := nw.WaitLeader(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i, nik := range niks {
		if _, err := leader.Decisions.Decide(ctx, &eventpb.Command{Key: fmt.Sprintf("konsolidasi/%d", i), TimeMs: time.Now().UnixMilli(),
			Op: &eventpb.Command_ConsolidateChange{ConsolidateChange: &eventpb.ConsolidateChange{Nik: nik}}}); err != nil {
			t.Fatal(err)
		}
	}
	// Stop the leader while the warehouse holds part of the work.
	waitFor(t, "the feed under way", func() bool { return count(t, pool, "nik_state") > 0 })
	li := slices.Index(nw.Nodes, leader)
	t.Logf("leader stopped with %d of %d states and %d of %d residents in the warehouse",
		count(t, pool, "nik_state"), n, count(t, pool, "residents"), n)
	if err := nw.RestartAfter(li, func(node.Config) error {
		waitFor(t, "a new leader feeding", func() bool {
			l := nw.Leader()
			return l != nil && l != leader && l.DWHStatus() != nil && l.DWHStatus().Leading
		})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	waitForWithin(t, 60*time.Second, "every resident and state in the warehouse", func() bool {
		return count(t, pool, "residents") == n && count(t, pool, "nik_state") == n
	})
	var want []string
	now, err := nw.WaitLeader(10 * time.Second) // the restarted server may start an election
	if err != nil {
		t.Fatal(err)
	}
	rs, err := now.Residents.Residents("", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		want = append(want, r.NIK+"|"+r.NamaLengkap+"|"+r.TempatLahir+"|"+r.TanggalLahir+"|"+r.Office)
	}
	got := lines(t, pool, `SELECT nik || '|' || nama || '|' || tempat_lahir || '|' || tanggal_lahir || '|' || office FROM residents ORDER BY nik`)
	if !slices.Equal(got, want) {
		t.Fatalf("warehouse %d residents, registry %d; first: %v / %v", len(got), len(want), got[:1], want[:1])
	}
	if twice := lines(t, pool, `SELECT tbl || ' ' || stream || ' ' || seq FROM writes GROUP BY tbl, stream, seq HAVING count(*) > 1`); len(twice) > 0 {
		t.Fatalf("positions written twice: %v", twice)
	}
	var term int64
	if err := pool.QueryRow(ctx, `SELECT term FROM feeder`).Scan(&term); err != nil || term < 2 {
		t.Fatalf("feeder term %d (%v): want the new leader's", term, err)
	}
}

// ledgerSQL records every row write with its position, so a test can tell a
// position written twice.
const ledgerSQL = `CREATE TABLE writes (tbl text, stream text, seq bigint);
CREATE FUNCTION note_write() RETURNS trigger AS $$ BEGIN
	INSERT INTO writes VALUES (TG_TABLE_NAME, NEW.pos_stream, NEW.pos_seq); RETURN NULL; END $$ LANGUAGE plpgsql;
CREATE TRIGGER w AFTER INSERT OR UPDATE ON residents FOR EACH ROW EXECUTE FUNCTION note_write();
CREATE TRIGGER w AFTER INSERT OR UPDATE ON nik_state FOR EACH ROW EXECUTE FUNCTION note_write();
CREATE TRIGGER w AFTER INSERT OR UPDATE ON pending FOR EACH ROW EXECUTE FUNCTION note_write();`

func count(t *testing.T, pool *pgxpool.Pool, table string) int {
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func lines(t *testing.T, pool *pgxpool.Pool, q string) []string {
	rows, err := pool.Query(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}
