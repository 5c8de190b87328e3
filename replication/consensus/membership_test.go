package consensus

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

func TestMembershipAndStatus(t *testing.T) {
	nodes := newGroup(t, 3, fast)
	leader := waitLeader(t, nodes...)
	f := followers(nodes, leader)
	ctx := ctxT(t, 60*time.Second)
	propose(t, leader, 0, 10)

	// A fourth office joins as a nonvoter (asked through a follower), catches
	// up, then gets a vote.
	d := newNode(t, fast)
	for _, n := range nodes {
		connect(t, d, n)
	}
	if err := f[0].c.AddNonvoter(ctx, d.id); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() bool { return d.fsm.len() == 10 })
	checkSuffrage(t, leader, d.id, "Nonvoter")
	if err := f[1].c.AddVoter(ctx, d.id); err != nil {
		t.Fatal(err)
	}
	checkSuffrage(t, leader, d.id, "Voter")

	// Leadership moves to the chosen node, asked from a third one.
	if err := d.c.TransferLeadership(ctx, f[0].id); err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(nodes), d)
	if got := waitLeader(t, all...); got != f[0] {
		t.Fatalf("leader after transfer = %s, want %s", got.id, f[0].id)
	}

	// The old leader is removed; the rest carry on.
	if err := d.c.RemoveServer(ctx, leader.id); err != nil {
		t.Fatal(err)
	}
	rest := []*node{f[0], f[1], d}
	propose(t, f[1], 10, 20)
	st := checkStatus(t, f[1], f[0].id, rest)
	if st.State != "Follower" {
		t.Fatalf("follower status state = %s", st.State)
	}
	st, err := f[0].c.Status(ctx)
	if err != nil || st.State != "Leader" {
		t.Fatalf("leader status = %+v, %v", st, err)
	}
	// A member that is down is reported unreachable, not waited for.
	f[1].stop(t)
	start := time.Now()
	st, err = f[0].c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Servers {
		if s.ID == f[1].id && s.Reachable {
			t.Fatalf("stopped member reported reachable: %+v", s)
		}
	}
	if el := time.Since(start); el > 3*time.Second {
		t.Fatalf("status took %v with a member down", el)
	}
}

func checkSuffrage(t *testing.T, n *node, id peer.ID, want string) {
	t.Helper()
	eventually(t, 10*time.Second, func() bool {
		st, err := n.c.Status(ctxT(t, 5*time.Second))
		if err != nil {
			return false
		}
		for _, s := range st.Servers {
			if s.ID == id {
				return s.Suffrage == want
			}
		}
		return false
	})
}

// checkStatus waits until n's status shows the members, the leader and
// every follower caught up with lag measured from the leader, and returns it.
// A follower learns the commit index one heartbeat after the leader, so the
// lag is polled rather than read once.
func checkStatus(t *testing.T, n *node, leader peer.ID, members []*node) Status {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := n.c.Status(ctxT(t, 5*time.Second))
		problem := statusProblem(st, leader, members)
		if err != nil {
			problem = err.Error()
		}
		if problem == "" {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatal(problem)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func statusProblem(st Status, leader peer.ID, members []*node) string {
	if st.Term == 0 || st.Leader != leader || st.AppliedIndex == 0 || st.CommitIndex < st.AppliedIndex || st.LastLogIndex < st.CommitIndex {
		return fmt.Sprintf("status = %+v", st)
	}
	if len(st.Servers) != len(members) {
		return fmt.Sprintf("servers = %+v, want %d", st.Servers, len(members))
	}
	for _, m := range members {
		i := slices.IndexFunc(st.Servers, func(s ServerStatus) bool { return s.ID == m.id })
		if i < 0 {
			return fmt.Sprintf("member %s missing from %+v", m.id, st.Servers)
		}
		s := st.Servers[i]
		if !s.Reachable || s.AppliedIndex == 0 || s.Suffrage != "Voter" {
			return fmt.Sprintf("member %s: %+v", m.id, s)
		}
		// 20 commands applied everywhere; what remains is at most the
		// latest no-op/configuration entries still in flight.
		if s.Lag > 5 {
			return fmt.Sprintf("member %s lags %d entries: %+v", m.id, s.Lag, st)
		}
	}
	return ""
}
