package portal

import (
	"net/http"
	"strings"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// trackPage is the track form, or a request's status. The form never
// shows back what was typed: an unknown code and a wrong NIK must give
// the same page, byte for byte.
type trackPage struct {
	NotFound   bool
	Error      string
	CodeError  string
	NIKError   string
	Result     *tracked
	RetryAfter bool
}

// tracked is a request as its resident reads it.
type tracked struct {
	Code, Service, Status, Meaning, CancelReason string
	Cancelled, Finished                          bool
	Done, Total                                  int32
	AtStep                                       string // the step at hand, while processing
	History                                      []change
}

type change struct {
	Status, Note string
	At           time.Time
}

func (p *Portal) trackForm(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "lacak.html", p.formToken(w, r), trackPage{})
}

// track asks TrackRequest. A code and NIK travel only in a post's body,
// never in an address.
func (p *Portal) track(w http.ResponseWriter, r *http.Request) {
	code := strings.ToUpper(strings.TrimSpace(r.PostFormValue("kode")))
	nik := strings.Join(strings.Fields(r.PostFormValue("nik")), "")
	if code == "" || nik == "" {
		tp := trackPage{Error: "Isi kode lacak dan NIK pemohon."}
		if code == "" {
			tp.CodeError = "kode lacak wajib diisi"
		}
		if nik == "" {
			tp.NIKError = "NIK pemohon wajib diisi"
		}
		p.render(w, http.StatusUnprocessableEntity, "lacak.html", p.formToken(w, r), tp)
		return
	}
	res, err := p.api.TrackRequest(r.Context(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: code, Nik: nik}))
	switch {
	case connect.CodeOf(err) == connect.CodeNotFound:
		p.render(w, http.StatusNotFound, "lacak.html", p.formToken(w, r), trackPage{NotFound: true})
		return
	case err != nil:
		p.limited(w, err)
		p.render(w, web.Status(err), "lacak.html", p.formToken(w, r), trackPage{Error: sentence(web.Message(err))})
		return
	}
	p.render(w, http.StatusOK, "lacak.html", "", trackPage{Result: view(res.Msg)})
}

// view is the API's answer as the page shows it.
func view(m *v1.TrackRequestResponse) *tracked {
	t := &tracked{Code: m.TrackingCode, Service: serviceTitle(m.Service), Status: statusTitle(m.Status), Meaning: statusMeaning(m.Status),
		Cancelled: m.Status == v1.Status_STATUS_DIBATALKAN, Finished: m.Status == v1.Status_STATUS_SELESAI,
		CancelReason: m.CancelReason, Done: m.StepsDone, Total: m.StepsTotal}
	if m.Status == v1.Status_STATUS_DIPROSES {
		t.AtStep = stepTitle(m.Service, m.StepAtHand)
	}
	for _, c := range m.History {
		t.History = append(t.History, change{Status: statusTitle(c.Status), Note: c.Note, At: c.At.AsTime()})
	}
	return t
}

// serviceTitle is the catalog's title of a service, or its code.
func serviceTitle(name string) string {
	if svc, ok := catalog.Lookup(name); ok {
		return svc.Title
	}
	return name
}

// stepTitle is a step as the service's instructions name it to residents
// ("Konsolidasi Manual"): its title up to the colon.
func stepTitle(service, step string) string {
	svc, ok := catalog.Lookup(service)
	if !ok {
		return step
	}
	for _, path := range svc.Paths {
		for _, st := range path.Steps {
			if st.Name == step {
				title, _, _ := strings.Cut(st.Title, ":")
				return title
			}
		}
	}
	return step
}
