package console

import (
	"net/http"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/catalog"
)

func (con *Console) requestRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/permohonan", con.signedIn(con.requests))
	mux.HandleFunc("GET /konsol/permohonan/{id}", con.signedIn(con.detail))
	mux.HandleFunc("GET /konsol/permohonan/{id}/salinan.pdf", con.signedIn(con.copyPDF))
	mux.HandleFunc("POST /konsol/permohonan/{id}/status", con.signedIn(con.transition))
	mux.HandleFunc("POST /konsol/permohonan/{id}/langkah", con.signedIn(con.step))
	mux.HandleFunc("POST /konsol/permohonan/{id}/konflik", con.signedIn(con.resolve))
	mux.HandleFunc("POST /konsol/permohonan/{id}/efek", con.signedIn(con.settle))
	mux.HandleFunc("GET /konsol/dokumen/{sha}", con.signedIn(con.document))
	mux.HandleFunc("GET /konsol/layanan", con.signedIn(con.serviceList))
	mux.HandleFunc("GET /konsol/layanan/{name}", con.signedIn(con.intakeForm))
	mux.HandleFunc("POST /konsol/layanan/{name}", con.signedIn(con.intake))
}

// listPage is every request of a status (all by default).
type listPage struct {
	Status   string
	Requests []*v1.Request
}

var statusByName = map[string]v1.Status{"baru": v1.Status_STATUS_BARU, "disetujui": v1.Status_STATUS_DISETUJUI,
	"dibatalkan": v1.Status_STATUS_DIBATALKAN, "diproses": v1.Status_STATUS_DIPROSES, "selesai": v1.Status_STATUS_SELESAI}

func (con *Console) requests(w http.ResponseWriter, r *http.Request, o *officer) {
	name := r.URL.Query().Get("status")
	rs, err := con.list(r.Context(), o, &v1.ListRequestsRequest{Status: statusByName[name]})
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	con.render(w, r, http.StatusOK, "daftar.html", o, listPage{Status: name, Requests: rs})
}

// detailPage is one request with what this officer may do to it.
type detailPage struct {
	R        *v1.Request
	Next     action
	CanAct   bool // the officer may take Next
	Verify   bool // Next is the verification: approve or cancel
	Receive  bool // Next is receiving a handed-over file
	Step     bool // Next is a step
	Cancel   bool // the officer may cancel (Baru or Disetujui)
	Resolve  bool
	Settle   bool
	SeePhoto bool
	Flash    string
	Error    string
	// Resolvers names the roles that may resolve a conflict, for an
	// officer who may not.
	Resolvers string
	// Inputs are the records the step at hand takes (a biometric capture,
	// the print room's record), uploaded with the step.
	Inputs []stepInput
}

// stepInput is one record a step takes, as its form asks for it.
type stepInput struct{ Kind, Title string }

var inputTitles = map[string]string{
	string(catalog.InputISOTemplate): "Rekaman biometrik (ISO/IEC 19794: sidik jari wajib; wajah dan iris bila ada)",
	string(catalog.InputPrintedCard): "Catatan ruang cetak: KTP-el tercetak dan chip terverifikasi",
}

func (con *Console) detail(w http.ResponseWriter, r *http.Request, o *officer) {
	con.showDetail(w, r, o, http.StatusOK, "", "")
}

// showDetail renders a request with a message above it: what was done,
// or why it was refused.
func (con *Console) showDetail(w http.ResponseWriter, r *http.Request, o *officer, status int, flash, fail string) {
	res, err := con.api.requests.GetRequest(r.Context(), call(o, &v1.GetRequestRequest{Id: r.PathValue("id")}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	req := res.Msg.Request
	p := detailPage{R: req, Flash: flash, Error: fail, SeePhoto: o.Can(account.OpRequestRead) && !o.HasRole("petugas-pendistribusian"),
		Resolve: req.Conflict && o.Can(account.OpConflictResolve), Resolvers: resolvers()}
	if !req.Conflict {
		if a, ok := nextAction(req, o.Here); ok {
			p.Next = a
			p.CanAct = a.Role != "" && o.HasRole(a.Role) && o.Can(account.OpRequestStep) ||
				a.Kind == "proses" && o.Can(account.OpRequestApprove)
			p.Verify, p.Receive, p.Step = a.Kind == "verifikasi", a.Kind == "proses", a.Kind == "langkah"
			if p.Verify {
				p.CanAct = o.HasRole(a.Role) && o.Can(account.OpRequestApprove)
			}
			p.Cancel = p.CanAct && (p.Verify || p.Receive)
			if p.Step {
				p.Inputs = con.inputsOf(req, a.Step)
			}
		}
	}
	for _, st := range req.Steps {
		p.Settle = p.Settle || st.EffectError != "" && !st.EffectDone && st.EffectNote == "" && o.Can(account.OpRegistryWrite)
	}
	con.render(w, r, status, "permohonan.html", o, p)
}

// act runs one change through the API and shows the request again, with
// what happened or the API's refusal, worded for the officer.
func (con *Console) act(w http.ResponseWriter, r *http.Request, o *officer, done string, do func() error) {
	if err := do(); err != nil {
		con.showDetail(w, r, o, web.Status(err), "", web.Message(err))
		return
	}
	con.showDetail(w, r, o, http.StatusOK, done, "")
}

var transitions = map[string]struct {
	to   v1.Status
	done string
}{
	"disetujui":  {v1.Status_STATUS_DISETUJUI, "Permohonan disetujui."},
	"dibatalkan": {v1.Status_STATUS_DIBATALKAN, "Permohonan dibatalkan."},
	"diproses":   {v1.Status_STATUS_DIPROSES, "Berkas diterima; permohonan diproses."},
}

func (con *Console) transition(w http.ResponseWriter, r *http.Request, o *officer) {
	t, ok := transitions[r.PostFormValue("ke")]
	if !ok {
		con.showDetail(w, r, o, http.StatusUnprocessableEntity, "", "tindakan tidak dikenal")
		return
	}
	con.act(w, r, o, t.done, func() error {
		_, err := con.api.requests.TransitionRequest(r.Context(), call(o, &v1.TransitionRequestRequest{
			Id: r.PathValue("id"), To: t.to, Note: r.PostFormValue("catatan"), Role: r.PostFormValue("peran")}))
		return err
	})
}

func (con *Console) step(w http.ResponseWriter, r *http.Request, o *officer) {
	con.act(w, r, o, "Langkah dicatat.", func() error {
		in := &v1.CompleteStepRequest{Id: r.PathValue("id"), Step: r.PostFormValue("langkah"),
			Note: r.PostFormValue("catatan"), Role: r.PostFormValue("peran")}
		for _, kind := range inputKinds {
			if r.MultipartForm == nil {
				break
			}
			for _, fh := range r.MultipartForm.File["masukan-"+kind] {
				b, err := web.ReadUpload(fh, maxUpload)
				if err != nil {
					return connect.NewError(connect.CodeInvalidArgument, err)
				}
				in.Inputs = append(in.Inputs, &v1.StepInput{Kind: kind, Content: b})
			}
		}
		_, err := con.api.requests.CompleteStep(r.Context(), call(o, in))
		return err
	})
}

// inputKinds are the records a step form may upload.
var inputKinds = []string{string(catalog.InputISOTemplate), string(catalog.InputPrintedCard)}

// inputsOf lists the records the catalog says a request's step takes.
func (con *Console) inputsOf(req *v1.Request, step string) []stepInput {
	svc := con.service(req.Service)
	if svc == nil {
		return nil
	}
	var out []stepInput
	for _, p := range svc.Paths {
		if p.Name != req.Path && req.Path != "" {
			continue
		}
		for _, st := range p.Steps {
			if st.Name != step {
				continue
			}
			for _, k := range st.Inputs {
				if t, ok := inputTitles[k]; ok {
					out = append(out, stepInput{Kind: k, Title: t})
				}
			}
			return out
		}
	}
	return out
}

func (con *Console) resolve(w http.ResponseWriter, r *http.Request, o *officer) {
	con.act(w, r, o, "Konflik diselesaikan.", func() error {
		_, err := con.api.requests.ResolveConflict(r.Context(), call(o, &v1.ResolveConflictRequest{
			Id: r.PathValue("id"), Field: r.PostFormValue("isian"), ChosenEventId: r.PostFormValue("pilihan"), Note: r.PostFormValue("catatan")}))
		return err
	})
}

func (con *Console) settle(w http.ResponseWriter, r *http.Request, o *officer) {
	con.act(w, r, o, "Perubahan registri ditandai selesai.", func() error {
		_, err := con.api.requests.SettleEffect(r.Context(), call(o, &v1.SettleEffectRequest{
			Id: r.PathValue("id"), Step: r.PostFormValue("langkah"), Note: r.PostFormValue("catatan")}))
		return err
	})
}

func (con *Console) copyPDF(w http.ResponseWriter, r *http.Request, o *officer) {
	res, err := con.api.requests.PrintRequestCopy(r.Context(), call(o, &v1.GetRequestRequest{Id: r.PathValue("id")}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	sendFile(w, "application/pdf", res.Msg.Filename, res.Msg.Content)
}

func (con *Console) document(w http.ResponseWriter, r *http.Request, o *officer) {
	res, err := con.api.requests.GetDocument(r.Context(), call(o, &v1.GetDocumentRequest{Sha256: r.PathValue("sha")}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	w.Header().Set("Cache-Control", "private, max-age=3600")
	sendFile(w, res.Msg.ContentType, "", res.Msg.Content)
}

// sendFile answers with a file, as an attachment when it has a name.
func sendFile(w http.ResponseWriter, ctype, name string, body []byte) {
	w.Header().Set("Content-Type", ctype)
	if name != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	}
	w.Write(body)
}

// resolvers names the roles the permission table lets resolve a conflict.
func resolvers() string {
	roles := account.Permissions[account.OpConflictResolve]
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = r.Title()
	}
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " atau " + names[len(names)-1]
}
