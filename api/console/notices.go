package console

import (
	"net/http"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/account"
)

func (con *Console) noticeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor/pemberitahuan", con.signedIn(con.notices))
	mux.HandleFunc("POST /konsol/kantor/pemberitahuan/{id}/ulang", con.signedIn(con.retryNotice))
}

// noticesPage is the WhatsApp notices given up on, and the residents'
// conversations waiting for an officer.
type noticesPage struct {
	notice
	Failed        []*v1.FailedNotice
	Conversations []*v1.WhatsAppConversation
	Retry         bool   // the officer may put a notice back in the queue
	Partial       string // a part that could not be read
}

func (con *Console) notices(w http.ResponseWriter, r *http.Request, o *officer) {
	con.showNotices(w, r, o, http.StatusOK, notice{})
}

func (con *Console) showNotices(w http.ResponseWriter, r *http.Request, o *officer, status int, n notice) {
	res, err := con.api.nodes.ListFailedNotices(r.Context(), call(o, &v1.ListFailedNoticesRequest{}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	p := noticesPage{notice: n, Failed: res.Msg.Notices, Retry: o.Can(account.OpRequestCreate)}
	// Only the dinas server holding the number has conversations; a
	// refusal there still leaves the failed notices worth showing.
	conv, err := con.api.nodes.ListWhatsAppConversations(r.Context(), call(o, &v1.ListWhatsAppConversationsRequest{}))
	if err != nil {
		p.Partial = web.Message(err)
	} else {
		p.Conversations = conv.Msg.Conversations
	}
	con.render(w, r, status, "kantor-pemberitahuan.html", o, p)
}

func (con *Console) retryNotice(w http.ResponseWriter, r *http.Request, o *officer) {
	_, err := con.api.nodes.RetryNotice(r.Context(), call(o, &v1.RetryNoticeRequest{Id: r.PathValue("id")}))
	if err != nil {
		con.showNotices(w, r, o, outcome(err), refused(err))
		return
	}
	con.showNotices(w, r, o, http.StatusOK, done("Pemberitahuan dikembalikan ke antrean kirim."))
}
