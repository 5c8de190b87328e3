package registry

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/fold"
)

// buildResident turns a fold into the Resident a counter sees. The biodata
// comes from the registers, not from replaying payloads, so a resolution
// (which only writes a register) reads like any change.
func buildResident(st *fold.State) *Resident {
	r := &Resident{}
	for _, e := range st.Events {
		r.NIK = e.Entity
		at := e.Time.Time().UTC()
		r.UpdatedAt = later(r.UpdatedAt, at)
		switch m := decode(e).(type) {
		case *eventpb.ResidentRegistered:
			if r.RegisteredAt.IsZero() {
				r.Office, r.RegisteredAt = m.GetActor().GetOffice(), at
			}
			r.History = append(r.History, change(e, "terdaftar", "", ""))
		case *eventpb.ResidentChanged:
			r.History = append(r.History, change(e, m.Field, m.Value, m.Reason))
		case *eventpb.ConflictResolved:
			r.History = append(r.History, resolvedChange(e, m))
		}
	}
	for _, s := range residentSpecs {
		*s.get(&r.Biodata) = value(st, s.name)
	}
	r.Conflicts = conflicts(st)
	return r
}

// buildFamily turns a fold into the Family a counter sees.
func buildFamily(st *fold.State) *Family {
	f := &Family{}
	for _, e := range st.Events {
		f.KK = e.Entity
		at := e.Time.Time().UTC()
		f.UpdatedAt = later(f.UpdatedAt, at)
		switch m := decode(e).(type) {
		case *eventpb.FamilyCreated:
			if f.CreatedAt.IsZero() {
				f.Office, f.CreatedAt = m.GetActor().GetOffice(), at
			}
			f.History = append(f.History, change(e, "kk dibuat", m.KepalaNik, ""))
		case *eventpb.FamilyMemberAdded:
			f.History = append(f.History, change(e, "anggota masuk", m.Nik+" ("+m.Hubungan+")", ""))
		case *eventpb.FamilyMemberRemoved:
			f.History = append(f.History, change(e, "anggota keluar", m.Nik, m.Reason))
		case *eventpb.ConflictResolved:
			f.History = append(f.History, resolvedChange(e, m))
		}
	}
	b := Biodata{}
	for _, s := range addressSpecs {
		*s.get(&b) = value(st, s.name)
	}
	f.Address = b.Address
	f.Members, f.Former = members(st)
	// A head who left the card is no head: the register keeps the NIK so
	// that removing a member never needs to know who the head was.
	if head := value(st, FieldHead); head != "" {
		if _, ok := f.Member(head); ok {
			f.Head = head
		}
	}
	f.Conflicts = conflicts(st)
	return f
}

// members reads the member registers into current and former members,
// each in a total order so every replica prints the card alike.
func members(st *fold.State) (current, former []Member) {
	for field, vs := range st.Fields {
		nik, ok := strings.CutPrefix(field, MemberPrefix)
		if !ok || len(vs) == 0 {
			continue
		}
		m := memberOf(nik, vs[0])
		if m.Hubungan == Removed {
			former = append(former, m)
		} else {
			current = append(current, m)
		}
	}
	slices.SortFunc(current, func(a, b Member) int {
		return cmp.Or(cmp.Compare(relationRank(a.Hubungan), relationRank(b.Hubungan)),
			a.Since.Compare(b.Since), cmp.Compare(a.NIK, b.NIK))
	})
	slices.SortFunc(former, func(a, b Member) int {
		return cmp.Or(a.Since.Compare(b.Since), cmp.Compare(a.NIK, b.NIK))
	})
	return current, former
}

func memberOf(nik string, v fold.Version) Member {
	m := Member{NIK: nik, Hubungan: string(v.Value), Since: v.Event.Time.Time().UTC(), Event: v.Event.ID().String()}
	p := decode(v.Event)
	if p != nil {
		m.Officer, m.Office = p.GetActor().GetOfficer(), p.GetActor().GetOffice()
	}
	switch p := p.(type) {
	case *eventpb.FamilyMemberRemoved:
		m.Note = p.Reason
	case *eventpb.ConflictResolved:
		m.Note = p.Note
	}
	return m
}

// relationRank orders members as the KK lists them: head, spouse, children…
func relationRank(h string) int {
	if i := slices.Index(relations, h); i >= 0 {
		return i
	}
	return len(relations)
}

// later is the later time: the causal order of events need not follow
// their clocks, offices' clocks being what they are.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
