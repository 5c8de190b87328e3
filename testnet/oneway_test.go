package testnet

import (
	"context"
	"testing"
	"time"

	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

// TestOneWayCut: a kecamatan that still reaches the dinas but no longer
// hears it (or the reverse) exchanges nothing, since every exchange needs
// an answer; neither side hangs, and once healed they converge.
func TestOneWayCut(t *testing.T) {
	nw, err := Start(t.TempDir(), Options{Kecamatan: 1, SyncInterval: time.Hour, Mocknet: mocknet.New()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	d, k := nw.Nodes[dinasIdx], nw.Nodes[kecIdx]
	for _, deaf := range [][2]int{{kecIdx, dinasIdx}, {dinasIdx, kecIdx}} {
		if err := nw.CutOneWay(nw.Nodes[deaf[0]], nw.Nodes[deaf[1]]); err != nil {
			t.Fatal(err)
		}
		r, err := k.Requests.Create(SampleForm(deaf[0]))
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		k.SyncNow(ctx)
		d.SyncNow(ctx)
		hung := ctx.Err() != nil
		cancel()
		if hung {
			t.Fatal("a sync across a one-way link hung")
		}
		if _, err := d.Requests.Get(r.ID); err == nil {
			t.Fatalf("request %s crossed a link cut one way (%s deaf to %s)", r.ID, nw.Nodes[deaf[1]].Member().Office, nw.Nodes[deaf[0]].Member().Office)
		}
		nw.Heal(d, k)
		ctx, cancel = context.WithTimeout(context.Background(), 10*time.Second)
		k.SyncNow(ctx)
		cancel()
		if err := nw.WaitConverged(10 * time.Second); err != nil {
			t.Fatalf("after healing: %v", err)
		}
		if _, err := d.Requests.Get(r.ID); err != nil {
			t.Fatalf("request %s not at the dinas after healing: %v", r.ID, err)
		}
	}
}
