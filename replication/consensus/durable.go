package consensus

import (
	"errors"
	"fmt"

	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/wal"
)

// A leader's log is written while the followers write theirs (replication/wal),
// and raft counts the leader in the quorum for entries still on their way
// to its disk. An entry is committed in Raft's sense only when a majority
// holds it on disk; with the leader counted early, that is true of the
// entries up to the smaller of raft's commit index and the leader's
// durable mark, since every other server in the quorum synced before it
// answered. So nothing may act on a commit past that mark:
//   - durableFSM: the leader applies an entry, which answers its client
//     and shows it to reads, only once its own disk holds it;
//   - clampedTransport: the commit index sent to followers, which they
//     apply up to, never passes the leader's mark.
// A leader that crashes before its sync loses nothing anyone saw.

// durableLog is what the wrappers need of the log.
type durableLog interface {
	Durable() uint64
	WaitDurable(index uint64) error
}

// durableFSM applies entries once the log holds them on disk. On a
// follower they are already, so it does not wait there.
type durableFSM struct {
	raft.FSM
	log durableLog
}

// withDurable wraps fsm, keeping whether it applies in batches: raft sends
// a batching FSM configuration entries too, and a plain one only commands.
func withDurable(fsm raft.FSM, log durableLog) raft.FSM {
	d := durableFSM{FSM: fsm, log: log}
	if b, ok := fsm.(raft.BatchingFSM); ok {
		return durableBatchingFSM{d, b}
	}
	return d
}

// Apply implements raft.FSM.
func (f durableFSM) Apply(l *raft.Log) any {
	if err := f.wait(l.Index); err != nil {
		return err
	}
	return f.FSM.Apply(l)
}

type durableBatchingFSM struct {
	durableFSM
	batching raft.BatchingFSM
}

// ApplyBatch implements raft.BatchingFSM.
func (f durableBatchingFSM) ApplyBatch(logs []*raft.Log) []any {
	if len(logs) > 0 {
		if err := f.wait(logs[len(logs)-1].Index); err != nil {
			out := make([]any, len(logs))
			for i := range out {
				out[i] = err
			}
			return out
		}
	}
	return f.batching.ApplyBatch(logs)
}

// wait returns once index is on disk. A sync that failed leaves the log
// unknown, and applying past it would answer for entries a restart may
// not find; the node stops, as etcd does, and recovers from its disk. A
// closed log (shutdown) refuses the entry, which is applied again on
// restart.
func (f durableFSM) wait(index uint64) error {
	err := f.log.WaitDurable(index)
	if err != nil && !errors.Is(err, wal.ErrClosed) {
		panic(fmt.Sprintf("consensus: the raft log could not be synced; restart the node to recover from its disk: %v", err))
	}
	return err
}

// clampedTransport tells followers a commit index no higher than the
// log's durable mark.
type clampedTransport struct {
	*raft.NetworkTransport
	log durableLog
}

// AppendEntries implements raft.Transport.
func (t clampedTransport) AppendEntries(id raft.ServerID, target raft.ServerAddress, args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) error {
	clamp(args, t.log)
	return t.NetworkTransport.AppendEntries(id, target, args, resp)
}

// AppendEntriesPipeline implements raft.Transport.
func (t clampedTransport) AppendEntriesPipeline(id raft.ServerID, target raft.ServerAddress) (raft.AppendPipeline, error) {
	p, err := t.NetworkTransport.AppendEntriesPipeline(id, target)
	if err != nil {
		return nil, err
	}
	return clampedPipeline{p, t.log}, nil
}

type clampedPipeline struct {
	raft.AppendPipeline
	log durableLog
}

// AppendEntries implements raft.AppendPipeline.
func (p clampedPipeline) AppendEntries(args *raft.AppendEntriesRequest, resp *raft.AppendEntriesResponse) (raft.AppendFuture, error) {
	clamp(args, p.log)
	return p.AppendPipeline.AppendEntries(args, resp)
}

func clamp(args *raft.AppendEntriesRequest, log durableLog) {
	args.LeaderCommitIndex = min(args.LeaderCommitIndex, log.Durable())
}
