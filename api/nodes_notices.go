package api

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/conversation"
)

func (h *nodes) ListFailedNotices(context.Context, *connect.Request[v1.ListFailedNoticesRequest]) (*connect.Response[v1.ListFailedNoticesResponse], error) {
	dead, err := h.n.FailedNotices()
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.ListFailedNoticesResponse{}
	for _, d := range dead {
		out.Notices = append(out.Notices, &v1.FailedNotice{Id: d.Notice.ID, RequestId: d.Notice.Request, To: d.Notice.To,
			Text: d.Notice.Text, Error: d.Error, At: timestamppb.New(d.At), Uncertain: d.Uncertain,
			Code: int32(d.Code), Permanent: d.Permanent})
	}
	return connect.NewResponse(out), nil
}

func (h *nodes) RetryNotice(_ context.Context, req *connect.Request[v1.RetryNoticeRequest]) (*connect.Response[v1.RetryNoticeResponse], error) {
	if err := h.n.RetryNotice(req.Msg.Id); err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.RetryNoticeResponse{}), nil
}

// conversationNode is the node holding the regency's number.
type conversationNode interface {
	Conversations() *conversation.Service
}

func (h *nodes) ListWhatsAppConversations(context.Context, *connect.Request[v1.ListWhatsAppConversationsRequest]) (*connect.Response[v1.ListWhatsAppConversationsResponse], error) {
	out := &v1.ListWhatsAppConversationsResponse{}
	cn, ok := h.n.(conversationNode)
	if !ok || cn.Conversations() == nil {
		return connect.NewResponse(out), nil // this node does not hold the number
	}
	list, err := cn.Conversations().NeedingOfficer()
	if err != nil {
		return nil, toConnect(err)
	}
	for _, c := range list {
		out.Conversations = append(out.Conversations, &v1.WhatsAppConversation{Number: c.Number, Reason: c.Reason, Flow: c.Flow,
			UpdatedAt: timestamppb.New(c.Updated)})
	}
	return connect.NewResponse(out), nil
}
