package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

const counterRole = string(catalog.PetugasPendukung)

// act takes one step: mostly counter, dinas and print-room work,
// sometimes a fault.
func (w *world) act() {
	switch r := w.rng.IntN(100); {
	case r < 20:
		w.file()
	case r < 23:
		w.refile()
	case r < 34:
		w.approveOrCancel()
	case r < 48:
		w.advance()
	case r < 52:
		w.concurrentEdit()
	case r < 56:
		w.editResident()
	case r < 59:
		w.concurrentResidentEdit()
	case r < 64:
		w.resolve()
	case r < 70:
		w.assignNIK()
	case r < 77:
		w.issueCard()
	default:
		w.fault()
	}
}

// kecamatan picks a kecamatan office index.
func (w *world) kecamatan() int { return 1 + w.rng.IntN(w.cfg.Kecamatan) }

// officer is a tag unique to this step, so an acknowledged change can be
// found in a request's history on every office.
func (w *world) officer(i int) string { return fmt.Sprintf("Petugas %d/%d", w.step, i) }

// file takes a Sinkronisasi Data request at a kecamatan counter.
func (w *world) file() {
	i := w.kecamatan()
	f := testnet.SampleForm(w.step)
	f.Officer = w.officer(i)
	f.Key = fmt.Sprintf("sim/%d", w.step)
	r, err := w.office(i).Requests.Create(f)
	if err != nil {
		w.violate("step %d: file at %s: %v", w.step, w.name(i), err)
		return
	}
	w.filings[f.Key] = filing{office: i, step: w.step, form: f, id: r.ID}
	w.ack(ref{kindRequest, r.ID}, f.Officer)
	w.tracef("file %s at %s", r.ID, w.name(i))
}

func (w *world) ack(e ref, officer string) {
	w.acked[e] = append(w.acked[e], officer)
	w.report.Acked++
	// A later edit may agree with one side of a conflict or start another:
	// what the entity shows is no longer known from the schedule alone.
	if !w.expecting {
		delete(w.conflicts, e)
	}
}

// refs lists the acknowledged entities of a kind in an order the seed
// decides (map order is random).
func (w *world) refs(kind string) []ref {
	var out []ref
	for e := range w.acked {
		if e.kind == kind {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b ref) int { return strings.Compare(a.id, b.id) })
	w.rng.Shuffle(len(out), func(a, b int) { out[a], out[b] = out[b], out[a] })
	return out
}

// pick returns a request in one of the statuses as office i sees it, or nil.
func (w *world) pick(i int, statuses ...request.Status) *request.Request {
	for _, e := range w.refs(kindRequest) {
		r, err := w.office(i).Requests.Get(e.id)
		if err == nil && !r.InConflict() && slices.Contains(statuses, r.Status) {
			return r
		}
	}
	return nil
}

// origin is the index of the office where a request was taken.
func (w *world) origin(r *request.Request) int {
	for i, n := range w.nw.Nodes {
		if n.Member().Office == r.Office {
			return i
		}
	}
	return 0
}

// approveOrCancel verifies a new request at the counter that took it.
func (w *world) approveOrCancel() {
	i := w.kecamatan()
	r := w.pick(i, request.Baru)
	if r == nil || w.origin(r) != i {
		return
	}
	to, note := request.Disetujui, ""
	if w.rng.IntN(5) == 0 {
		to, note = request.Dibatalkan, "foto KK tidak terbaca"
	}
	w.transition(i, r.ID, to, counterRole, note)
}

func (w *world) transition(i int, id string, to request.Status, role, note string) bool {
	who := w.officer(i)
	if _, err := w.office(i).Requests.Transition(id, to, role, note, who); err != nil {
		w.tracef("%s %s at %s refused: %v", to, id, w.name(i), err)
		return false
	}
	w.ack(ref{kindRequest, id}, who)
	w.tracef("%s %s at %s", to, id, w.name(i))
	return true
}

// advance moves an approved request one step on where its file is: into
// Diproses, through its next step, or to Selesai.
func (w *world) advance() {
	r := w.pick(0, request.Disetujui, request.Diproses)
	if r == nil {
		return
	}
	holder := 0
	if r.Holder == string(catalog.Kecamatan) {
		holder = w.origin(r)
	}
	if r.Status == request.Disetujui {
		w.transition(holder, r.ID, request.Diproses, "", "")
		return
	}
	for _, st := range r.Steps {
		if st.Done || st.Waiting {
			if st.Waiting {
				return // its decision has not come yet
			}
			continue
		}
		w.step1(r, st)
		return
	}
	w.transition(holder, r.ID, request.Selesai, "", "")
}

// step1 completes one processing step at the office that does it.
func (w *world) step1(r *request.Request, st request.Step) {
	at := 0
	if st.OfficeKind == string(catalog.Kecamatan) {
		at = w.origin(r)
	}
	def, ok := stepDef(r, st.Name)
	if !ok {
		w.violate("step %d: request %s has step %s outside its catalog path", w.step, r.ID, st.Name)
		return
	}
	who := w.officer(at)
	if _, err := w.office(at).Requests.CompleteStep(r.ID, st.Name, testnet.Actor(def), "", who, testnet.StepInputs(def, 1)...); err != nil {
		w.tracef("step %s of %s at %s refused: %v", st.Name, r.ID, w.name(at), err)
		return
	}
	w.ack(ref{kindRequest, r.ID}, who)
	w.tracef("step %s of %s at %s", st.Name, r.ID, w.name(at))
}

func stepDef(r *request.Request, name string) (catalog.Step, bool) {
	svc, ok := catalog.Lookup(r.Service)
	if !ok {
		return catalog.Step{}, false
	}
	p, ok := svc.Path(r.Path)
	if !ok {
		return catalog.Step{}, false
	}
	for _, st := range p.Steps {
		if st.Name == name {
			return st, true
		}
	}
	return catalog.Step{}, false
}

// concurrentEdit approves a new request at its counter while another
// kecamatan, cut off from it, tries to cancel it. The request belongs to
// the counter that took it until its file goes to the dinas, so the other
// kecamatan's cancel must be refused, and the approval stands everywhere:
// never a conflict a kecamatan could force on another's file.
func (w *world) concurrentEdit() {
	a := w.kecamatan()
	r := w.pick(a, request.Baru)
	if r == nil || w.origin(r) != a {
		return
	}
	b := w.otherHolding(a, r.ID)
	if b < 0 {
		return
	}
	w.isolate(a)
	w.expecting = true
	okA := w.transition(a, r.ID, request.Disetujui, counterRole, "")
	okB := w.transition(b, r.ID, request.Dibatalkan, counterRole, "berkas ganda")
	w.expecting = false
	if okB {
		w.violate("step %d: %s cancelled request %s that %s took", w.step, w.name(b), r.ID, w.name(a))
	}
	w.planned(ref{kindRequest, r.ID}, okA, okB)
}

// planned records a planned conflict when both sides were written; with
// one side refused, what the entity will show is not known in advance.
func (w *world) planned(e ref, okA, okB bool) {
	switch {
	case okA && okB:
		w.conflicts[e] = false
		w.report.Conflicts++
	case okA || okB:
		delete(w.conflicts, e)
	}
}

// otherHolding is another kecamatan that holds the request, or -1.
func (w *world) otherHolding(a int, id string) int {
	for j := 1; j <= w.cfg.Kecamatan; j++ {
		if j == a {
			continue
		}
		if _, err := w.office(j).Requests.Get(id); err == nil {
			return j
		}
	}
	return -1
}

// resolve has the dinas settle a conflict it can see, choosing a side.
func (w *world) resolve() {
	var open []ref
	for e, done := range w.conflicts {
		if !done {
			open = append(open, e)
		}
	}
	slices.SortFunc(open, func(a, b ref) int { return strings.Compare(a.kind+a.id, b.kind+b.id) })
	for _, e := range open {
		field, values, ok := w.conflictAt(0, e)
		if !ok {
			continue
		}
		chosen := values[w.rng.IntN(len(values))]
		who := w.officer(0)
		var err error
		if e.kind == kindRequest {
			_, err = w.office(0).Requests.Resolve(e.id, field, chosen, "dikonfirmasi ke pemohon", who)
		} else {
			err = w.office(0).Residents.Resolve(registry.KindResident, e.id, field, chosen, "dikonfirmasi ke pemohon", who)
		}
		if err != nil {
			w.violate("step %d: resolve %s %s at the dinas: %v", w.step, e.kind, e.id, err)
			return
		}
		w.expecting = true
		w.ack(e, who)
		w.expecting = false
		w.conflicts[e] = true
		w.tracef("resolve %s %s: %s at the dinas", e.kind, e.id, field)
		return
	}
}

// conflictAt is an entity's first field in conflict at office i, with the
// competing events.
func (w *world) conflictAt(i int, e ref) (string, []string, bool) {
	if e.kind == kindRequest {
		r, err := w.office(i).Requests.Get(e.id)
		if err != nil || !r.InConflict() {
			return "", nil, false
		}
		var evs []string
		for _, v := range r.Conflicts[0].Values {
			evs = append(evs, v.Event)
		}
		return r.Conflicts[0].Field, evs, true
	}
	r, err := w.office(i).Residents.Resident(e.id)
	if err != nil || len(r.Conflicts) == 0 {
		return "", nil, false
	}
	var evs []string
	for _, v := range r.Conflicts[0].Values {
		evs = append(evs, v.Event)
	}
	return r.Conflicts[0].Field, evs, true
}

// filing is a request a counter filed with a filing key.
type filing struct {
	office, step int
	form         request.Form
	id           string
}

// refile sends an earlier filing again with its key, as a counter program
// does after a lost reply: the office answers with the first request and
// files nothing more.
func (w *world) refile() {
	keys := slices.Sorted(maps.Keys(w.filings))
	if len(keys) == 0 {
		w.file()
		return
	}
	f := w.filings[keys[w.rng.IntN(len(keys))]]
	r, err := w.office(f.office).Requests.Create(f.form)
	switch {
	case err != nil:
		w.violate("step %d: refile %s at %s: %v", w.step, f.form.Key, w.name(f.office), err)
	case r.ID != f.id:
		w.violate("step %d: a retried filing (%s) made a second request at %s: %s, first %s", w.step, f.form.Key, w.name(f.office), r.ID, f.id)
	default:
		w.tracef("refile %s at %s: the same request %s", f.form.Key, w.name(f.office), r.ID)
	}
}

// forgetFilings drops the keys an office filed after its backup: they
// were on the disk the restore replaced (a key is the office's own, kept
// beside the request, not replicated).
func (w *world) forgetFilings(office int) {
	for k, f := range w.filings {
		if f.office == office && f.step >= w.backedUp[office] {
			delete(w.filings, k)
		}
	}
}
