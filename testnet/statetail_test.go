package testnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/decision"
)

// The decision state is written without fsync (the Raft log is the record),
// so a power cut can take its newest batches. Here a dinas server comes
// back with its state as it was several decisions ago, as after such a cut:
// Raft applies the missing entries again, the server ends with the same
// state as the others, and no decision is taken twice or differently.
func TestDecisionStateLosingItsTailIsReapplied(t *testing.T) {
	nw := startDinas(t, 3, dinasOnly)
	ctx := context.Background()
	// A follower's restart on two busy cores can cost the leader its lease
	// for a moment; the test follows the leader it finds.
	leader := func() *node.Node {
		l, err := nw.WaitLeader(20 * time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	decide := func(from, to int) {
		for i := from; i < to; i++ {
			cmd := assign("180603", fmt.Sprintf("p%d", i), i%2 == 0)
			cmd.Key = fmt.Sprintf("cmd-%d", i)
			if _, err := leader().Decisions.Decide(ctx, cmd); err != nil {
				t.Fatalf("command %d: %v", i, err)
			}
		}
	}
	f := follower(nw)
	caughtUp := func() bool {
		a, _ := nw.DinasNodes()[f].DecisionFSM().Counts()
		b, _ := leader().DecisionFSM().Counts()
		return a == b
	}
	decide(0, 5)
	waitFor(t, "the follower applies the first decisions", caughtUp)
	stale := filepath.Join(t.TempDir(), "decisions")
	if err := nw.RestartAfter(f, func(cfg node.Config) error {
		return os.CopyFS(stale, os.DirFS(filepath.Join(cfg.DataDir, "decisions")))
	}); err != nil {
		t.Fatal(err)
	}
	decide(5, 15)
	waitFor(t, "the follower applies the later decisions", caughtUp)

	// The cut: the follower's state rolls back to after decision 5.
	if err := nw.RestartAfter(f, func(cfg node.Config) error {
		dir := filepath.Join(cfg.DataDir, "decisions")
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		if err := os.Rename(stale, dir); err != nil {
			return err
		}
		return checkDecisions(cfg, 5)
	}); err != nil {
		t.Fatal(err)
	}
	back := nw.DinasNodes()[f]
	// The leader seals the open block within 100 ms of the last decision,
	// so the state to match is the leader's once both have applied as much.
	waitFor(t, "the follower's state after replay to equal the leader's", func() bool {
		got, _ := back.DecisionFSM().StateHash()
		want, _ := leader().DecisionFSM().StateHash()
		return caughtUp() && got == want
	})
	// Decisions it publishes again are the same events: nothing conflicts.
	decide(15, 16)
	if err := nw.WaitConverged(20 * time.Second); err != nil {
		t.Fatal(err)
	}
	for _, n := range nw.DinasNodes() {
		if c, err := n.Conflicts(); err != nil || len(c) > 0 {
			t.Fatalf("%s: conflicts %v, %v", n.ID(), c, err)
		}
		d, ok, err := n.Decisions.Decided("cmd-7")
		if err != nil || !ok || d.Number != 8 {
			t.Fatalf("%s: decision cmd-7 = %v %v %v", n.ID(), d, ok, err)
		}
	}
}

// checkDecisions opens a stopped node's decision state and checks how many
// decisions it holds.
func checkDecisions(cfg node.Config, want uint64) error {
	var key []byte
	if cfg.EncryptionKeyFile != "" {
		var err error
		if key, err = node.ReadKeyFile(cfg.EncryptionKeyFile); err != nil {
			return err
		}
	}
	db, err := decision.OpenDB(filepath.Join(cfg.DataDir, "decisions"), key)
	if err != nil {
		return err
	}
	defer db.Close()
	fsm, err := decision.NewFSM(db)
	if err != nil {
		return err
	}
	if _, n := fsm.Counts(); n != want {
		return fmt.Errorf("state holds %d decisions, want %d", n, want)
	}
	return nil
}
