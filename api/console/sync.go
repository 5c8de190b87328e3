package console

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"time"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/account"
)

func (con *Console) syncRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor/sinkron", con.signedIn(con.syncState))
	mux.HandleFunc("POST /konsol/kantor/sinkron/jaringan", con.signedIn(con.setNetwork))
	mux.HandleFunc("POST /konsol/kantor/sinkron/sekarang", con.signedIn(con.syncNow))
}

// syncPage is this node's replication state and each office it syncs with.
type syncPage struct {
	notice
	Status *v1.GetStatusResponse
	Peers  []peerRow
	Chart  template.HTML // the lag per office, drawn here as SVG
	Skewed []skew        // offices whose clocks run ahead of this node's
	Admin  bool          // may take the node off the network and sync now
}

// peerRow is one office with what the table shows of it.
type peerRow struct {
	P     *v1.Peer
	Since time.Duration // since the last sync; 0 if never
	Skew  time.Duration
}

type skew struct {
	Origin string
	Ahead  time.Duration
}

func (con *Console) syncState(w http.ResponseWriter, r *http.Request, o *officer) {
	con.showSync(w, r, o, http.StatusOK, notice{})
}

// showSync renders the sync page with the outcome of an action above it.
func (con *Console) showSync(w http.ResponseWriter, r *http.Request, o *officer, status int, n notice) {
	st, err := con.api.nodes.GetStatus(r.Context(), call(o, &v1.GetStatusRequest{}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	ps, err := con.api.nodes.ListPeers(r.Context(), call(o, &v1.ListPeersRequest{}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	p := syncPage{notice: n, Status: st.Msg, Admin: o.Can(account.OpNodeAdmin)}
	now := con.now()
	for _, peer := range ps.Msg.Peers {
		row := peerRow{P: peer, Skew: time.Duration(peer.ClockSkewMs) * time.Millisecond}
		if peer.LastSync != nil && !peer.LastSync.AsTime().IsZero() {
			row.Since = max(now.Sub(peer.LastSync.AsTime()), time.Second)
		}
		p.Peers = append(p.Peers, row)
	}
	slices.SortFunc(p.Peers, func(a, b peerRow) int { return cmp.Compare(a.P.Office, b.P.Office) })
	for origin, ms := range st.Msg.ClockAheadMs {
		p.Skewed = append(p.Skewed, skew{origin, time.Duration(ms) * time.Millisecond})
	}
	slices.SortFunc(p.Skewed, func(a, b skew) int { return cmp.Compare(a.Origin, b.Origin) })
	p.Chart = lagChart(p.Peers)
	con.render(w, r, status, "kantor-sinkron.html", o, p)
}

// setNetwork takes the node off the network or back on. The API allows it
// to the ADB SIAK only; the console shows the button to them alone.
func (con *Console) setNetwork(w http.ResponseWriter, r *http.Request, o *officer) {
	online := r.PostFormValue("jaringan") == "daring"
	res, err := con.api.nodes.SetNetwork(r.Context(), call(o, &v1.SetNetworkRequest{Online: online}))
	if err != nil {
		con.showSync(w, r, o, outcome(err), refused(err))
		return
	}
	n := done("Node terputus dari jaringan: tidak ada sinkron sampai dihubungkan lagi.")
	if res.Msg.Online {
		n = done("Node terhubung ke jaringan lagi; sinkron berjalan.")
	}
	con.showSync(w, r, o, http.StatusOK, n)
}

func (con *Console) syncNow(w http.ResponseWriter, r *http.Request, o *officer) {
	res, err := con.api.nodes.SyncNow(r.Context(), call(o, &v1.SyncNowRequest{}))
	if err != nil {
		con.showSync(w, r, o, outcome(err), refused(err))
		return
	}
	con.showSync(w, r, o, http.StatusOK, done(plural(int(res.Msg.Peers), "Sinkron dimulai dengan %d kantor yang terhubung.",
		"Tidak ada kantor yang terhubung; sinkron akan berjalan begitu ada.")))
}
