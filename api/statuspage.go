package api

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/request"
)

// statusPage is the residents' status page: a form (GET /) and the status
// of one request (GET or POST /status with kode and nik). It answers like
// TrackRequest: the same attempt limits, and one not-found page, byte for
// byte, for an unknown code and a wrong NIK. The form posts, so the NIK
// stays out of the address bar, the browser history and proxies' logs;
// GET with a query works too, for a link.
type statusPage struct {
	n      PublicNode
	limits *limiter
	zone   *time.Location
}

// maxFormBytes bounds a posted form: a code and a NIK are a few dozen bytes.
const maxFormBytes = 4 << 10

// pageData is what the template shows; at most one of its parts is set.
type pageData struct {
	Request  *pageRequest
	NotFound bool
	Limited  bool
	Invalid  bool
}

type pageRequest struct {
	Code, Service, Status, Explain string
	Done, Total                    int
	AtStep                         string // the step at hand, while processing
	History                        []pageChange
}

type pageChange struct{ Status, At, Note string }

func (p *statusPage) form(w http.ResponseWriter, _ *http.Request) {
	p.render(w, http.StatusOK, pageData{})
}

func (p *statusPage) status(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		p.render(w, http.StatusBadRequest, pageData{Invalid: true})
		return
	}
	code := strings.ToUpper(strings.TrimSpace(r.Form.Get("kode")))
	nik := strings.Join(strings.Fields(r.Form.Get("nik")), "")
	if code == "" && nik == "" {
		p.render(w, http.StatusOK, pageData{}) // nothing asked yet: the form
		return
	}
	if !p.limits.admit(clientOf(r)) {
		w.Header().Set("Retry-After", fmt.Sprint(int(math.Ceil(p.limits.every.Seconds()))))
		p.render(w, http.StatusTooManyRequests, pageData{Limited: true})
		return
	}
	req, ok := track(p.n, code, nik)
	if !ok {
		p.render(w, http.StatusNotFound, pageData{NotFound: true})
		return
	}
	p.render(w, http.StatusOK, pageData{Request: p.view(req)})
}

// view is the part of a request its resident sees: no officer names, no
// personal data beyond what they typed.
func (p *statusPage) view(r *request.Request) *pageRequest {
	v := &pageRequest{Code: r.ID, Service: serviceTitle(r.Service), Total: len(r.Steps)}
	v.Status, v.Explain = statusText(r.Status)
	for _, st := range r.Steps {
		switch {
		case st.Done:
			v.Done++
		case v.AtStep == "" && r.Status == request.Diproses:
			v.AtStep = st.Short()
		}
	}
	for _, c := range r.History {
		label, _ := statusText(c.Status)
		v.History = append(v.History, pageChange{Status: label, At: waktu(c.At.In(p.zone)), Note: c.Note})
	}
	return v
}

func (p *statusPage) render(w http.ResponseWriter, status int, d pageData) {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, d); err != nil {
		p.n.Logger().Error("status page", "err", err)
		http.Error(w, "Halaman tidak dapat ditampilkan; coba lagi nanti.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store") // a resident's status, maybe on a shared phone
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

// statusText is a status as residents read it, with what it means for them.
func statusText(s request.Status) (string, string) {
	switch s {
	case request.Baru:
		return "Diterima", "Permohonan sudah diterima dan menunggu pemeriksaan berkas oleh petugas."
	case request.Disetujui:
		return "Disetujui", "Berkas sudah lengkap; permohonan menunggu diproses."
	case request.Dibatalkan:
		return "Dibatalkan", "Permohonan belum dapat diproses. Lihat catatan petugas pada riwayat di bawah."
	case request.Diproses:
		return "Sedang diproses", "Permohonan sedang dikerjakan oleh petugas."
	case request.Selesai:
		return "Selesai", "Permohonan Anda telah selesai."
	}
	return "Tidak diketahui", ""
}

// serviceTitle is the catalog's title of a service, or its code.
func serviceTitle(name string) string {
	if svc, ok := catalog.Lookup(name); ok {
		return svc.Title
	}
	return name
}

var bulan = [...]string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}

// waktu formats a time as residents read it: "24 November 2026 09:15 WIB".
func waktu(t time.Time) string {
	zone, _ := t.Zone()
	return fmt.Sprintf("%d %s %d %s %s", t.Day(), bulan[t.Month()-1], t.Year(), t.Format("15:04"), zone)
}

// pageTemplate is one small page, its style inline: no external assets, so
// it loads on a weak connection and needs nothing but this listener.
var pageTemplate = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="id">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{with .Request}}Status Permohonan {{.Code}}{{else}}Cek Status Permohonan{{end}}</title>
<style>
body{margin:0;background:#f3f5f7;color:#1b1b1b;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
main{max-width:34rem;margin:0 auto;padding:1rem}
h1{font-size:1.3rem;margin:.5rem 0 1rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
.kartu{background:#fff;border-radius:.5rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 2px rgba(0,0,0,.12)}
.pesan{border-left:4px solid #b3261e}
label{display:block;font-weight:600;margin-top:.75rem}
input{width:100%;box-sizing:border-box;font-size:1rem;padding:.6rem;border:1px solid #8a8a8a;border-radius:.3rem}
button{width:100%;margin-top:1rem;padding:.75rem;font-size:1rem;border:0;border-radius:.3rem;background:#0b57a4;color:#fff}
.status{font-size:1.25rem;font-weight:700}
small{color:#555}
ol{margin:0;padding-left:1.25rem}
li{margin-bottom:.5rem}
a{color:#0b57a4}
</style>
</head>
<body>
<main>
<h1>Status Permohonan</h1>
{{- if .Limited}}
<p class="kartu pesan" role="alert">Terlalu banyak percobaan dari perangkat Anda. Silakan coba lagi dalam beberapa menit.</p>
{{- else if .NotFound}}
<p class="kartu pesan" role="alert">Permohonan dengan kode dan NIK tersebut tidak ditemukan. Periksa kembali kode permohonan dan NIK Anda.</p>
{{- else if .Invalid}}
<p class="kartu pesan" role="alert">Isian tidak dapat dibaca. Silakan isi kembali formulir di bawah.</p>
{{- end}}
{{- with .Request}}
<section class="kartu">
<p><small>Kode permohonan</small><br><strong>{{.Code}}</strong></p>
<p><small>Layanan</small><br>{{.Service}}</p>
<p><small>Status</small><br><span class="status">{{.Status}}</span><br>{{.Explain}}</p>
{{- if .AtStep}}
<p><small>Kemajuan</small><br>{{.Done}} dari {{.Total}} langkah selesai. Sedang dikerjakan: {{.AtStep}}.</p>
{{- end}}
</section>
<section class="kartu">
<h2>Riwayat</h2>
<ol>
{{- range .History}}
<li><strong>{{.Status}}</strong><br><small>{{.At}}</small>{{if .Note}}<br>Catatan petugas: {{.Note}}{{end}}</li>
{{- end}}
</ol>
</section>
<p><a href="./">Cek permohonan lain</a></p>
{{- else}}
<form class="kartu" method="post" action="status">
<label for="kode">Kode permohonan</label>
<input id="kode" name="kode" required maxlength="64" autocomplete="off" autocapitalize="characters" spellcheck="false">
<label for="nik">NIK pemohon</label>
<input id="nik" name="nik" required maxlength="16" inputmode="numeric" pattern="[0-9]{16}" autocomplete="off">
<button type="submit">Cek status</button>
</form>
<p><small>Kode permohonan ada pada pesan WhatsApp dan tanda terima yang Anda terima saat mengajukan permohonan.</small></p>
{{- end}}
</main>
</body>
</html>
`))
