package testnet

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/roster"
)

func startDinas(t *testing.T, dinas, kec int) *Network {
	t.Helper()
	nw, err := Start(t.TempDir(), Options{Dinas: dinas, Kecamatan: kec, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	return nw
}

func assign(region, subject string, female bool) *eventpb.Command {
	return &eventpb.Command{Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: region, BirthDate: "1990-08-17", Female: female, Subject: subject}}}
}

func follower(nw *Network) int {
	for i, n := range nw.DinasNodes() {
		if !n.Cluster().IsLeader() {
			return i
		}
	}
	return -1
}

// A command sent to any dinas node is decided once, read back
// linearizably from another, and published to every office's replica.
func TestDecisionsThroughAnyDinasNodeReachEveryOffice(t *testing.T) {
	nw := startDinas(t, 3, 1)
	ctx := context.Background()
	f := nw.DinasNodes()[follower(nw)]
	d, err := f.Decisions.Decide(ctx, assign("180601", "penduduk-1", true))
	if err != nil || d.Nik != "1806015708900001" {
		t.Fatalf("decision %v, %v", d, err)
	}
	for _, n := range nw.DinasNodes() {
		holder, ok, err := n.Decisions.LookupNIK(ctx, d.Nik)
		if err != nil || !ok || holder != "penduduk-1" {
			t.Fatalf("%s reads %q %v %v", n.Member().Office, holder, ok, err)
		}
	}
	waitFor(t, "decision at the kecamatan", func() bool {
		got, ok, _ := nw.Kecamatan(0).Decisions.Decided(d.Key)
		return ok && got.Nik == d.Nik
	})
}

// The leader dies while commands are being decided: a new leader takes
// over, nothing acknowledged is lost, and the restarted node catches up to
// the same state as the others.
func TestLeaderLossLosesNothing(t *testing.T) {
	nw := startDinas(t, 3, 0)
	ctx := context.Background()
	down := -1
	var acked []*eventpb.Decision
	for i := range 30 {
		if i == 10 {
			for j, n := range nw.DinasNodes() {
				if n.Cluster().IsLeader() {
					down = j
					n.Close()
				}
			}
		}
		d, err := decideAnywhere(ctx, nw, down, &eventpb.Command{Key: fmt.Sprintf("cmd-%d", i), Op: assign("180602", fmt.Sprintf("p%d", i), false).Op})
		if err != nil {
			t.Fatalf("command %d: %v", i, err)
		}
		acked = append(acked, d)
	}
	if err := nw.Restart(down); err != nil {
		t.Fatal(err)
	}
	back := nw.DinasNodes()[down]
	waitFor(t, "the restarted node catches up", func() bool {
		_, n := back.DecisionFSM().Counts()
		return n == uint64(len(acked))
	})
	want, _ := nw.DinasNodes()[(down+1)%3].DecisionFSM().StateHash()
	got, _ := back.DecisionFSM().StateHash()
	if got != want {
		t.Fatal("restarted node's state differs")
	}
	for _, d := range acked {
		if holder, ok, err := back.Decisions.LookupNIK(ctx, d.Nik); err != nil || !ok || holder != d.Command.GetAssignNik().Subject {
			t.Fatalf("acknowledged %s lost: %q %v %v", d.Nik, holder, ok, err)
		}
	}
}

// decideAnywhere tries every live dinas node, as a client with a list of
// servers would, retrying through an election.
func decideAnywhere(ctx context.Context, nw *Network, down int, cmd *eventpb.Command) (*eventpb.Decision, error) {
	var err error
	for attempt := range 20 {
		n := nw.DinasNodes()[attempt%3]
		if attempt%3 == down {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		var d *eventpb.Decision
		d, err = n.Decisions.Decide(cctx, cmd)
		cancel()
		if err == nil {
			return d, nil
		}
	}
	return nil, err
}

// An offline kecamatan gives NIKs from its lease; when they reach the dinas
// they are confirmed, and central assignment never hands out the same one.
func TestOfflineLeaseNIKsConfirmedWithoutCollision(t *testing.T) {
	nw := startDinas(t, 1, 1)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	self := kec.ID().String()
	key, err := kec.Decisions.Request(&eventpb.Command{Op: &eventpb.Command_LeaseNikSlots{LeaseNikSlots: &eventpb.LeaseNIKSlots{Node: self, Region: "180601", Count: 5}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "lease granted at the kecamatan", func() bool {
		d, ok, _ := kec.Decisions.Decided(key)
		return ok && d.Refused == "" && d.SerialTo == 9999
	})
	kec.SetOnline(false)
	var keys []string
	for i := range 3 {
		nik, k, err := kec.Decisions.AssignFromLease("180601", "1990-08-17", true, fmt.Sprintf("offline-%d", i))
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("180601570890%04d", 9995+i); nik != want {
			t.Fatalf("offline NIK %s, want %s", nik, want)
		}
		keys = append(keys, k)
	}
	// Two counters of the same office at once never give one NIK twice.
	var mu sync.Mutex
	given := map[string]bool{}
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Go(func() {
			nik, k, err := kec.Decisions.AssignFromLease("180601", "1990-08-17", true, fmt.Sprintf("loket-%d", i))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if given[nik] {
				t.Errorf("NIK %s given twice", nik)
			}
			given[nik] = true
			keys = append(keys, k)
		})
	}
	wg.Wait()
	central, err := dinas.Decisions.Decide(context.Background(), assign("180601", "central", true))
	if err != nil {
		t.Fatal(err)
	}
	kec.SetOnline(true)
	for _, k := range keys {
		waitFor(t, "confirmation", func() bool {
			d, ok, _ := kec.Decisions.Decided(k)
			return ok && d.Refused == "" && d.Nik != central.Nik
		})
	}
}

// Blank serials go to a print station; a second card for a NIK revokes the
// first, so there is one active card; a used blank cannot be used again.
func TestOneActiveCardPerNIK(t *testing.T) {
	nw := startDinas(t, 3, 0)
	ctx := context.Background()
	svc := nw.DinasNodes()[follower(nw)].Decisions
	blanks, err := svc.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_AllocateBlankSerials{AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "dinas-cetak-1", Count: 10}}})
	if err != nil || blanks.SerialFrom != 1 || blanks.SerialTo != 10 {
		t.Fatalf("blanks %v %v", blanks, err)
	}
	issue := func(serial uint64) (*eventpb.Decision, error) {
		return svc.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_IssueCard{IssueCard: &eventpb.IssueCard{Nik: "1806011708900001", BlankSerial: serial}}})
	}
	if _, err := issue(1); err != nil {
		t.Fatal(err)
	}
	second, err := issue(2)
	if err != nil || second.RevokedCard != 1 {
		t.Fatalf("replacement: %v %v", second, err)
	}
	if _, err := issue(2); err == nil {
		t.Fatal("a used blank was accepted again")
	}
	if serial, err := svc.ActiveCard(ctx, "1806011708900001"); err != nil || serial != 2 {
		t.Fatalf("active card %d %v", serial, err)
	}
	_ = decision.Kind
}

// A fourth dinas server joins: a roster decision admits it everywhere, it
// comes in as a non-voter, catches up, becomes a voter and can lead.
func TestAddDinasServer(t *testing.T) {
	nw := startDinas(t, 3, 1)
	ctx := context.Background()
	leader, err := nw.WaitLeader(20 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := leader.Decisions.Decide(ctx, assign("180601", fmt.Sprintf("before-%d", i), false)); err != nil {
			t.Fatal(err)
		}
	}
	i, err := nw.Join(node.OfficeSpec{Name: "Dinas Dukcapil (server 4)", Role: roster.Dinas, Region: "1806"})
	if err != nil {
		t.Fatal(err)
	}
	newbie := nw.Nodes[i]
	addr := newbie.Addrs()[0].String()
	_, err = leader.Decisions.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_ChangeRoster{ChangeRoster: &eventpb.ChangeRoster{
		Op: "tambah", Peer: newbie.ID().String(), Office: "Dinas Dukcapil (server 4)", Role: "dinas", Region: "1806", Addrs: []string{addr}}}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the roster admits the new server everywhere", func() bool {
		for _, n := range nw.Nodes[:i] {
			if !n.Roster().Admits(newbie.ID()) {
				return false
			}
		}
		return true
	})
	nw.Introduce(i)
	c := leader.Cluster()
	if err := c.AddNonvoter(ctx, newbie.ID()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new server catches up", func() bool {
		_, n := newbie.DecisionFSM().Counts()
		_, want := leader.DecisionFSM().Counts()
		return n == want && n > 0
	})
	if err := c.AddVoter(ctx, newbie.ID()); err != nil {
		t.Fatal(err)
	}
	if err := c.TransferLeadership(ctx, newbie.ID()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the new server leads", func() bool { return newbie.Cluster().IsLeader() })
	d, err := newbie.Decisions.Decide(ctx, assign("180601", "after", false))
	if err != nil || d.Nik != "1806011708900006" {
		t.Fatalf("decision under the new leader: %v %v", d, err)
	}
	st, err := newbie.Cluster().Status(ctx)
	if err != nil || len(st.Servers) != 4 {
		t.Fatalf("status %+v %v", st, err)
	}
	if m, ok := newbie.Roster().Member(newbie.ID()); !ok || newbie.Member().Office != m.Office {
		t.Fatalf("the new server does not know itself: %+v", newbie.Member())
	}
}
