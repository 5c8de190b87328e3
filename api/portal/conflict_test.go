package portal_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

// Two dinas servers apart move one request at once, into processing and
// to cancelled; an officer resolves the conflict for the cancellation. The
// resident reads the request's story: received, approved, cancelled with
// the reason. Neither the resolution ("Tidak diketahui" before) nor the
// processing it overruled is theirs to read.
func TestResolvedConflictIsNotInTheResidentsHistory(t *testing.T) {
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Dinas: 2, Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	kec, a, b := nw.Kecamatan(0), nw.Nodes[0], nw.Nodes[1]
	r, err := kec.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kec.Requests.Transition(r.ID, request.Disetujui, "petugas-pendukung-pelayanan", "", "Budi"); err != nil {
		t.Fatal(err)
	}
	if err := nw.WaitConverged(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	a.SetOnline(false)
	if _, err := a.Requests.Transition(r.ID, request.Diproses, "", "", "Andi"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Requests.Transition(r.ID, request.Dibatalkan, "", "KK tidak terbaca", "Sari"); err != nil {
		t.Fatal(err)
	}
	a.SetOnline(true)
	if err := nw.WaitConverged(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	got, err := a.Requests.Get(r.ID)
	if err != nil || !got.InConflict() {
		t.Fatalf("want a conflict: %+v %v", got, err)
	}
	_, err = a.Requests.Transition(r.ID, request.Selesai, "", "", "Andi")
	if err == nil || !strings.Contains(err.Error(), "oleh Operator Kecamatan, Operator Dinas, Kepala Seksi") {
		t.Fatalf("the refusal does not say who resolves: %v", err)
	}
	var cancel string
	for _, v := range got.Conflicts[0].Values {
		if v.Value == request.Dibatalkan.String() {
			cancel = v.Event
		}
	}
	if _, err := a.Requests.Resolve(r.ID, "status", cancel, "dikonfirmasi via telepon", "Andi"); err != nil {
		t.Fatal(err)
	}

	browser := newBrowser(t, serve(t, a))
	p := browser.track(r.ID, residentNIK)
	contains(t, p, `id="status-permohonan">Dibatalkan<`, "Diterima", "Disetujui", "Alasan dari petugas: KK tidak terbaca")
	for _, hidden := range []string{"Tidak diketahui", "Konflik", "dikonfirmasi via telepon", "Sedang diproses"} {
		if strings.Contains(p.body, hidden) {
			t.Errorf("the resident reads %q:\n%s", hidden, p.body)
		}
	}
	if n := strings.Count(p.body, "<li><strong>"); n != 3 {
		t.Errorf("%d history entries, want 3 (received, approved, cancelled)", n)
	}
}
