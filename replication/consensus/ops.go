package consensus

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/raft"
	"github.com/libp2p/go-libp2p/core/peer"
)

// Retry pacing while there is no usable leader: an election on loopback
// takes a few hundred milliseconds, on a kabupaten WAN a few seconds.
const (
	retryMin = 5 * time.Millisecond
	retryMax = 200 * time.Millisecond
)

// Propose commits cmd and returns the FSM's answer. On a follower it is
// forwarded to the leader. It retries across leader changes until ctx is
// done, which is safe because the FSM is idempotent by command key. An FSM
// error is returned as is on the leader and as *RemoteError when forwarded.
func (c *Cluster) Propose(ctx context.Context, cmd []byte) ([]byte, error) {
	return c.do(ctx, kindPropose, cmd)
}

// Query runs a linearizable read: the leader confirms it still leads, then
// asks the Querier; followers forward to it.
func (c *Cluster) Query(ctx context.Context, q []byte) ([]byte, error) {
	return c.do(ctx, kindQuery, q)
}

// AddVoter adds id (or promotes a nonvoter) as a voting member.
func (c *Cluster) AddVoter(ctx context.Context, id peer.ID) error {
	_, err := c.do(ctx, kindAddVoter, []byte(id))
	return err
}

// AddNonvoter adds id as a member that replicates the log but does not
// vote: the way a new node catches up before it is made a voter.
func (c *Cluster) AddNonvoter(ctx context.Context, id peer.ID) error {
	_, err := c.do(ctx, kindAddNonvoter, []byte(id))
	return err
}

// RemoveServer removes id from the configuration.
func (c *Cluster) RemoveServer(ctx context.Context, id peer.ID) error {
	_, err := c.do(ctx, kindRemove, []byte(id))
	return err
}

// TransferLeadership hands leadership to `to`, or to the most up-to-date
// voter when to is "". A retry after a lost answer may transfer again when
// to is ""; with a target it stops once the target leads.
func (c *Cluster) TransferLeadership(ctx context.Context, to peer.ID) error {
	_, err := c.do(ctx, kindTransfer, []byte(to))
	return err
}

// do runs one request on the leader, wherever it is, retrying while the
// failure is one a leader change cures.
func (c *Cluster) do(ctx context.Context, kind byte, body []byte) ([]byte, error) {
	wait := retryMin
	for {
		if c.isClosed() {
			return nil, ErrClosed
		}
		out, err := c.attempt(ctx, kind, body)
		if err == nil || !retryable(err) {
			return out, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("consensus: %w (last: %v)", ctx.Err(), err)
		case <-t.C:
		}
		wait = min(2*wait, retryMax)
	}
}

func (c *Cluster) attempt(ctx context.Context, kind byte, body []byte) ([]byte, error) {
	if kind == kindTransfer && len(body) > 0 && c.Leader() == peer.ID(body) {
		return nil, nil // already done, possibly by an earlier attempt
	}
	if c.IsLeader() {
		return c.local(ctx, kind, body)
	}
	leader := c.Leader()
	if leader == "" || leader == c.self {
		return nil, errNoLeader
	}
	return c.fwd.call(ctx, leader, kind, body)
}

// local executes a request on this node, which must be the leader for all
// but status probes.
func (c *Cluster) local(ctx context.Context, kind byte, body []byte) ([]byte, error) {
	switch kind {
	case kindPropose:
		return c.applyLocal(ctx, body)
	case kindQuery:
		return c.queryLocal(ctx, body)
	case kindStatus:
		return c.selfStatus().marshal(), nil
	case kindTransfer:
		return nil, c.transferLocal(body)
	}
	id, err := decodePeer(body, false)
	if err != nil {
		return nil, err
	}
	sid, addr, timeout := raft.ServerID(id.String()), RaftAddr(id), enqueueTimeout(ctx)
	switch kind {
	case kindAddVoter:
		return nil, c.r.AddVoter(sid, addr, 0, timeout).Error()
	case kindAddNonvoter:
		return nil, c.r.AddNonvoter(sid, addr, 0, timeout).Error()
	case kindRemove:
		return nil, c.r.RemoveServer(sid, 0, timeout).Error()
	}
	return nil, fmt.Errorf("%w: request kind %q", ErrProtocol, kind)
}

// enqueueTimeout turns ctx's deadline into raft's enqueue timeout (0 waits
// forever, which raft bounds by leadership loss or shutdown anyway).
func enqueueTimeout(ctx context.Context) time.Duration {
	if d, ok := ctx.Deadline(); ok {
		return max(time.Until(d), time.Millisecond)
	}
	return 0
}

func (c *Cluster) applyLocal(ctx context.Context, cmd []byte) ([]byte, error) {
	f := c.r.Apply(cmd, enqueueTimeout(ctx))
	if err := c.wait(ctx, f); err != nil {
		return nil, err
	}
	switch resp := f.Response().(type) {
	case nil:
		return nil, nil
	case []byte:
		return resp, nil
	case error:
		return nil, resp
	default:
		return nil, fmt.Errorf("consensus: FSM answered %T, want []byte or error", resp)
	}
}

// wait waits for a raft future, but no longer than the caller's context or
// the cluster's life. Raft does not answer futures still queued when it
// shuts down (hashicorp/raft#498): waiting on Error alone made Close hang
// behind every handler blocked on such a future. The goroutine waiting on a
// future raft never answers stays parked; that happens only at shutdown.
func (c *Cluster) wait(ctx context.Context, f raft.Future) error {
	done := make(chan error, 1)
	go func() { done <- f.Error() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-c.ctx.Done():
		return ErrClosed
	}
}

// queryLocal serves a read on the leader. Every write acknowledged in this
// term was applied here before it was acknowledged, and one Barrier per
// term applies everything from earlier terms; VerifyLeader then proves no
// newer leader can have acknowledged writes we have not seen.
func (c *Cluster) queryLocal(ctx context.Context, q []byte) ([]byte, error) {
	if c.cfg.Querier == nil {
		return nil, ErrNoQuerier
	}
	term := c.r.CurrentTerm()
	if c.barrierTerm.Load() != term {
		if err := c.wait(ctx, c.r.Barrier(enqueueTimeout(ctx))); err != nil {
			return nil, err
		}
		c.barrierTerm.Store(term)
	}
	if err := c.wait(ctx, c.r.VerifyLeader()); err != nil {
		return nil, err
	}
	if c.r.CurrentTerm() != term {
		return nil, raft.ErrLeadershipLost
	}
	return c.cfg.Querier.Query(q)
}

func (c *Cluster) transferLocal(body []byte) error {
	to, err := decodePeer(body, true)
	if err != nil {
		return err
	}
	if to == "" {
		return c.r.LeadershipTransfer().Error()
	}
	if to == c.self {
		if c.IsLeader() {
			return nil
		}
		return raft.ErrNotLeader
	}
	return c.r.LeadershipTransferToServer(raft.ServerID(to.String()), RaftAddr(to)).Error()
}
