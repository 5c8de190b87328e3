package portal

import (
	"fmt"
	"html/template"
	"net/http"
	"time"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/zone"
)

// page is what the layout shows around a page's own data.
type page struct {
	Dinas  Dinas
	Office string
	CSRF   string // the browser's form token, on pages with a form
	Data   any
}

// render writes a whole page. Residents' pages are never cached: a status
// or a NIK typed on a shared phone must not come back from the cache.
func (p *Portal) render(w http.ResponseWriter, status int, name, csrf string, data any) {
	if err := web.Render(w, p.pages[name], status, page{Dinas: p.cfg.Dinas, Office: p.cfg.Office, CSRF: csrf, Data: data}); err != nil {
		p.cfg.Log.Error("portal: render", "page", name, "err", err)
	}
}

// message is a page with one sentence and a way on.
type message struct {
	Title, Text, Link, LinkText string
}

func (p *Portal) home(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "beranda.html", "", nil)
}

func (p *Portal) notFound(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusNotFound, "pesan.html", "", message{Title: "Halaman tidak ditemukan",
		Text: "Alamat yang Anda buka tidak ada di layanan ini.", Link: "/", LinkText: "Kembali ke beranda"})
}

// refuse answers a forged or stale post: nothing was sent to the API.
func (p *Portal) refuse(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusForbidden, "pesan.html", "", message{Title: "Formulir tidak dapat diterima",
		Text: "Formulir ini kedaluwarsa atau dikirim dari situs lain, sehingga tidak diproses. " +
			"Buka kembali formulirnya dari halaman ini lalu kirim ulang.", Link: "/", LinkText: "Kembali ke beranda"})
}

func (p *Portal) unreadable(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusRequestEntityTooLarge, "pesan.html", "", message{Title: "Kiriman tidak dapat dibaca",
		Text: fmt.Sprintf("Kiriman terlalu besar atau terpotong. Foto paling besar %d MB masing-masing; "+
			"ambil foto dengan tombol kamera atau kecilkan fotonya, lalu isi kembali formulirnya.", maxPhotoBytes>>20),
		Link: "/ajukan", LinkText: "Isi kembali formulir"})
}

// garbled answers a form whose fields are not text a browser sends
// (bytes that are not UTF-8): nothing was sent to the API.
func (p *Portal) garbled(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusBadRequest, "pesan.html", "", message{Title: "Isian tidak dapat dibaca",
		Text: "Ada isian yang berisi karakter tidak dikenal, sehingga formulir tidak diproses. " +
			"Ketik ulang isiannya (jangan menempel dari aplikasi lain), lalu kirim kembali.", Link: r.URL.Path, LinkText: "Isi kembali formulir"})
}

func (p *Portal) funcs() template.FuncMap {
	return template.FuncMap{
		"aset":   func(name string) string { return "/aset/" + p.assets.Name(name) },
		"waktu":  p.clock,
		"status": statusTitle,
	}
}

// clock formats a time as residents read it: "24 November 2026 09.15 WIB".
func (p *Portal) clock(t time.Time) string { return zone.Long(t, p.cfg.Zone) }

// statusTitle is a status as residents read it.
func statusTitle(s v1.Status) string {
	switch s {
	case v1.Status_STATUS_BARU:
		return "Diterima"
	case v1.Status_STATUS_DISETUJUI:
		return "Disetujui"
	case v1.Status_STATUS_DIBATALKAN:
		return "Dibatalkan"
	case v1.Status_STATUS_DIPROSES:
		return "Sedang diproses"
	case v1.Status_STATUS_SELESAI:
		return "Selesai"
	}
	return "Tidak diketahui"
}

// statusMeaning is what a status means for the resident.
func statusMeaning(s v1.Status) string {
	switch s {
	case v1.Status_STATUS_BARU:
		return "Permohonan sudah diterima dan menunggu pemeriksaan berkas oleh petugas."
	case v1.Status_STATUS_DISETUJUI:
		return "Berkas sudah lengkap; permohonan menunggu diproses."
	case v1.Status_STATUS_DIBATALKAN:
		return "Permohonan ini dibatalkan oleh petugas dan tidak diproses lebih lanjut. " +
			"Jika masih diperlukan, ajukan permohonan baru dengan data dan foto yang sudah diperbaiki."
	case v1.Status_STATUS_DIPROSES:
		return "Permohonan sedang dikerjakan oleh petugas."
	case v1.Status_STATUS_SELESAI:
		return "Permohonan Anda telah selesai."
	}
	return ""
}
