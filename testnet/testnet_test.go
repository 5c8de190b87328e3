package testnet

import (
	"context"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/antientropy"
	"github.com/sinkron-id/sinkron/replication/event"
)

// A waiter on a raft future that raft never answers at shutdown
// (hashicorp/raft#498) stays parked by design; see consensus.(*Cluster).wait.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sinkron-id/sinkron/replication/consensus.(*Cluster).wait.func1"))
}

func start(t *testing.T, kec int) *Network {
	t.Helper()
	nw, err := Start(t.TempDir(), Options{Kecamatan: kec, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	return nw
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	waitForWithin(t, 15*time.Second, what, cond)
}

func waitForWithin(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// A kecamatan offline for a whole working day (300 requests, the load of a
// busy kecamatan, two photos each) keeps serving; once back, its
// requests reach the dinas, which walks them to Selesai, and every node
// converges, documents included.
// pendukung is the counter's role, which verifies and approves requests.
const pendukung = "petugas-pendukung-pelayanan"

func TestOfflineKecamatanDayThenConverges(t *testing.T) {
	nw := start(t, 3)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	kec.SetOnline(false)
	var ids []string
	for i := range 300 {
		r := must[*request.Request](t)(kec.Requests.Create(SampleForm(i)))
		if i%2 == 0 {
			must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, pendukung, "berkas lengkap", "Budi (operator)"))
		}
		ids = append(ids, r.ID)
	}
	time.Sleep(300 * time.Millisecond)
	if _, err := dinas.Requests.Get(ids[0]); err == nil {
		t.Fatal("request reached the dinas while its kecamatan was offline")
	}
	kec.SetOnline(true)
	if err := nw.WaitConverged(15 * time.Second); err != nil {
		t.Fatal(err)
	}
	r := must[*request.Request](t)(dinas.Requests.Get(ids[0]))
	if r.Status != request.Disetujui || r.Office != "Kecamatan Kota Agung" {
		t.Fatalf("at dinas: %+v", r)
	}
	if r.Holder != "dinas" {
		t.Fatalf("approved at the kecamatan, the file should be at the dinas: %s", r.Holder)
	}
	must[*request.Request](t)(dinas.Requests.Transition(r.ID, request.Diproses, "", "", "Andi (kasi data)"))
	must[*request.Request](t)(dinas.Requests.CompleteStep(r.ID, "konsolidasi-manual", "kasi-data", "", "Andi (kasi data)"))
	// Sinkronisasi DWH waits for the dinas cluster's consolidation decision,
	// which comes back through the replicated log.
	w := must[*request.Request](t)(dinas.Requests.CompleteStep(r.ID, "sinkronisasi-dwh", "adb-siak", "", "Dewi (ADB SIAK)"))
	// and for the warehouse's confirmation; then the request finishes by itself.
	if !w.Steps[1].Waiting || len(w.Steps[1].Awaiting) != 2 {
		t.Fatalf("DWH step should wait for a decision and the warehouse: %+v", w.Steps[1])
	}
	confirmWarehouse(t, dinas, r.ID)
	waitFor(t, "Selesai at the kecamatan", func() bool {
		got, err := kec.Requests.Get(r.ID)
		return err == nil && got.Status == request.Selesai
	})
	waitFor(t, "documents where they are needed", func() bool {
		for _, n := range nw.Nodes {
			if n.Status().BlobsMissing != 0 {
				return false
			}
		}
		return true
	})
	// The photos are at the dinas, which processes every file, and at the
	// counter that took them; another kecamatan never receives a resident's
	// photos (they are personal data, and its 3G link has better uses).
	for _, d := range r.Documents {
		h, err := event.ParseHash(d.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range nw.Nodes {
			info, _ := n.Blobs().Stat(h)
			want := n == dinas || n == kec
			if info.Complete != want {
				t.Fatalf("%s holds photo %s: %v, want %v", n.Member().Office, d.Name, info.Complete, want)
			}
		}
	}
}

// Two dinas servers apart move one request at once, one into processing
// and one to cancelled: every node shows the conflict; an officer's
// resolution ends it everywhere. (Two kecamatan cannot race: a request
// belongs to the counter that took it until its file goes to the dinas.)
func TestConcurrentProcessCancelSurfacesConflict(t *testing.T) {
	nw := startDinas(t, 2, 1)
	kec, a, b := nw.Kecamatan(0), nw.Nodes[0], nw.Nodes[1]
	r := must[*request.Request](t)(kec.Requests.Create(SampleForm(1)))
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, pendukung, "", "Budi"))
	if err := nw.WaitConverged(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	a.SetOnline(false)
	must[*request.Request](t)(a.Requests.Transition(r.ID, request.Diproses, "", "", "Budi"))
	must[*request.Request](t)(b.Requests.Transition(r.ID, request.Dibatalkan, "", "KK tidak terbaca", "Sari"))
	a.SetOnline(true)
	if err := nw.WaitConverged(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, n := range nw.Nodes {
		got := must[*request.Request](t)(n.Requests.Get(r.ID))
		if !got.InConflict() || got.Conflicts[0].Field != "status" || len(got.Conflicts[0].Values) != 2 {
			t.Fatalf("%s: want status conflict, got %+v", n.Member().Office, got.Conflicts)
		}
	}
	if _, err := a.Requests.Transition(r.ID, request.Diproses, "", "", "Budi"); err == nil {
		t.Fatal("transition allowed while in conflict")
	}
	got := must[*request.Request](t)(nw.Dinas().Requests.Get(r.ID))
	chosen := got.Conflicts[0].Values[0]
	must[*request.Request](t)(nw.Dinas().Requests.Resolve(r.ID, "status", chosen.Event, "dikonfirmasi via telepon", "Andi"))
	waitFor(t, "resolution everywhere", func() bool {
		for _, n := range nw.Nodes {
			got, err := n.Requests.Get(r.ID)
			if err != nil || got.InConflict() || got.Status.String() != chosen.Value {
				return false
			}
		}
		return true
	})
}

// With its own link to the dinas cut, a kecamatan's request reaches the
// dinas through a neighbouring kecamatan. Its connection to the neighbour
// being new, it first gives the dinas link some seconds to come back
// (antientropy's hubGrace), as a kecamatan back online does.
func TestRelayThroughNeighbour(t *testing.T) {
	nw := start(t, 2)
	a, b, dinas := nw.Kecamatan(0), nw.Kecamatan(1), nw.Dinas()
	nw.Cut(a, dinas)
	r := must[*request.Request](t)(a.Requests.Create(SampleForm(3)))
	waitForWithin(t, 45*time.Second, "request at the dinas via the neighbour", func() bool {
		_, err := dinas.Requests.Get(r.ID)
		return err == nil
	})
	for _, p := range a.Peers() {
		if p.Peer == dinas.ID() && p.Connected {
			t.Fatal("cut link is connected")
		}
	}
	if _, err := b.Requests.Get(r.ID); err != nil {
		t.Fatalf("the neighbour that relayed it does not hold it: %v", err)
	}
}

// A host that is not on the roster cannot reach any office: its connection
// is closed once the handshake names it (the dial may briefly look open,
// since libp2p negotiates the muxer inside the handshake), so no stream
// and no sync ever runs.
func TestOutsiderRefused(t *testing.T) {
	nw := start(t, 1)
	h, err := libp2p.New(libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	for _, n := range nw.Nodes {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = h.Connect(ctx, peer.AddrInfo{ID: n.ID(), Addrs: n.Addrs()})
		s, err := h.NewStream(ctx, n.ID(), antientropy.Protocol)
		if err == nil {
			_, err = s.Read(make([]byte, 1))
		}
		cancel()
		if err == nil {
			t.Fatalf("outsider opened a sync stream to %s", n.Member().Office)
		}
	}
}

// Every dinas server ends up with a kecamatan's photos, though only the
// Raft leader pulls them over the kecamatan's link; the others copy them.
func TestPhotosReachEveryDinasServer(t *testing.T) {
	nw := startDinas(t, 3, 1)
	kec := nw.Kecamatan(0)
	r := must[*request.Request](t)(kec.Requests.Create(SampleForm(7)))
	waitFor(t, "the photos at every dinas server", func() bool {
		for _, d := range nw.DinasNodes() {
			got, err := d.Requests.Get(r.ID)
			if err != nil || d.Status().BlobsMissing != 0 {
				return false
			}
			for _, doc := range got.Documents {
				h, _ := event.ParseHash(doc.SHA256)
				if info, _ := d.Blobs().Stat(h); !info.Complete {
					return false
				}
			}
		}
		return true
	})
}
