package portal

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/node/request"
)

const (
	// maxPhotoBytes is the API's limit on one photo: a larger one is
	// refused here, by name, without sending it on.
	maxPhotoBytes = form.MaxImageBytes
	// maxSubmitBytes bounds a posted request: two photos of a phone's
	// camera (a larger one is read only to be refused) and the fields.
	maxSubmitBytes = 2*10<<20 + 64<<10
	// maxMemory is what a post keeps in memory; two valid photos fit, so
	// a resident's KTP-el touches no temporary file.
	maxMemory     = 6 << 20
	maxTrackBytes = 4 << 10
)

// hints say what each field wants, in the words of the service's
// instructions (seed 000).
var hints = map[string]string{
	"nama_pemohon": "Sesuai KTP-el.",
	"nik":          "16 angka, tertera pada KTP-el dan Kartu Keluarga.",
	"kk":           "16 angka, tertera di bagian atas Kartu Keluarga.",
	"permasalahan": "Misalnya: NIK tidak ditemukan di BPJS, atau data tidak ditemukan di Bank Mandiri.",
	"whatsapp":     "Format 081xxx. Pemberitahuan status permohonan dikirim ke nomor ini.",
}

// input is one field of the form as the page shows it.
type input struct {
	Name, Label, Hint, Value, Error string
	Type, Mode, Autocomplete        string // the input's type, inputmode and autocomplete
	Long                            bool   // a textarea
	Max                             int
}

// photo is one document photo to upload.
type photo struct{ Name, Title, Error string }

// submitPage is the online request form, or the tracking code once taken.
type submitPage struct {
	Title  string
	Key    string // the form's filing key: a reload or double click files once
	Inputs []input
	Photos []photo
	Error  string
	Done   *submitted
}

// submitted is what the resident keeps.
type submitted struct{ Code, Service, WhatsApp, TrackURL string }

// newSubmitPage is the form of the service residents may submit online,
// from the catalog, with the values of r's form, if any.
func newSubmitPage(r *http.Request) submitPage {
	svc, _ := catalog.Lookup(request.ServiceName)
	sp := submitPage{Title: svc.Title, Key: rand.Text()}
	if k := r.PostFormValue("kunci"); r.PostForm != nil && k != "" && len(k) <= request.MaxKeyLen {
		sp.Key = k
	}
	for _, f := range svc.Form.Fields {
		in := input{Name: f.Name, Label: f.Label, Hint: hints[f.Name], Type: "text", Max: f.MaxLen}
		switch f.Type {
		case catalog.FieldNIK, catalog.FieldKK:
			in.Mode, in.Max = "numeric", 16
		case catalog.FieldPhone:
			in.Type, in.Mode, in.Autocomplete = "tel", "tel", "tel"
		}
		if f.Name == "nama_pemohon" {
			in.Autocomplete = "name"
		}
		in.Long = f.Name == "permasalahan"
		if r.PostForm != nil {
			in.Value = strings.TrimSpace(r.PostFormValue(f.Name))
		}
		sp.Inputs = append(sp.Inputs, in)
	}
	for _, d := range svc.Documents {
		if d.Upload {
			sp.Photos = append(sp.Photos, photo{Name: d.Name, Title: d.Title})
		}
	}
	return sp
}

// value is what the resident typed in a field.
func (sp *submitPage) value(name string) string {
	for _, in := range sp.Inputs {
		if in.Name == name {
			return in.Value
		}
	}
	return ""
}

// mark puts each message next to its field; what belongs to no field is
// said above the form.
func (sp *submitPage) mark(errs map[string]string) {
	var rest []string
	for name, msg := range errs {
		if !sp.markOne(name, msg) {
			rest = append(rest, msg)
		}
	}
	sp.Error = "Periksa isian yang ditandai. Foto perlu dipilih ulang sebelum dikirim kembali."
	if len(rest) > 0 {
		sp.Error += " " + strings.Join(rest, "; ") + "."
	}
}

func (sp *submitPage) markOne(name, msg string) bool {
	for i := range sp.Inputs {
		if sp.Inputs[i].Name == name {
			sp.Inputs[i].Error = msg
			return true
		}
	}
	for i := range sp.Photos {
		if sp.Photos[i].Name == name {
			sp.Photos[i].Error = msg
			return true
		}
	}
	return false
}

func (p *Portal) submitForm(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "ajukan.html", p.formToken(w, r), newSubmitPage(r))
}

// submit files the request through SubmitRequest: the API checks every
// field and photo, sends the resident's WhatsApp notice, and its messages
// are shown next to the fields they concern.
func (p *Portal) submit(w http.ResponseWriter, r *http.Request) {
	sp := newSubmitPage(r)
	docs, errs := readPhotos(r, sp.Photos)
	if len(errs) > 0 {
		sp.mark(errs)
		p.render(w, http.StatusUnprocessableEntity, "ajukan.html", p.formToken(w, r), sp)
		return
	}
	res, err := p.api.SubmitRequest(r.Context(), connect.NewRequest(&v1.SubmitRequestRequest{ApplicantName: sp.value("nama_pemohon"),
		Nik: sp.value("nik"), Kk: sp.value("kk"), Problem: sp.value("permasalahan"), Whatsapp: sp.value("whatsapp"), Documents: docs, FilingKey: sp.Key}))
	if err != nil {
		if fields := web.Fields(err); fields != nil {
			sp.mark(fields)
		} else {
			sp.Error = sentence(web.Message(err))
		}
		p.limited(w, err)
		p.render(w, web.Status(err), "ajukan.html", p.formToken(w, r), sp)
		return
	}
	sp.Done = &submitted{Code: res.Msg.TrackingCode, Service: sp.Title, WhatsApp: sp.value("whatsapp"), TrackURL: trackURL(r)}
	p.render(w, http.StatusOK, "ajukan.html", "", sp)
}

// readPhotos reads the form's photos by the catalog's names. A photo
// larger than the API takes is refused here, with what to do about it.
func readPhotos(r *http.Request, want []photo) ([]*v1.DocumentUpload, map[string]string) {
	var docs []*v1.DocumentUpload
	errs := map[string]string{}
	if r.MultipartForm == nil {
		return nil, nil // no photos: the API names each missing one
	}
	for _, ph := range want {
		files := r.MultipartForm.File[ph.Name]
		if len(files) == 0 || files[0].Size == 0 {
			continue
		}
		b, err := web.ReadUpload(files[0], maxPhotoBytes)
		switch {
		case errors.Is(err, web.ErrTooLarge):
			errs[ph.Name] = "foto " + strings.TrimPrefix(err.Error(), "berkas ") + ": ambil foto dengan tombol kamera atau kecilkan fotonya"
			continue
		case err != nil:
			errs[ph.Name] = "foto tidak terbaca; pilih ulang fotonya"
			continue
		}
		docs = append(docs, &v1.DocumentUpload{Name: ph.Name, Content: b})
	}
	return docs, errs
}

// limited tells a resident over the attempt limit when to try again.
func (p *Portal) limited(w http.ResponseWriter, err error) {
	if connect.CodeOf(err) == connect.CodeResourceExhausted && p.cfg.RetryAfter > 0 {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(p.cfg.RetryAfter.Seconds()))))
	}
}

// trackURL is the address of the track form as the resident reached this
// one, to keep with the tracking code.
func trackURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/lacak"
}

// sentence starts an API message with a capital and ends it with a stop,
// as a line on a page reads.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}
