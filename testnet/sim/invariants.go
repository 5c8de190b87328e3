package sim

import (
	"slices"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/request"
)

// check tests Sinkron's promises once everything has healed.
func (w *world) check() {
	w.checkConverged()
	w.checkAcked()
	w.checkConflicts()
	w.checkDecisions()
	w.checkRoster()
}

// checkConverged: every office holds the same events and the same state.
func (w *world) checkConverged() {
	d := w.office(0)
	want, err := d.Store().StateHash()
	if err != nil {
		w.violate("state hash at the dinas: %v", err)
	}
	for i, n := range w.nw.Nodes[1:] {
		if !n.Store().Vector().Equal(d.Store().Vector()) {
			w.violate("%s holds other events than the dinas: %v vs %v", w.name(i+1), n.Store().Vector(), d.Store().Vector())
			continue
		}
		if got, err := n.Store().StateHash(); err != nil || got != want {
			w.violate("%s has the same events as the dinas but another state (%x vs %x, %v)", w.name(i+1), got[:6], want[:6], err)
		}
	}
}

// checkAcked: every change an office acknowledged is in the request's
// history at every office.
func (w *world) checkAcked() {
	ids := make([]string, 0, len(w.acked))
	for id := range w.acked {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for i, n := range w.nw.Nodes {
			r, err := n.Requests.Get(id)
			if err != nil {
				w.violate("acknowledged request %s missing at %s: %v", id, w.name(i), err)
				continue
			}
			for _, who := range w.acked[id] {
				if !recorded(r, who) {
					w.violate("the change %s made to %s is missing at %s", who, id, w.name(i))
				}
			}
		}
	}
}

func recorded(r *request.Request, officer string) bool {
	for _, c := range r.History {
		if c.Officer == officer {
			return true
		}
	}
	for _, s := range r.Steps {
		if s.Officer == officer {
			return true
		}
	}
	return false
}

// checkConflicts: a concurrent approve and cancel shows as a conflict at
// every office until an officer resolves it, and nowhere after.
func (w *world) checkConflicts() {
	for id, resolved := range w.conflicts {
		for i, n := range w.nw.Nodes {
			r, err := n.Requests.Get(id)
			if err != nil {
				continue // reported by checkAcked
			}
			if r.InConflict() == resolved {
				w.violate("request %s at %s: in conflict %v, resolved %v", id, w.name(i), r.InConflict(), resolved)
			}
		}
	}
}

// checkDecisions: the dinas decided every request for a decision once, and
// published every decision.
func (w *world) checkDecisions() {
	d := w.office(0)
	if n, err := undecided(d); err != nil || n > 0 {
		w.violate("%d decision requests undecided at the dinas (%v)", n, err)
	}
	if !published(d) {
		w.violate("the dinas has not published every decision")
	}
}

// checkRoster: no office holds an event from outside the roster.
func (w *world) checkRoster() {
	for i, n := range w.nw.Nodes {
		for _, o := range n.Store().Vector().Origins() {
			if o != n.Roster().Cluster() && !n.Roster().Admits(o) {
				w.violate("%s holds events of %s, outside the roster", w.name(i), o)
			}
		}
	}
}

// undecided counts the dinas's stored decision requests without a decision.
func undecided(d *node.Node) (int, error) {
	n := 0
	var ferr error
	err := d.Store().Each(decision.RequestKind, "", func(id string, _ []byte) bool {
		evs, err := d.Store().Events(decision.RequestKind, id)
		if err != nil {
			ferr = err
			return false
		}
		for _, e := range evs {
			if _, ok, _ := d.Decisions.Decided(e.ID().String()); !ok {
				n++
			}
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	return n, err
}

// published reports whether the dinas's log holds every decision its
// state machine took.
func published(d *node.Node) bool {
	fsm := d.DecisionFSM()
	if fsm == nil {
		return true
	}
	_, total := fsm.Counts()
	return d.Store().Vector()[d.Roster().Cluster()] >= total
}
