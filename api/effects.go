package api

import (
	"context"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

func (h *requests) SettleEffect(ctx context.Context, req *connect.Request[v1.SettleEffectRequest]) (*connect.Response[v1.SettleEffectResponse], error) {
	m := req.Msg
	r, err := h.n.RequestService().SettleEffect(m.Id, m.Step, m.Note, officerName(ctx, m.Officer))
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.SettleEffectResponse{Request: h.toProto(r)}), nil
}

func (h *requests) RetryEffects(context.Context, *connect.Request[v1.RetryEffectsRequest]) (*connect.Response[v1.RetryEffectsResponse], error) {
	if err := h.n.RetryEffects(); err != nil {
		return nil, toConnect(err)
	}
	rs, err := h.n.RequestService().PendingEffects()
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.RetryEffectsResponse{}
	for _, r := range rs {
		out.Failed = append(out.Failed, h.toProto(r))
	}
	return connect.NewResponse(out), nil
}
