package sim

import (
	"slices"
	"strings"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
)

// check tests Sinkron's promises once everything has healed.
func (w *world) check() {
	w.checkConverged()
	w.checkAcked()
	w.checkConflicts()
	w.checkDecisions()
	w.checkNIKs()
	w.checkCards()
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

// checkAcked: every change an office acknowledged is in the entity's
// history at every office.
func (w *world) checkAcked() {
	refs := make([]ref, 0, len(w.acked))
	for e := range w.acked {
		refs = append(refs, e)
	}
	slices.SortFunc(refs, func(a, b ref) int { return strings.Compare(a.kind+a.id, b.kind+b.id) })
	for _, e := range refs {
		for i := range w.nw.Nodes {
			for _, who := range w.acked[e] {
				if ok, err := w.holds(i, e, who); !ok {
					w.violate("the change %s made to %s %s is missing at %s (%v)", who, e.kind, e.id, w.name(i), err)
				}
			}
		}
	}
}

// holds reports whether office i has the change `who` made to e.
func (w *world) holds(i int, e ref, who string) (bool, error) {
	if e.kind == kindRequest {
		r, err := w.office(i).Requests.Get(e.id)
		return err == nil && recorded(r, who), err
	}
	r, err := w.office(i).Residents.Resident(e.id)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(r.History, func(c registry.Change) bool { return c.Officer == who }), nil
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

// checkConflicts: a concurrent edit shows as a conflict at every office
// until an officer resolves it, and nowhere after.
func (w *world) checkConflicts() {
	for e, resolved := range w.conflicts {
		for i := range w.nw.Nodes {
			_, _, in := w.conflictAt(i, e)
			if in == resolved {
				w.violate("%s %s at %s: in conflict %v, resolved %v", e.kind, e.id, w.name(i), in, resolved)
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
// state machine took: all in closed blocks, every block published.
func published(d *node.Node) bool {
	fsm := d.DecisionFSM()
	if fsm == nil {
		return true
	}
	_, total := fsm.Counts()
	blocks, sealed := fsm.Blocks()
	return sealed == total && d.Store().Vector()[d.Roster().Cluster()] >= blocks
}
