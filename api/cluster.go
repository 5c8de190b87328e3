package api

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/libp2p/go-libp2p/core/peer"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/replication/consensus"
)

// clusterOps implements sinkronv1connect.ClusterServiceHandler.
type clusterOps struct{ n *node.Node }

func (h *clusterOps) cluster() (*consensus.Cluster, error) {
	c := h.n.Cluster()
	if c == nil {
		return nil, connect.NewError(connect.CodeFailedPrecondition, errors.New("node ini bukan anggota klaster Dinas"))
	}
	return c, nil
}

func (h *clusterOps) GetClusterStatus(ctx context.Context, _ *connect.Request[v1.GetClusterStatusRequest]) (*connect.Response[v1.ClusterStatus], error) {
	c, err := h.cluster()
	if err != nil {
		return nil, err
	}
	return h.status(ctx, c)
}

func (h *clusterOps) status(ctx context.Context, c *consensus.Cluster) (*connect.Response[v1.ClusterStatus], error) {
	st, err := c.Status(ctx)
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	_, decided := h.n.DecisionFSM().Counts()
	out := &v1.ClusterStatus{
		PeerId: st.ID.String(), Leader: st.Leader.String(), State: st.State, Term: st.Term,
		CommitIndex: st.CommitIndex, AppliedIndex: st.AppliedIndex, LastLogIndex: st.LastLogIndex, Decisions: decided,
	}
	for _, s := range st.Servers {
		out.Servers = append(out.Servers, &v1.ClusterServer{
			PeerId: s.ID.String(), Office: h.n.Roster().Office(s.ID), Suffrage: s.Suffrage,
			AppliedIndex: s.AppliedIndex, Lag: s.Lag, Reachable: s.Reachable,
		})
	}
	return connect.NewResponse(out), nil
}

// membership runs one change and answers with the status after it.
func (h *clusterOps) membership(ctx context.Context, id string, op func(context.Context, *consensus.Cluster, peer.ID) error) (*connect.Response[v1.ClusterStatus], error) {
	c, err := h.cluster()
	if err != nil {
		return nil, err
	}
	var p peer.ID
	if id != "" {
		if p, err = peer.Decode(id); err != nil {
			return nil, invalid("peer_id tidak valid: " + err.Error())
		}
	}
	if err := op(ctx, c, p); err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return h.status(ctx, c)
}

func (h *clusterOps) AddVoter(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, func(ctx context.Context, c *consensus.Cluster, p peer.ID) error { return c.AddVoter(ctx, p) })
}

func (h *clusterOps) AddNonvoter(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, func(ctx context.Context, c *consensus.Cluster, p peer.ID) error { return c.AddNonvoter(ctx, p) })
}

func (h *clusterOps) RemoveServer(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, func(ctx context.Context, c *consensus.Cluster, p peer.ID) error { return c.RemoveServer(ctx, p) })
}

func (h *clusterOps) TransferLeadership(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, func(ctx context.Context, c *consensus.Cluster, p peer.ID) error { return c.TransferLeadership(ctx, p) })
}

func timeMs(ms int64) time.Time { return time.UnixMilli(ms) }
