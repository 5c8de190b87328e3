package consensus

import (
	"bufio"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/sinkron-id/sinkron/replication/internal/testdisk"
)

func TestProposeAndQueryFromFollower(t *testing.T) {
	nodes := newGroup(t, 3, fast)
	leader := waitLeader(t, nodes...)
	f := followers(nodes, leader)[0]
	ctx := ctxT(t, 20*time.Second)

	out, err := f.c.Propose(ctx, kvCmd("nik", "1806015708900003"))
	if err != nil || string(out) != "1806015708900003" {
		t.Fatalf("forwarded propose = %q, %v", out, err)
	}
	// Re-proposal (as after a lost answer) returns the first decision.
	if out, err := f.c.Propose(ctx, kvCmd("nik", "other")); err != nil || string(out) != "1806015708900003" {
		t.Fatalf("re-proposal = %q, %v", out, err)
	}
	got, err := f.c.Query(ctx, []byte("nik"))
	if err != nil || string(got) != "1806015708900003" {
		t.Fatalf("follower query = %q, %v", got, err)
	}
	if _, err := leader.c.Query(ctx, []byte("nik")); err != nil {
		t.Fatalf("leader query: %v", err)
	}
	// FSM and Querier errors are final: the original value on the leader,
	// a RemoteError with its text through a follower.
	if _, err := leader.c.Propose(ctx, kvCmd("x", "fail")); !errors.Is(err, errRefused) {
		t.Fatalf("leader FSM error = %v", err)
	}
	var re *RemoteError
	if _, err := f.c.Propose(ctx, kvCmd("y", "fail")); !errors.As(err, &re) || re.Msg != errRefused.Error() {
		t.Fatalf("follower FSM error = %v", err)
	}
	if _, err := f.c.Query(ctx, []byte("absent")); !errors.As(err, &re) {
		t.Fatalf("follower query of absent key = %v", err)
	}
	for _, n := range nodes {
		eventually(t, 5*time.Second, func() bool { v, _ := n.fsm.get("nik"); return v == "1806015708900003" })
	}
}

func TestLeaderFailoverAndRestart(t *testing.T) {
	nodes := newGroup(t, 3, fast)
	old := waitLeader(t, nodes...)
	ctx := ctxT(t, 60*time.Second)
	propose(t, nodes[0], 0, 20)
	old.stop(t)

	rest := followers(nodes, old)
	leader := waitLeader(t, rest...)
	propose(t, followers(rest, leader)[0], 20, 40)
	propose(t, leader, 40, 60)

	old.start(t, fast)
	for _, n := range rest {
		connect(t, old, n)
	}
	// The restarted node has its log; what it missed it gets from the leader.
	eventually(t, 20*time.Second, func() bool { return old.fsm.len() == 60 })
	if _, err := old.c.Propose(ctx, kvCmd("after-restart", "ok")); err != nil {
		t.Fatal(err)
	}
	for _, n := range nodes {
		eventually(t, 5*time.Second, func() bool { _, ok := n.fsm.get("after-restart"); return ok })
	}
}

// A node that missed more than the leader's log still holds catches up by
// an installed snapshot. With an at-rest key the snapshot travels from the
// leader's sealed store to the follower's, and no file of any node holds a
// command in clear; without one the same scan finds it, so the scan works.
func TestLaggingNodeGetsSnapshot(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  []byte
	}{
		{"clear", nil},
		{"encrypted", testKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nodes, lag := catchUpBySnapshot(t, func(c *Config) { c.EncryptionKey = tc.key })
			var found []string
			for _, n := range nodes {
				found = append(found, testdisk.FilesContaining(t, n.dir, []byte(nikMarker))...)
			}
			if clear := tc.key == nil; clear != (len(found) > 0) {
				t.Fatalf("marker in %v", found)
			}
			if v, _ := lag.fsm.get("nik"); v != nikMarker {
				t.Fatalf("lagging node has nik = %q", v)
			}
		})
	}
}

// nikMarker is a command value that must not reach the disk in clear.
const nikMarker = "NIK-1806015708900003-SITI-AMINAH"

// catchUpBySnapshot stops a follower, commits past the leader's trailing
// log and snapshots, restarts the follower and checks it caught up from
// the snapshot. It returns the group and the lagging node.
func catchUpBySnapshot(t *testing.T, key tune) ([]*node, *node) {
	small := func(c *Config) {
		fast(c)
		key(c)
		c.SnapshotThreshold, c.TrailingLogs = 32, 8
	}
	nodes := newGroup(t, 3, small)
	leader := waitLeader(t, nodes...)
	lag := followers(nodes, leader)[0]
	propose(t, leader, 0, 5)
	eventually(t, 5*time.Second, func() bool { return lag.fsm.len() == 5 })
	lag.stop(t)

	if _, err := leader.c.Propose(ctxT(t, 30*time.Second), kvCmd("nik", nikMarker)); err != nil {
		t.Fatal(err)
	}
	propose(t, leader, 5, 205)
	// Every running server snapshots and drops its older log, not only the
	// leader: on a loaded machine leadership can move to the other
	// follower, whose full log would then catch the lagging node up
	// without a snapshot.
	for _, n := range nodes {
		if n == lag {
			continue
		}
		eventually(t, 10*time.Second, func() bool { return n.fsm.len() == 206 })
		if err := n.c.Raft().Snapshot().Error(); err != nil && !errors.Is(err, raft.ErrNothingNewToSnapshot) {
			t.Fatalf("snapshot: %v", err)
		}
	}
	first := leader.c.Raft().Stats()["last_snapshot_index"]

	lag.start(t, small)
	for _, n := range nodes {
		if n != lag {
			connect(t, lag, n)
		}
	}
	eventually(t, 20*time.Second, func() bool { return lag.fsm.len() == 206 })
	lag.fsm.mu.Lock()
	restores, restored := lag.fsm.restores, lag.fsm.restored
	lag.fsm.mu.Unlock()
	// The log before the leader's snapshot is gone, so only an installed
	// snapshot (far more keys than the node ever had) can explain the catch-up.
	if restores == 0 || restored < 150 {
		t.Fatalf("lagging node: %d restores, %d keys after the last (leader snapshot at %s)", restores, restored, first)
	}
	return nodes, lag
}

// propose commits keys k<from>..k<to-1> through n.
func propose(t *testing.T, n *node, from, to int) {
	t.Helper()
	ctx := ctxT(t, 30*time.Second)
	for i := from; i < to; i++ {
		k := fmt.Sprintf("k%d", i)
		if out, err := n.c.Propose(ctx, kvCmd(k, k)); err != nil || string(out) != k {
			t.Fatalf("propose %s via %s: %q, %v", k, n.id, out, err)
		}
	}
}

func TestGateRefusesStrangers(t *testing.T) {
	nodes := newGroup(t, 1, func(c *Config) {
		fast(c)
		c.Allows = func(p peer.ID) bool { return p == c.Host.ID() }
	})
	stranger := newNode(t, fast)
	connect(t, stranger, nodes[0])
	for _, proto := range []protocol.ID{RaftProtocol, ForwardProtocol} {
		s, err := stranger.h.NewStream(ctxT(t, 5*time.Second), nodes[0].id, proto)
		if err != nil {
			continue // refused at negotiation: also fine
		}
		_ = frames.Write(s, kindStatus, nil)
		if _, _, err := frames.Read(bufio.NewReader(s)); err == nil {
			t.Fatalf("%s: a stranger got an answer", proto)
		}
		s.Reset()
	}
	if _, err := nodes[0].c.layer.Dial(RaftAddr(stranger.id), time.Second); err == nil {
		t.Fatal("dialed a peer the gate refuses")
	}
}

func TestCloseIsFinal(t *testing.T) {
	nodes := newGroup(t, 1, fast)
	c := nodes[0].c
	if _, err := c.Propose(ctxT(t, 5*time.Second), kvCmd("a", "b")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := c.Propose(ctxT(t, time.Second), kvCmd("c", "d")); !errors.Is(err, ErrClosed) {
		t.Fatalf("propose after close = %v", err)
	}
}

// Close must not wait for a commit that cannot happen: with its followers
// gone, a leader's pending proposal ends with ErrClosed.
func TestCloseWithoutQuorum(t *testing.T) {
	nodes := newGroup(t, 3, fast)
	leader := waitLeader(t, nodes...)
	for _, f := range followers(nodes, leader) {
		f.stop(t)
	}
	done := make(chan error, 1)
	go func() {
		_, err := leader.c.Propose(ctxT(t, time.Minute), kvCmd("stuck", "v"))
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	if err := leader.c.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("pending propose = %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("propose still pending after Close")
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("close took %v", el)
	}
}
