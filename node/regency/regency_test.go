package regency

import (
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/replication/roster"
)

// TestStart starts a regency of two dinas servers and one kecamatan: the
// group elects a leader, every office knows the others from the one
// genesis, and an account created at the dinas reaches the kecamatan.
func TestStart(t *testing.T) {
	r, err := Start(t.TempDir(), Options{Dinas: 2, Kecamatan: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if len(r.Nodes) != 3 || len(r.DinasNodes()) != 2 {
		t.Fatalf("%d nodes, %d dinas; want 3 and 2", len(r.Nodes), len(r.DinasNodes()))
	}
	if m := r.Kecamatan(0).Member(); m.Role != roster.Kecamatan || m.Region != Regions[0] {
		t.Fatalf("kecamatan 0 is %+v", m)
	}
	if _, err := r.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := r.Dinas().Accounts.Bootstrap("adb", "Admin", "sandi-rahasia-panjang"); err != nil {
		t.Fatal(err)
	}
	if err := r.WaitConverged(20 * time.Second); err != nil {
		t.Fatal(err)
	}
}
