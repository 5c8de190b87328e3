package console

import (
	"net/http"
	"strings"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/zone"
)

// auditLimit is how many entries a search shows: a page an officer reads,
// not an export (the CLI's `sinkron audit` takes more).
const auditLimit = 200

// localMinute is the value of an <input type="datetime-local">.
const localMinute = "2006-01-02T15:04"

func (con *Console) auditRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor/audit", con.signedIn(con.audit))
}

// auditPage is a search of the audit trail and what it found.
type auditPage struct {
	Officer, NIK, From, To string // as typed
	Zone                   string
	Searched               bool
	Entries                []*v1.AuditEntry
	Limit                  int
	Error                  string
}

// audit searches the trail by officer, NIK or time (in the office's zone).
// A search is a read, so the form is a GET: its address can be kept.
func (con *Console) audit(w http.ResponseWriter, r *http.Request, o *officer) {
	q := r.URL.Query()
	p := auditPage{Officer: strings.TrimSpace(q.Get("petugas")), NIK: strings.TrimSpace(q.Get("nik")),
		From: q.Get("dari"), To: q.Get("sampai"), Zone: zone.Name(con.now().In(o.Here.Zone)), Limit: auditLimit, Searched: q.Has("cari")}
	if !p.Searched {
		con.render(w, r, http.StatusOK, "kantor-audit.html", o, p)
		return
	}
	in := &v1.QueryAuditRequest{Officer: p.Officer, Nik: p.NIK, Limit: auditLimit}
	var bad []string
	in.From, bad = con.localTime(o, p.From, "dari", bad)
	in.To, bad = con.localTime(o, p.To, "sampai", bad)
	if len(bad) > 0 {
		p.Error = "Waktu " + strings.Join(bad, " dan ") + " tidak terbaca; isi tanggal dan jam."
		con.render(w, r, http.StatusUnprocessableEntity, "kantor-audit.html", o, p)
		return
	}
	res, err := con.api.nodes.QueryAudit(r.Context(), call(o, in))
	if err != nil {
		p.Error = web.Message(err)
		con.render(w, r, web.Status(err), "kantor-audit.html", o, p)
		return
	}
	p.Entries = res.Msg.Entries
	con.render(w, r, http.StatusOK, "kantor-audit.html", o, p)
}

// localTime reads a datetime-local value in the office's zone; empty is
// no bound. A value it cannot read is named in bad.
func (con *Console) localTime(o *officer, v, name string, bad []string) (*timestamppb.Timestamp, []string) {
	if v == "" {
		return nil, bad
	}
	t, err := time.ParseInLocation(localMinute, v, o.Here.Zone)
	if err != nil {
		return nil, append(bad, name)
	}
	return timestamppb.New(t), bad
}
