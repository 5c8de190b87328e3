package console

import (
	"net/http"
	"time"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/zone"
)

// The office screens: the day's logbook, sync state and the network,
// bundles, accounts, the audit trail, failed notices and, at the dinas,
// the warehouse feed, the cluster and institutions. Each is a client of
// the API like the rest of the console; a section's link shows only for
// an officer whose roles allow its operation.
func (con *Console) officeRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor", con.signedIn(con.officeHome))
	mux.HandleFunc("GET /konsol/kantor/harian", con.signedIn(con.logbook))
	mux.HandleFunc("GET /konsol/kantor/harian.pdf", con.signedIn(con.logbookPDF))
	con.syncRoutes(mux)
	con.bundleRoutes(mux)
	con.accountRoutes(mux)
	con.auditRoutes(mux)
	con.noticeRoutes(mux)
	con.dinasRoutes(mux)
}

// notice is what a page says above itself after a change: what was done,
// or why the API refused it.
type notice struct{ Flash, Error string }

// done and refused make a notice of an action's outcome.
func done(flash string) notice { return notice{Flash: flash} }
func refused(err error) notice { return notice{Error: web.Message(err)} }

// outcome is the HTTP status of a page shown after an action.
func outcome(err error) int {
	if err != nil {
		return web.Status(err)
	}
	return http.StatusOK
}

// section is a link of the office hub.
type section struct{ Href, Title, About string }

// sections are the office screens the officer may use here.
func sections(o *officer) []section {
	var out []section
	add := func(ok bool, href, title, about string) {
		if ok {
			out = append(out, section{href, title, about})
		}
	}
	add(o.Can(account.OpRequestRead), "/konsol/kantor/harian", "Buku harian", "Semua perubahan status dan langkah di kantor ini pada satu tanggal, dengan PDF-nya.")
	add(o.Can(account.OpNodeRead), "/konsol/kantor/sinkron", "Sinkronisasi", "Keadaan sinkron dengan tiap kantor: ketertinggalan, sinkron terakhir, selisih jam, foto yang belum sampai.")
	add(o.Can(account.OpBundle), "/konsol/kantor/bundel", "Bundel flash disk", "Ekspor dan impor bundel data saat jaringan tidak ada (SOP 20).")
	add(o.Can(account.OpAccountAdmin), "/konsol/kantor/akun", "Akun petugas", "Buat akun, berikan atau cabut peran, atur ulang kata sandi, nonaktifkan.")
	add(o.Can(account.OpAuditRead), "/konsol/kantor/audit", "Jejak audit", "Siapa mengubah atau melihat apa: menurut petugas, NIK atau waktu.")
	add(o.Can(account.OpRequestRead), "/konsol/kantor/pemberitahuan", "Pemberitahuan WhatsApp", "Pemberitahuan yang gagal terkirim dan percakapan warga yang perlu petugas.")
	add(o.Here.Kind == "dinas" && (o.Can(account.OpNodeRead) || o.Can(account.OpInstitutionRead)), "/konsol/kantor/dinas",
		"Dinas: DWH, klaster dan instansi", "Umpan gudang data (DWH), status klaster Dinas, instansi pengguna cek NIK.")
	return out
}

func (con *Console) officeHome(w http.ResponseWriter, r *http.Request, o *officer) {
	con.render(w, r, http.StatusOK, "kantor.html", o, sections(o))
}

// logbookPage is the office's logbook of one date.
type logbookPage struct {
	Date  string // YYYY-MM-DD in the office's zone
	Zone  string
	Book  *v1.GetLogbookResponse
	Error string
}

func (con *Console) logbook(w http.ResponseWriter, r *http.Request, o *officer) {
	p := logbookPage{Date: con.day(r, o), Zone: zone.Name(con.now().In(o.Here.Zone))}
	res, err := con.api.requests.GetLogbook(r.Context(), call(o, &v1.GetLogbookRequest{Date: p.Date}))
	if err != nil {
		p.Error = web.Message(err)
		con.render(w, r, web.Status(err), "kantor-harian.html", o, p)
		return
	}
	p.Book = res.Msg
	con.render(w, r, http.StatusOK, "kantor-harian.html", o, p)
}

func (con *Console) logbookPDF(w http.ResponseWriter, r *http.Request, o *officer) {
	res, err := con.api.requests.PrintLogbook(r.Context(), call(o, &v1.GetLogbookRequest{Date: con.day(r, o)}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	sendFile(w, "application/pdf", res.Msg.Filename, res.Msg.Content)
}

// day is the date asked for, today in the office's zone by default; a
// malformed date goes to the API as typed, which says what is wrong.
func (con *Console) day(r *http.Request, o *officer) string {
	if d := r.URL.Query().Get("tanggal"); d != "" {
		return d
	}
	return con.now().In(o.Here.Zone).Format(time.DateOnly)
}
