package consensus

import (
	"context"
	"sync"
	"time"

	"github.com/hashicorp/raft"
	"github.com/libp2p/go-libp2p/core/peer"
)

// probeTimeout bounds each server's status probe: Status is for operators
// and dashboards and must answer even with a member down.
const probeTimeout = time.Second

// Status is this node's view of the group.
type Status struct {
	ID           peer.ID
	Leader       peer.ID
	State        string // Follower, Candidate, Leader or Shutdown
	Term         uint64
	CommitIndex  uint64
	AppliedIndex uint64
	LastLogIndex uint64
	Servers      []ServerStatus
}

// ServerStatus is one member of the configuration as probed just now.
type ServerStatus struct {
	ID       peer.ID
	Suffrage string // Voter, Nonvoter or Staging
	// AppliedIndex is what the server reported; 0 when unreachable.
	AppliedIndex uint64
	// Lag is the leader's last log index minus AppliedIndex.
	Lag       uint64
	Reachable bool
}

func (c *Cluster) selfStatus() nodeStatus {
	return nodeStatus{Applied: c.r.AppliedIndex(), LastLog: c.r.LastIndex(), Term: c.r.CurrentTerm()}
}

// Status reports this node's Raft state and probes every configured server
// (concurrently, each bounded by a short timeout) for its applied index.
func (c *Cluster) Status(ctx context.Context) (Status, error) {
	if c.isClosed() {
		return Status{}, ErrClosed
	}
	cf := c.r.GetConfiguration()
	if err := cf.Error(); err != nil {
		return Status{}, err
	}
	self := c.selfStatus()
	st := Status{
		ID: c.self, Leader: c.Leader(), State: c.r.State().String(),
		Term: self.Term, CommitIndex: c.r.CommitIndex(), AppliedIndex: self.Applied, LastLogIndex: self.LastLog,
	}
	servers := cf.Configuration().Servers
	probes := make([]nodeStatus, len(servers))
	ok := make([]bool, len(servers))
	var wg sync.WaitGroup
	for i, s := range servers {
		wg.Go(func() { probes[i], ok[i] = c.probe(ctx, s.ID, self) })
	}
	wg.Wait()
	leaderLast := self.LastLog
	for i, s := range servers {
		if ok[i] && string(s.ID) == st.Leader.String() {
			leaderLast = probes[i].LastLog
		}
	}
	for i, s := range servers {
		id, _ := peer.Decode(string(s.ID))
		ss := ServerStatus{ID: id, Suffrage: s.Suffrage.String(), Reachable: ok[i]}
		if ok[i] {
			ss.AppliedIndex = probes[i].Applied
			ss.Lag = leaderLast - min(leaderLast, ss.AppliedIndex)
		}
		st.Servers = append(st.Servers, ss)
	}
	return st, nil
}

// probe asks one server for its indexes; this node answers for itself.
func (c *Cluster) probe(ctx context.Context, id raft.ServerID, self nodeStatus) (nodeStatus, bool) {
	if string(id) == c.self.String() {
		return self, true
	}
	p, err := peer.Decode(string(id))
	if err != nil {
		return nodeStatus{}, false
	}
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	out, err := c.fwd.call(ctx, p, kindStatus, nil)
	if err != nil {
		return nodeStatus{}, false
	}
	ns, err := unmarshalStatus(out)
	return ns, err == nil
}
