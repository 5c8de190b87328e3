package api

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"github.com/libp2p/go-libp2p/core/peer"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// clusterOps implements sinkronv1connect.ClusterServiceHandler.
type clusterOps struct{ n ClusterNode }

func (h *clusterOps) GetClusterStatus(ctx context.Context, _ *connect.Request[v1.GetClusterStatusRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.status(ctx)
}

func (h *clusterOps) status(ctx context.Context) (*connect.Response[v1.ClusterStatus], error) {
	st, err := h.n.ClusterStatus(ctx)
	if err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	out := &v1.ClusterStatus{
		PeerId: st.ID.String(), Leader: st.Leader.String(), State: st.State, Term: st.Term,
		CommitIndex: st.CommitIndex, AppliedIndex: st.AppliedIndex, LastLogIndex: st.LastLogIndex, Decisions: st.Decisions,
	}
	for _, s := range st.Servers {
		out.Servers = append(out.Servers, &v1.ClusterServer{
			PeerId: s.ID.String(), Office: st.Offices[s.ID], Suffrage: s.Suffrage,
			AppliedIndex: s.AppliedIndex, Lag: s.Lag, Reachable: s.Reachable,
		})
	}
	return connect.NewResponse(out), nil
}

// membership runs one change and answers with the status after it.
func (h *clusterOps) membership(ctx context.Context, id string, op func(context.Context, peer.ID) error) (*connect.Response[v1.ClusterStatus], error) {
	var p peer.ID
	if id != "" {
		var err error
		if p, err = peer.Decode(id); err != nil {
			return nil, invalid("peer_id tidak valid: " + err.Error())
		}
	}
	if err := op(ctx, p); err != nil {
		return nil, toConnectOr(err, connect.CodeUnavailable)
	}
	return h.status(ctx)
}

func (h *clusterOps) AddVoter(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, h.n.AddVoter)
}

func (h *clusterOps) AddNonvoter(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, h.n.AddNonvoter)
}

func (h *clusterOps) RemoveServer(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, h.n.RemoveServer)
}

func (h *clusterOps) TransferLeadership(ctx context.Context, r *connect.Request[v1.MembershipRequest]) (*connect.Response[v1.ClusterStatus], error) {
	return h.membership(ctx, r.Msg.PeerId, h.n.TransferLeadership)
}

func timeMs(ms int64) time.Time { return time.UnixMilli(ms) }
