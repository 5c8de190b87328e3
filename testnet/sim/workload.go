package sim

import (
	"fmt"
	"slices"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

const counterRole = string(catalog.PetugasPendukung)

// act takes one step: mostly counter and dinas work, sometimes a fault.
func (w *world) act() {
	switch r := w.rng.IntN(100); {
	case r < 30:
		w.file()
	case r < 45:
		w.approveOrCancel()
	case r < 65:
		w.advance()
	case r < 70:
		w.concurrentEdit()
	case r < 75:
		w.resolve()
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
	r, err := w.office(i).Requests.Create(f)
	if err != nil {
		w.violate("step %d: file at %s: %v", w.step, w.name(i), err)
		return
	}
	w.ack(r.ID, f.Officer)
	w.tracef("file %s at %s", r.ID, w.name(i))
}

func (w *world) ack(id, officer string) {
	w.acked[id] = append(w.acked[id], officer)
	w.report.Acked++
}

// pick returns a request in one of the statuses as office i sees it, or nil.
func (w *world) pick(i int, statuses ...request.Status) *request.Request {
	var ids []string
	for id := range w.acked {
		ids = append(ids, id)
	}
	slices.Sort(ids) // map order is random; the seed must decide
	w.rng.Shuffle(len(ids), func(a, b int) { ids[a], ids[b] = ids[b], ids[a] })
	for _, id := range ids {
		r, err := w.office(i).Requests.Get(id)
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
	w.ack(id, who)
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
	w.ack(r.ID, who)
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
// kecamatan, cut off from it, cancels it: every office must end up showing
// the conflict (or its resolution), never one side silently.
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
	okA := w.transition(a, r.ID, request.Disetujui, counterRole, "")
	okB := w.transition(b, r.ID, request.Dibatalkan, counterRole, "berkas ganda")
	if okA && okB {
		w.conflicts[r.ID] = false
		w.report.Conflicts++
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
	var ids []string
	for id, done := range w.conflicts {
		if !done {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		r, err := w.office(0).Requests.Get(id)
		if err != nil || !r.InConflict() {
			continue
		}
		c := r.Conflicts[0]
		chosen := c.Values[w.rng.IntN(len(c.Values))]
		who := w.officer(0)
		if _, err := w.office(0).Requests.Resolve(id, c.Field, chosen.Event, "dikonfirmasi ke pemohon", who); err != nil {
			w.violate("step %d: resolve %s at the dinas: %v", w.step, id, err)
			return
		}
		w.conflicts[id] = true
		w.ack(id, who)
		w.tracef("resolve %s %s=%s at the dinas", id, c.Field, chosen.Value)
		return
	}
}
