package console

import (
	"context"
	"net/http"
	"slices"
	"time"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// queuePage is what waits for the officer at this office, oldest first.
type queuePage struct {
	Work      []workItem // the oldest requests at a step the officer's roles do here
	Total     int        // how many wait for the officer in all
	Waiting   int        // requests waiting for a dinas decision
	Conflicts []*v1.Request
	Effects   []effectItem // decided steps whose registry change failed
	Notices   int          // WhatsApp notices that failed for good
	Error     string       // a part that could not be read
}

// queueRows is how many of the waiting requests the queue lists: the
// oldest, which are the ones to take next; the count says how many more.
const queueRows = 40

// workItem is one request at hand.
type workItem struct {
	R       *v1.Request
	Action  string // what to do: "Verifikasi berkas", a step's title
	Role    string
	Age     time.Duration
	Limit   time.Duration // the SOP time standard, 0 if none
	Overdue bool
	// Returned: the step before it waited for the dinas, whose decision
	// has come back (a NIK, a card, a verdict): the file is ready again.
	Returned string
}

type effectItem struct {
	R    *v1.Request
	Step *v1.Step
}

func (con *Console) queue(w http.ResponseWriter, r *http.Request, o *officer) {
	var p queuePage
	active, err := con.active(r.Context(), o)
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	now := con.now()
	for _, req := range active {
		if req.Conflict {
			p.Conflicts = append(p.Conflicts, req) // shown to all; resolved by who may
			continue
		}
		if it, ok := con.atHand(req, o, now); ok {
			p.Work = append(p.Work, it)
		}
		for _, st := range req.Steps {
			if st.Waiting {
				p.Waiting++
			}
			if st.EffectError != "" && !st.EffectDone && st.EffectNote == "" && o.Can(account.OpRegistryWrite) {
				p.Effects = append(p.Effects, effectItem{R: req, Step: st})
			}
		}
	}
	slices.SortFunc(p.Work, func(a, b workItem) int { return -cmpDuration(a.Age, b.Age) })
	p.Total = len(p.Work)
	p.Work = p.Work[:min(len(p.Work), queueRows)]
	if o.Can(account.OpRequestRead) {
		if n, err := con.api.nodes.ListFailedNotices(r.Context(), call(o, &v1.ListFailedNoticesRequest{})); err == nil {
			p.Notices = len(n.Msg.Notices)
		}
	}
	con.render(w, r, http.StatusOK, "antrean.html", o, p)
}

func cmpDuration(a, b time.Duration) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// active lists the requests not yet finished or cancelled. Reading them
// means one pass over every request of the office, so the console keeps
// the last list and reads again only when the node holds a new event (the
// count of its version vector moves with every change, local or synced):
// twenty officers refreshing their queues share one read. The list is
// shared: callers read it and never change it.
func (con *Console) active(ctx context.Context, o *officer) ([]*v1.Request, error) {
	st, err := con.api.nodes.GetStatus(ctx, call(o, &v1.GetStatusRequest{}))
	if err != nil {
		return nil, err
	}
	con.openMu.Lock()
	defer con.openMu.Unlock()
	if con.open != nil && con.openAt == st.Msg.Events {
		return con.open, nil
	}
	all, err := con.list(ctx, o, &v1.ListRequestsRequest{})
	if err != nil {
		return nil, err
	}
	con.open = slices.DeleteFunc(all, func(r *v1.Request) bool {
		return r.Status == v1.Status_STATUS_SELESAI || r.Status == v1.Status_STATUS_DIBATALKAN
	})
	con.openAt = st.Msg.Events
	return con.open, nil
}

// list pages through ListRequests.
func (con *Console) list(ctx context.Context, o *officer, q *v1.ListRequestsRequest) ([]*v1.Request, error) {
	var out []*v1.Request
	q.PageSize = 500
	for {
		res, err := con.api.requests.ListRequests(ctx, call(o, q))
		if err != nil {
			return nil, err
		}
		out = append(out, res.Msg.Requests...)
		if res.Msg.NextPageToken == "" {
			return out, nil
		}
		q.PageToken = res.Msg.NextPageToken
	}
}

// atHand says what a request waits for from this officer here, if anything.
func (con *Console) atHand(req *v1.Request, o *officer, now time.Time) (workItem, bool) {
	a, ok := nextAction(req, o.Here)
	if !ok || !o.HasRole(a.Role) && a.Role != "" || a.Role == "" && !o.Can(account.OpRequestApprove) {
		return workItem{}, false
	}
	it := workItem{R: req, Action: a.Title, Role: a.Role, Limit: a.Limit}
	it.Age = now.Sub(a.Since)
	it.Returned = returned(req, a.Step)
	it.Overdue = it.Limit > 0 && it.Age > it.Limit
	return it, true
}

// action is the next thing a request needs at this office.
type action struct {
	Kind  string // "verifikasi", "proses", "langkah"
	Title string
	Role  string // the role that does it; "" for receiving a handed-over file
	Step  string
	Limit time.Duration
	Since time.Time
}

// nextAction is the request's next action if it is this office's to do:
// verifying a new file where it was taken, receiving a handed-over file,
// or the step at hand. A step waiting for the dinas is nobody's action.
func nextAction(req *v1.Request, here office) (action, bool) {
	switch req.Status {
	case v1.Status_STATUS_BARU:
		v, ok := verification(req)
		if !ok || string(v.Office) != here.Kind || req.Office != here.Name && here.Kind != string(catalog.Dinas) {
			return action{}, false
		}
		return action{Kind: "verifikasi", Title: v.Title, Role: string(v.Role), Limit: v.Standard, Since: req.CreatedAt.AsTime()}, true
	case v1.Status_STATUS_DISETUJUI:
		if req.Holder != here.Kind {
			return action{}, false
		}
		return action{Kind: "proses", Title: "Terima berkas dan mulai proses", Since: req.UpdatedAt.AsTime()}, true
	case v1.Status_STATUS_DIPROSES:
		for _, st := range req.Steps {
			if st.Done {
				continue
			}
			if st.Waiting || st.OfficeKind != here.Kind || req.Holder != here.Kind {
				return action{}, false
			}
			a := action{Kind: "langkah", Title: st.Title, Role: st.Role, Step: st.Name, Limit: time.Duration(st.StandardSeconds) * time.Second}
			a.Since = req.UpdatedAt.AsTime()
			if st.Due != nil {
				a.Since = st.Due.AsTime().Add(-a.Limit)
			}
			return a, true
		}
	}
	return action{}, false
}

// verification is the catalog's verification step of a request's path.
func verification(req *v1.Request) (catalog.Step, bool) {
	svc, ok := catalog.Lookup(req.Service)
	if !ok {
		return catalog.Step{}, false
	}
	name := req.Path
	if name == "" && len(svc.Paths) > 0 {
		name = svc.Paths[0].Name
	}
	p, ok := svc.Path(name)
	if !ok {
		return catalog.Step{}, false
	}
	return p.Verification()
}

// returned summarises the decisions the step before step was given, if
// it waited for any.
func returned(req *v1.Request, step string) string {
	var prev *v1.Step
	for _, st := range req.Steps {
		if st.Name == step {
			break
		}
		prev = st
	}
	if prev == nil || len(prev.Decisions) == 0 {
		return ""
	}
	return prev.Result
}
