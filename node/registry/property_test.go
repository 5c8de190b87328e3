package registry

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// The property test keeps its own model of the history: for every write it
// records the register, the value and the set of writes its office had
// seen (its own and what syncs brought). The registers' expected outcome
// follows from that alone, without reading deps: a write survives unless a
// later write of the same register had seen it, and surviving writes that
// disagree are a conflict.

type entity struct{ kind, id string }

type reg struct {
	entity
	field string
}

type write struct {
	id      int
	office  int
	officer string
	values  map[string]string // field → value
	ent     entity
	past    map[int]bool
}

type model struct {
	writes []write
	seen   [2]map[int]bool
}

func (m *model) record(office int, officer string, ent entity, values map[string]string) {
	id := len(m.writes)
	m.writes = append(m.writes, write{id, office, officer, values, ent, maps.Clone(m.seen[office])})
	m.seen[office][id] = true
}

func (m *model) synced(dst, src int) { maps.Copy(m.seen[dst], m.seen[src]) }

// surviving are, per register, the writes no other write of it had seen.
func (m *model) surviving() map[reg][]write {
	out := map[reg][]write{}
	for _, w := range m.writes {
		for f := range w.values {
			r := reg{w.ent, f}
			superseded := slices.ContainsFunc(m.writes, func(o write) bool {
				_, writes := o.values[f]
				return o.ent == w.ent && writes && o.past[w.id]
			})
			if !superseded {
				out[r] = append(out[r], w)
			}
		}
	}
	return out
}

// history drives two offices: both start with Budi's family, then write
// and sync at random. Refusals (a value already set, a member already on
// the card, a register in conflict) are part of the run: they must append
// nothing, and the model records only what was accepted.
type history struct {
	t       *rapid.T
	offices [2]*office
	m       model
}

var (
	changeFields = map[string][]string{
		"pekerjaan":         {"NELAYAN", "GURU", "PEDAGANG"},
		"status_perkawinan": {"Kawin", "Cerai Hidup"},
		"alamat":            {"JL. TONGKOL NO. 12", "JL. MERDEKA NO. 1"},
	}
	changed = []string{nikBudi}
	joiners = []string{nikSiti, nikAnak1, nikAnak2}
)

func (h *history) setup() {
	a := h.offices[0]
	family(h.t, a)
	h.m.seen = [2]map[int]bool{{}, {}}
	for _, nik := range []string{nikBudi, nikSiti, nikAnak1, nikAnak2} {
		r, err := a.svc.Resident(nik)
		if err != nil {
			h.t.Fatalf("setup: %v", err)
		}
		vals := map[string]string{}
		for _, s := range residentSpecs {
			vals[s.name] = *s.get(&r.Biodata)
		}
		h.m.record(0, "Petugas Setup", entity{KindResident, nik}, vals)
	}
	h.m.record(0, "Petugas Setup", entity{KindFamily, kkBudi}, map[string]string{MemberPrefix + nikBudi: HeadRelation})
	h.sync(1, 0)
}

func (h *history) sync(dst, src int) {
	syncInto(h.t, h.offices[dst], h.offices[src])
	h.m.synced(dst, src)
}

// step makes one random move at one office.
func (h *history) step(i int) {
	w := rapid.IntRange(0, 1).Draw(h.t, "office")
	o := h.offices[w]
	officer := fmt.Sprintf("Petugas %c%d", 'A'+w, i)
	// Syncs are rarer than writes so that writes often overlap, and last:
	// rapid leans towards small draws.
	switch move := rapid.IntRange(0, 7).Draw(h.t, "move"); {
	case move <= 2:
		nik := rapid.SampledFrom(changed).Draw(h.t, "nik")
		field := rapid.SampledFrom(slices.Sorted(maps.Keys(changeFields))).Draw(h.t, "field")
		v := rapid.SampledFrom(changeFields[field]).Draw(h.t, "value")
		h.try(w, officer, entity{KindResident, nik}, map[string]string{field: v}, func() error {
			_, err := o.svc.Change(nik, field, v, "perubahan elemen data", officer)
			return err
		})
	case move == 3:
		nik := rapid.SampledFrom(joiners).Draw(h.t, "member")
		rel := rapid.SampledFrom([]string{"Istri", "Anak", "Famili Lain"}).Draw(h.t, "relation")
		h.try(w, officer, entity{KindFamily, kkBudi}, map[string]string{MemberPrefix + nik: rel}, func() error {
			_, err := o.svc.AddMember(kkBudi, nik, rel, officer)
			return err
		})
	case move == 4:
		nik := rapid.SampledFrom(joiners).Draw(h.t, "member")
		h.try(w, officer, entity{KindFamily, kkBudi}, map[string]string{MemberPrefix + nik: Removed}, func() error {
			_, err := o.svc.RemoveMember(kkBudi, nik, "pindah", officer)
			return err
		})
	case move == 5:
		h.resolveOne(w, officer)
	default:
		h.sync(w, 1-w)
	}
}

// try runs a change; accepted, the model records it; refused, it must be a
// precondition (the random input is otherwise valid) and append nothing.
func (h *history) try(w int, officer string, ent entity, values map[string]string, call func() error) {
	before := h.offices[w].st.Vector()
	err := call()
	switch {
	case err == nil:
		h.m.record(w, officer, ent, values)
	case !errors.Is(err, ErrPrecondition):
		h.t.Fatalf("unexpected refusal: %v", err)
	case !h.offices[w].st.Vector().Equal(before):
		h.t.Fatalf("refused change appended: %v", err)
	}
}

// resolveOne settles a random conflict the office sees, if any.
func (h *history) resolveOne(w int, officer string) {
	cs := h.conflicts(h.offices[w])
	if len(cs) == 0 {
		return
	}
	c := cs[rapid.IntRange(0, len(cs)-1).Draw(h.t, "conflict")]
	v := c.values[rapid.IntRange(0, len(c.values)-1).Draw(h.t, "choice")]
	h.try(w, officer, c.entity, map[string]string{c.field: v.Value}, func() error {
		return h.offices[w].svc.Resolve(c.kind, c.id, c.field, v.Event, "dicek dengan dokumen asli", officer)
	})
}

type openConflict struct {
	reg
	values []ConflictValue
}

func (h *history) conflicts(o *office) []openConflict {
	var out []openConflict
	for _, ent := range entities() {
		for _, c := range h.state(o, ent).conflicts {
			out = append(out, openConflict{reg{ent, c.Field}, c.Values})
		}
	}
	return out
}

func entities() []entity {
	out := []entity{{KindFamily, kkBudi}}
	for _, nik := range []string{nikBudi, nikSiti, nikAnak1, nikAnak2} {
		out = append(out, entity{KindResident, nik})
	}
	return out
}

// folded is an entity's registers as its folded state shows them.
type folded struct {
	raw       []byte
	value     func(field string) string
	conflicts []FieldConflict
}

func (h *history) state(o *office, ent entity) folded {
	var f folded
	var err error
	if ent.kind == KindResident {
		var r *Resident
		if r, err = o.svc.Resident(ent.id); err == nil {
			f.value = func(field string) string { s, _ := specOf(residentSpecs, field); return *s.get(&r.Biodata) }
			f.conflicts = r.Conflicts
		}
	} else {
		var fam *Family
		if fam, err = o.svc.Family(ent.id); err == nil {
			f.value = func(field string) string { return memberValue(fam, strings.TrimPrefix(field, MemberPrefix)) }
			f.conflicts = fam.Conflicts
		}
	}
	if err == nil {
		f.raw, err = o.st.State(ent.kind, ent.id)
	}
	if err != nil {
		h.t.Fatalf("read %v: %v", ent, err)
	}
	return f
}

func memberValue(f *Family, nik string) string {
	if m, ok := f.Member(nik); ok {
		return m.Hubungan
	}
	if slices.ContainsFunc(f.Former, func(m Member) bool { return m.NIK == nik }) {
		return Removed
	}
	return ""
}

// deliver brings dst every event of src in a random order and random
// batches; events ahead of their deps wait for a later round.
func (h *history) deliver(dst, src int) {
	evs := allEvents(h.t, h.offices[src], nil)
	for round := 0; h.offices[src].st.Vector().Count(h.offices[dst].st.Vector()) > 0; round++ {
		if round > len(evs)+1 {
			h.t.Fatalf("delivery does not converge")
		}
		perm := rapid.Permutation(evs).Draw(h.t, "order")
		for len(perm) > 0 {
			n := rapid.IntRange(1, len(perm)).Draw(h.t, "batch")
			if res, err := h.offices[dst].st.Verify(perm[:n]); err != nil || len(res.Rejected) > 0 {
				h.t.Fatalf("deliver: %+v %v", res, err)
			}
			perm = perm[n:]
		}
	}
	h.m.synced(dst, src)
}

// converged checks both offices hold the same bytes, heads and conflicts,
// and that the registers are what the model says.
func (h *history) converged() {
	a, b := h.offices[0], h.offices[1]
	for _, ent := range entities() {
		sa, sb := h.state(a, ent), h.state(b, ent)
		if !bytes.Equal(sa.raw, sb.raw) {
			h.t.Fatalf("%v differs:\n%s\n%s", ent, sa.raw, sb.raw)
		}
		if ha, hb := heads(h.t, a, ent.kind, ent.id), heads(h.t, b, ent.kind, ent.id); !slices.Equal(ha, hb) {
			h.t.Fatalf("%v heads differ: %v vs %v", ent, ha, hb)
		}
	}
	ca, _ := a.st.Conflicts()
	cb, _ := b.st.Conflicts()
	if fmt.Sprint(ca) != fmt.Sprint(cb) {
		h.t.Fatalf("store conflicts differ: %v vs %v", ca, cb)
	}
	h.matchesModel(a)
}

// matchesModel: every register whose surviving writes disagree is a
// conflict listing exactly those writes, with their officers and offices;
// every other register holds the surviving value. So no write is lost.
func (h *history) matchesModel(o *office) {
	want := h.m.surviving()
	got := map[reg]FieldConflict{}
	for _, ent := range entities() {
		for _, c := range h.state(o, ent).conflicts {
			got[reg{ent, c.Field}] = c
		}
	}
	for r, ws := range want {
		vals := map[string]bool{}
		for _, w := range ws {
			vals[w.values[r.field]] = true
		}
		c, inConflict := got[r]
		switch {
		case len(vals) > 1 && !inConflict:
			h.t.Fatalf("%v: concurrent writes %v not surfaced", r, vals)
		case len(vals) > 1:
			h.sameWrites(r, c, ws)
		case inConflict:
			h.t.Fatalf("%v: conflict %+v, but the surviving writes agree", r, c)
		default:
			if v := h.state(o, r.entity).value(r.field); !vals[v] {
				h.t.Fatalf("%v = %q, want one of %v", r, v, vals)
			}
		}
		delete(got, r)
	}
	if len(got) > 0 {
		h.t.Fatalf("conflicts on registers never written: %v", got)
	}
}

func (h *history) sameWrites(r reg, c FieldConflict, ws []write) {
	var want, have []string
	for _, w := range ws {
		want = append(want, fmt.Sprintf("%s=%s@%s", w.officer, w.values[r.field], h.offices[w.office].name))
	}
	for _, v := range c.Values {
		have = append(have, fmt.Sprintf("%s=%s@%s", v.Officer, v.Value, v.Office))
	}
	slices.Sort(want)
	slices.Sort(have)
	if !slices.Equal(want, have) {
		h.t.Fatalf("%v: conflict lists %v, want %v", r, have, want)
	}
}

// resolveAll settles every conflict at one office with a random choice;
// after one sync the other office agrees and nothing is in conflict.
func (h *history) resolveAll() {
	w := rapid.IntRange(0, 1).Draw(h.t, "resolver")
	for i, c := range h.conflicts(h.offices[w]) {
		v := c.values[rapid.IntRange(0, len(c.values)-1).Draw(h.t, "final choice")]
		officer := fmt.Sprintf("Kasi Data %d", i)
		if err := h.offices[w].svc.Resolve(c.kind, c.id, c.field, v.Value, "", officer); err != nil {
			h.t.Fatalf("resolve %v: %v", c.reg, err)
		}
		h.m.record(w, officer, c.entity, map[string]string{c.field: v.Value})
	}
	h.sync(1-w, w)
	for _, o := range h.offices {
		if cs, _ := o.st.Conflicts(); len(cs) > 0 {
			h.t.Fatalf("%s still in conflict after resolving: %v", o.name, cs)
		}
	}
}

// TestAnyInterleavingConvergesAndSurfacesLostUpdates is the registry's
// replication property: whatever two offices do while apart or half
// connected, after exchanging everything in any order both hold the same
// state, every lost-update case is a conflict naming all its writes, and
// resolving ends every conflict on both.
func TestAnyInterleavingConvergesAndSurfacesLostUpdates(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		h := &history{t: rt}
		for i, name := range []string{"Kecamatan Sibolga Utara", "Kecamatan Sibolga Selatan"} {
			h.offices[i] = openOffice(rt, name)
			defer h.offices[i].st.Close()
		}
		h.setup()
		for i := range rapid.IntRange(4, 40).Draw(rt, "steps") {
			h.step(i)
		}
		h.deliver(0, 1)
		h.deliver(1, 0)
		h.converged()
		h.resolveAll()
		h.converged()
	})
}
