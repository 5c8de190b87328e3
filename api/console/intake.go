package console

import (
	"crypto/rand"
	"fmt"
	"net/http"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/request"
)

// maxUpload bounds one uploaded file (a photo, a capture station's record)
// as the form reads it; the API has its own, smaller, limit per photo and
// says so.
const maxUpload = 16 << 20

type servicesPage struct{ Services []*v1.ServiceInfo }

// serviceList is the catalog: every service with its documents and paths.
func (con *Console) serviceList(w http.ResponseWriter, r *http.Request, o *officer) {
	con.mu.Lock()
	svcs := con.services
	con.mu.Unlock()
	con.render(w, r, http.StatusOK, "layanan.html", o, servicesPage{Services: svcs})
}

// intakePage is a service's form, generated from the catalog, with the
// values typed so far and the API's message next to each refused field.
type intakePage struct {
	S       *v1.ServiceInfo
	Key     string         // the form's filing key: a double click or a reload files once
	Paths   []*v1.PathInfo // the paths that start at this kind of office
	Values  map[string]string
	Path    string
	Errors  map[string]string
	Error   string
	Created *v1.Request // set once the request is taken
}

func (con *Console) intakeForm(w http.ResponseWriter, r *http.Request, o *officer) {
	p, ok := con.intakeFor(r, o)
	if !ok {
		con.render(w, r, http.StatusNotFound, "galat.html", o, errorPage{Message: "layanan " + r.PathValue("name") + " tidak dikenal"})
		return
	}
	con.render(w, r, http.StatusOK, "terima.html", o, p)
}

func (con *Console) intakeFor(r *http.Request, o *officer) (intakePage, bool) {
	s := con.service(r.PathValue("name"))
	if s == nil {
		return intakePage{}, false
	}
	p := intakePage{S: s, Values: map[string]string{}, Key: rand.Text()}
	if k := r.PostFormValue("kunci"); k != "" && len(k) <= request.MaxKeyLen {
		p.Key = k
	}
	for _, path := range s.Paths {
		if path.Start == o.Here.Kind {
			p.Paths = append(p.Paths, path)
		}
	}
	return p, true
}

// intake files the request through CreateRequest: the API validates every
// field and photo and the console shows its messages where they belong.
func (con *Console) intake(w http.ResponseWriter, r *http.Request, o *officer) {
	p, ok := con.intakeFor(r, o)
	if !ok || !o.Can(account.OpRequestCreate) {
		con.render(w, r, http.StatusForbidden, "galat.html", o, errorPage{Message: "Anda tidak dapat menerima permohonan layanan ini di sini"})
		return
	}
	in := &v1.CreateRequestRequest{Service: p.S.Name, Path: r.PostFormValue("jalur"), Fields: map[string]string{},
		Channel: v1.Channel_CHANNEL_LANGSUNG, FilingKey: p.Key}
	for _, f := range p.S.Fields {
		if v := r.PostFormValue(f.Name); v != "" {
			in.Fields[f.Name] = v
		}
	}
	p.Values, p.Path = in.Fields, in.Path
	docs, err := uploads(r, p.S.Documents)
	if err != nil {
		p.Error = err.Error()
		con.render(w, r, http.StatusUnprocessableEntity, "terima.html", o, p)
		return
	}
	in.Documents = docs
	res, err := con.api.requests.CreateRequest(r.Context(), call(o, in))
	if err != nil {
		p.Errors, p.Error = web.Fields(err), web.Message(err)
		if p.Errors != nil {
			p.Error = "Periksa isian yang ditandai; foto perlu dipilih ulang."
		}
		con.render(w, r, web.Status(err), "terima.html", o, p)
		return
	}
	p.Created = res.Msg.Request
	con.render(w, r, http.StatusOK, "terima.html", o, p)
}

// uploads reads the photos the form carries, by the catalog's names.
func uploads(r *http.Request, docs []*v1.DocumentRequirement) ([]*v1.DocumentUpload, error) {
	if r.MultipartForm == nil {
		return nil, nil
	}
	var out []*v1.DocumentUpload
	for _, d := range docs {
		for _, fh := range r.MultipartForm.File[d.Name] {
			b, err := web.ReadUpload(fh, maxUpload)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", d.Title, err)
			}
			out = append(out, &v1.DocumentUpload{Name: d.Name, Content: b})
		}
	}
	return out, nil
}
