package consensus

import (
	"io"
	"testing"
	"time"

	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/internal/testdisk"
)

// The leader sends a batch while its own disk still writes it; until that
// write is done, raft's early commit must show nowhere: the client has no
// answer, and neither the leader nor a follower applies the entry.
func TestLeaderActsOnlyOnWhatItsDiskHolds(t *testing.T) {
	g := testdisk.NewGate()
	nodes := newGroup(t, 3, fast, func(c *Config) { c.beforeSync = g.Wait })
	t.Cleanup(g.Open) // before the nodes stop: a held leader cannot
	leader := waitLeader(t, nodes...)
	propose(t, leader, 0, 1)

	g.Shut()
	answered := make(chan error, 1)
	go func() {
		_, err := leader.c.Propose(ctxT(t, 30*time.Second), kvCmd("held", "held"))
		answered <- err
	}()
	last := func(n *node) uint64 { return n.c.Raft().LastIndex() }
	eventually(t, 10*time.Second, func() bool {
		want := last(leader)
		for _, f := range followers(nodes, leader) {
			if last(f) < want {
				return false
			}
		}
		return want > 0
	})
	time.Sleep(300 * time.Millisecond) // a commit timeout and more
	select {
	case err := <-answered:
		t.Fatalf("the proposal was answered (%v) before the leader's disk held it", err)
	default:
	}
	for _, n := range nodes {
		if _, ok := n.fsm.get("held"); ok {
			t.Fatalf("%s applied an entry the leader's disk did not hold yet", n.id)
		}
	}

	g.Open()
	if err := <-answered; err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, func() bool {
		for _, n := range nodes {
			if _, ok := n.fsm.get("held"); !ok {
				return false
			}
		}
		return true
	})
}

type fakeDurable struct{ mark uint64 }

func (f *fakeDurable) Durable() uint64          { return f.mark }
func (f *fakeDurable) WaitDurable(uint64) error { return nil }

// The commit index a follower is told never passes the leader's mark, on
// both of raft's paths: single AppendEntries and the pipeline.
func TestClampedTransport(t *testing.T) {
	newTrans := func() *raft.NetworkTransport {
		tr, err := raft.NewTCPTransport("127.0.0.1:0", nil, 2, time.Second, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tr.Close() })
		return tr
	}
	follower, leader := newTrans(), newTrans()
	got := make(chan uint64, 4)
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case rpc := <-follower.Consumer():
				got <- rpc.Command.(*raft.AppendEntriesRequest).LeaderCommitIndex
				rpc.Respond(&raft.AppendEntriesResponse{Success: true}, nil)
			case <-stop:
				return
			}
		}
	}()
	defer func() { close(stop); <-stopped }()
	ct := clampedTransport{leader, &fakeDurable{mark: 5}}
	id, to := raft.ServerID("f"), follower.LocalAddr()
	req := func(commit uint64) *raft.AppendEntriesRequest {
		return &raft.AppendEntriesRequest{RPCHeader: raft.RPCHeader{Addr: []byte("l")}, Term: 1, PrevLogEntry: 1, LeaderCommitIndex: commit}
	}
	for _, c := range []struct{ commit, want uint64 }{{9, 5}, {3, 3}} {
		if err := ct.AppendEntries(id, to, req(c.commit), &raft.AppendEntriesResponse{}); err != nil {
			t.Fatal(err)
		}
		if g := <-got; g != c.want {
			t.Fatalf("commit %d with the mark at 5 arrived as %d, want %d", c.commit, g, c.want)
		}
	}
	p, err := ct.AppendEntriesPipeline(id, to)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := p.AppendEntries(req(8), &raft.AppendEntriesResponse{}); err != nil {
		t.Fatal(err)
	}
	if g := <-got; g != 5 {
		t.Fatalf("pipelined commit 8 with the mark at 5 arrived as %d, want 5", g)
	}
}
