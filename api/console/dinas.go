package console

import (
	"net/http"
	"strconv"
	"strings"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/account"
)

func (con *Console) dinasRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor/dinas", con.signedIn(con.atDinas(con.dinas)))
	mux.HandleFunc("POST /konsol/kantor/dinas/instansi", con.signedIn(con.atDinas(con.registerInstitution)))
	mux.HandleFunc("POST /konsol/kantor/dinas/instansi/{id}/kunci", con.signedIn(con.atDinas(con.rotateKey)))
	mux.HandleFunc("POST /konsol/kantor/dinas/instansi/{id}/kuota", con.signedIn(con.atDinas(con.setQuota)))
}

// atDinas serves h only on a dinas server: the warehouse, the cluster and
// the institutions live there.
func (con *Console) atDinas(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request, o *officer) {
		if o.Here.Kind != "dinas" {
			con.render(w, r, http.StatusNotFound, "galat.html", o, errorPage{Message: "Layar ini hanya ada di server Dinas."})
			return
		}
		h(w, r, o)
	}
}

// dinasPage is the warehouse feed, the Raft cluster and the institutions.
type dinasPage struct {
	notice
	Dwh          *v1.DWHStatus
	Cluster      *v1.ClusterStatus
	ClusterError string
	Institutions []*v1.InstitutionUsage
	UsageError   string
	Admin        bool   // may register institutions, rotate keys, set quotas
	NewKey       string // an API key just issued, shown this once
	KeyFor       string
}

func (con *Console) dinas(w http.ResponseWriter, r *http.Request, o *officer) {
	con.showDinas(w, r, o, http.StatusOK, dinasPage{})
}

// showDinas reads each part on its own: a part the officer may not see,
// or one that is down, leaves the others readable.
func (con *Console) showDinas(w http.ResponseWriter, r *http.Request, o *officer, status int, p dinasPage) {
	ctx := r.Context()
	p.Admin = o.Can(account.OpInstitutionAdmin)
	if o.Can(account.OpNodeRead) {
		if st, err := con.api.nodes.GetStatus(ctx, call(o, &v1.GetStatusRequest{})); err == nil {
			p.Dwh = st.Msg.Dwh
		}
		if cs, err := con.api.cluster.GetClusterStatus(ctx, call(o, &v1.GetClusterStatusRequest{})); err != nil {
			p.ClusterError = web.Message(err)
		} else {
			p.Cluster = cs.Msg
		}
	}
	if o.Can(account.OpInstitutionRead) {
		if u, err := con.api.institution.InstitutionUsage(ctx, call(o, &v1.InstitutionUsageRequest{})); err != nil {
			p.UsageError = web.Message(err)
		} else {
			p.Institutions = u.Msg.Institutions
		}
	}
	con.render(w, r, status, "kantor-dinas.html", o, p)
}

func (con *Console) registerInstitution(w http.ResponseWriter, r *http.Request, o *officer) {
	name := strings.TrimSpace(r.PostFormValue("nama"))
	perSecond, burst, bad := quota(r)
	if bad != "" {
		con.showDinas(w, r, o, http.StatusUnprocessableEntity, dinasPage{notice: notice{Error: bad}})
		return
	}
	res, err := con.api.institution.RegisterInstitution(r.Context(), call(o, &v1.RegisterInstitutionRequest{
		Name: name, PerSecond: perSecond, Burst: burst, CertificatePem: []byte(strings.TrimSpace(r.PostFormValue("sertifikat")))}))
	if err != nil {
		con.showDinas(w, r, o, outcome(err), dinasPage{notice: refused(err)})
		return
	}
	con.showDinas(w, r, o, http.StatusOK, dinasPage{notice: done("Instansi " + name + " terdaftar dengan kode " + res.Msg.Id + "."),
		NewKey: res.Msg.ApiKey, KeyFor: name})
}

func (con *Console) rotateKey(w http.ResponseWriter, r *http.Request, o *officer) {
	id := r.PathValue("id")
	res, err := con.api.institution.RotateInstitutionKey(r.Context(), call(o, &v1.RotateInstitutionKeyRequest{Id: id}))
	if err != nil {
		con.showDinas(w, r, o, outcome(err), dinasPage{notice: refused(err)})
		return
	}
	con.showDinas(w, r, o, http.StatusOK, dinasPage{notice: done("Kunci API " + id + " diganti; kunci lama tidak berlaku lagi."),
		NewKey: res.Msg.ApiKey, KeyFor: id})
}

func (con *Console) setQuota(w http.ResponseWriter, r *http.Request, o *officer) {
	id := r.PathValue("id")
	perSecond, burst, bad := quota(r)
	if bad != "" {
		con.showDinas(w, r, o, http.StatusUnprocessableEntity, dinasPage{notice: notice{Error: bad}})
		return
	}
	_, err := con.api.institution.SetInstitutionQuota(r.Context(), call(o, &v1.SetInstitutionQuotaRequest{Id: id, PerSecond: perSecond, Burst: burst}))
	if err != nil {
		con.showDinas(w, r, o, outcome(err), dinasPage{notice: refused(err)})
		return
	}
	con.showDinas(w, r, o, http.StatusOK, dinasPage{notice: done("Kuota " + id + " diubah.")})
}

// quota reads the quota fields; empty takes the API's default. The API
// checks the range; here only that they are numbers.
func quota(r *http.Request) (perSecond float64, burst int32, bad string) {
	if v := strings.TrimSpace(r.PostFormValue("per_detik")); v != "" {
		f, err := strconv.ParseFloat(strings.ReplaceAll(v, ",", "."), 64)
		if err != nil {
			return 0, 0, "Kuota per detik harus berupa angka."
		}
		perSecond = f
	}
	if v := strings.TrimSpace(r.PostFormValue("lonjakan")); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			return 0, 0, "Lonjakan harus berupa bilangan bulat."
		}
		burst = int32(n)
	}
	return perSecond, burst, ""
}
