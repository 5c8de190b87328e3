package api

import (
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/notices"
)

// noticeNode is a node that knows its requests' WhatsApp notices.
type noticeNode interface {
	Notices(request string) ([]notices.State, error)
}

// noticesProto is a request's notices with their delivery states; none
// when the node does not track them or cannot read them now (the request
// itself is still worth showing).
func noticesProto(n any, id string) []*v1.NoticeDelivery {
	nn, ok := n.(noticeNode)
	if !ok {
		return nil
	}
	ns, err := nn.Notices(id)
	if err != nil {
		return nil
	}
	out := make([]*v1.NoticeDelivery, 0, len(ns))
	for _, s := range ns {
		out = append(out, &v1.NoticeDelivery{NoticeId: s.Notice, Kind: s.Kind, State: s.State, Code: int32(s.Code),
			Reason: s.Reason, Permanent: s.Permanent, FreeForm: s.FreeForm})
	}
	return out
}
