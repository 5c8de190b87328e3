package api

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/audit"
)

func (h *nodes) QueryAudit(_ context.Context, req *connect.Request[v1.QueryAuditRequest]) (*connect.Response[v1.QueryAuditResponse], error) {
	m := req.Msg
	f := audit.Filter{Officer: m.Officer, NIK: m.Nik, Limit: int(m.Limit)}
	if m.From != nil {
		f.From = m.From.AsTime()
	}
	if m.To != nil {
		f.To = m.To.AsTime()
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 1000
	}
	entries, err := h.n.AuditLog().Query(f)
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.QueryAuditResponse{}
	for _, e := range entries {
		out.Entries = append(out.Entries, &v1.AuditEntry{At: timestamppb.New(e.At), Officer: e.Officer, Office: e.Office,
			Device: e.Device, Kind: e.Kind, Entity: e.Entity, Type: e.Type, EventId: e.Event})
	}
	return connect.NewResponse(out), nil
}
