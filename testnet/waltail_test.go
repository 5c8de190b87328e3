package testnet

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// restartRecovering restarts dinas node i and turns a panic while it starts
// (raft.NewRaft panics when it cannot read its own log) into an error.
func restartRecovering(nw *Network, i int) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("restart panicked: %v", p)
		}
	}()
	return nw.Restart(i)
}

// A deposed leader whose uncommitted tail is overwritten by the new
// leader's entries (raft truncates the conflicting suffix of its log) must
// be able to restart. raft-wal v0.4.0 marks the truncated tail segment
// sealed without writing its index block (hashicorp/raft-wal#31), and on the
// next start raft.NewRaft panics reading it: "sealed segment has no index
// block".
func TestRestartAfterLogTailTruncation(t *testing.T) {
	if testing.Short() {
		t.Skip("elections and a restart")
	}
	nw, err := Start(t.TempDir(), Options{Dinas: 3, Kecamatan: dinasOnly, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	old, err := nw.WaitLeader(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	cmd := func(key string) *eventpb.Command {
		return &eventpb.Command{Key: key, Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{
			Region: "180601", BirthDate: "1990-08-17", Subject: key}}}
	}
	if _, err := old.Decisions.Decide(ctx, cmd("before")); err != nil {
		t.Fatal(err)
	}
	idx := -1
	for i, n := range nw.DinasNodes() {
		if n == old {
			idx = i
		} else {
			nw.Cut(old, n)
		}
	}
	// The isolated leader appends these to its log; they never commit.
	for i := range 3 {
		cctx, cancel := context.WithTimeout(ctx, 150*time.Millisecond)
		_, _ = old.Decisions.Decide(cctx, cmd(fmt.Sprintf("lost-%d", i)))
		cancel()
	}
	others := nw.DinasNodes()[(idx+1)%3]
	for i := range 5 {
		if _, err := others.Decisions.Decide(ctx, cmd(fmt.Sprintf("after-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nw.DinasNodes() {
		if n != old {
			nw.Heal(old, n)
		}
	}
	waitFor(t, "the deposed leader catches up", func() bool {
		a, _ := old.DecisionFSM().Counts()
		b, _ := others.DecisionFSM().Counts()
		return a == b
	})
	if err := restartRecovering(nw, idx); err != nil {
		t.Fatal(err)
	}
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
}
