package account

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
	"github.com/sinkron-id/sinkron/replication/store"
)

// payload is any account event payload.
type payload interface {
	proto.Message
	GetActor() *eventpb.Actor
}

func newPayload(typ string) payload {
	switch typ {
	case typeCreated:
		return &eventpb.AccountCreated{}
	case typeRoleGranted:
		return &eventpb.RoleGranted{}
	case typeRoleRevoked:
		return &eventpb.RoleRevoked{}
	case typePasswordChanged:
		return &eventpb.PasswordChanged{}
	case typeDisabled:
		return &eventpb.AccountDisabled{}
	}
	return nil
}

// decode returns nil for an event this version does not understand. Such
// an event stays in the history and keeps its place as a dep but sets
// nothing: failing the fold would refuse the whole sync batch it came in.
func decode(e *event.Event) payload {
	m := newPayload(e.Type)
	if m == nil || proto.Unmarshal(e.Payload, m) != nil {
		return nil
	}
	return m
}

// writes says which registers each event sets. A disablement sets none:
// it is read from the event set itself (see buildAccount), so nothing can
// supersede it.
func writes(e *event.Event) ([]fold.Write, error) {
	var ws []fold.Write
	set := func(f, v string) { ws = append(ws, fold.Write{Field: f, Value: []byte(v)}) }
	switch m := decode(e).(type) {
	case *eventpb.AccountCreated:
		set(fieldCreated, e.ID().String())
		set(fieldFullName, m.FullName)
		set(fieldOffice, m.Office)
		set(fieldPassword, m.PasswordHash)
		for _, r := range m.Roles {
			set(RolePrefix+r, Granted)
		}
	case *eventpb.RoleGranted:
		set(RolePrefix+m.Role, Granted)
	case *eventpb.RoleRevoked:
		set(RolePrefix+m.Role, Revoked)
	case *eventpb.PasswordChanged:
		set(fieldPassword, m.PasswordHash)
	}
	return ws, nil
}

// Folder folds petugas events into a record, stored as JSON.
type Folder struct{}

// Fold implements store.Folder.
func (Folder) Fold(evs []*event.Event) (store.Folded, error) {
	st, err := fold.Fold(evs, writes)
	if err != nil {
		return store.Folded{}, err
	}
	rec := buildRecord(st)
	b, err := json.Marshal(rec)
	var cs []string
	for _, c := range rec.Conflicts {
		cs = append(cs, c.Field)
	}
	return store.Folded{State: b, Heads: st.Heads, Conflicts: cs}, err
}

// buildRecord turns a fold into an account and its password hashes.
func buildRecord(st *fold.State) *record {
	rec := &record{}
	a := &rec.Account
	for _, e := range st.Events {
		a.Username = e.Entity
		a.UpdatedAt = later(a.UpdatedAt, e.Time.Time().UTC())
		a.History = appendHistory(a, e)
	}
	a.FullName, a.Office = value(st, fieldFullName), value(st, fieldOffice)
	a.Roles = heldRoles(st)
	for _, v := range st.Fields[fieldPassword] {
		rec.Passwords = append(rec.Passwords, password{Hash: string(v.Value), Version: v.Event.ID().String()})
		a.PasswordChangedAt = later(a.PasswordChangedAt, v.Event.Time.Time().UTC())
	}
	_, agreed := st.Value(fieldCreated)
	a.Duplicate = !agreed && len(st.Fields[fieldCreated]) > 1
	if !a.Disabled {
		a.Conflicts = redacted(conflict.Of(st, actorOf))
	}
	return rec
}

// appendHistory records one event in the account's history and notes the
// creation and the disablement.
func appendHistory(a *Account, e *event.Event) []Change {
	h := a.History
	switch m := decode(e).(type) {
	case *eventpb.AccountCreated:
		if a.CreatedAt.IsZero() {
			a.CreatedAt = e.Time.Time().UTC()
		}
		h = append(h, change(e, "dibuat", strings.Join(m.Roles, ", "), ""))
	case *eventpb.RoleGranted:
		h = append(h, change(e, "peran diberikan", m.Role, m.Note))
	case *eventpb.RoleRevoked:
		h = append(h, change(e, "peran dicabut", m.Role, m.Note))
	case *eventpb.PasswordChanged:
		what := "kata sandi diubah"
		if by := actorOf(e).GetOfficer(); by != "" && by != a.Username {
			what = "kata sandi diatur ulang" // by an ADB SIAK (ResetPassword)
		}
		h = append(h, change(e, what, "", ""))
	case *eventpb.AccountDisabled:
		// Sticky: any disablement in the set disables, whatever else
		// happened concurrently or later (see doc.go).
		if !a.Disabled {
			a.Disabled, a.DisabledReason = true, m.Reason
		}
		h = append(h, change(e, "dinonaktifkan", "", m.Reason))
	}
	return h
}

// heldRoles lists, in catalog order, the roles whose register agrees on
// Granted. A role in conflict is not held: a grant that another office
// revoked meanwhile must not work until an officer decides.
func heldRoles(st *fold.State) []catalog.Role {
	var out []catalog.Role
	for _, r := range officerRoles() {
		if v, ok := st.Value(RolePrefix + string(r)); ok && string(v) == Granted {
			out = append(out, r)
		}
	}
	return out
}

// redacted hides password hashes in conflicts: officers see who changed
// the password where and when, never the hash.
func redacted(cs []conflict.Field) []conflict.Field {
	for i := range cs {
		if cs[i].Field == fieldPassword {
			for j := range cs[i].Values {
				cs[i].Values[j].Value = "(kata sandi baru)"
			}
		}
	}
	return cs
}

// officerRoles are the catalog roles an account may hold: all but the
// applicant, who never logs in to the officers' API.
func officerRoles() []catalog.Role {
	return slices.DeleteFunc(catalog.Roles(), func(r catalog.Role) bool { return r == catalog.Pemohon })
}

// value is a register's value; in conflict, the value of the write that
// sorts first, so the account stays readable while an officer decides.
func value(st *fold.State, field string) string {
	if vs := st.Fields[field]; len(vs) > 0 {
		return string(vs[0].Value)
	}
	return ""
}

func actorOf(e *event.Event) *eventpb.Actor {
	if m := decode(e); m != nil {
		return m.GetActor()
	}
	return nil
}

func change(e *event.Event, what, value, note string) Change {
	a := actorOf(e)
	return Change{What: what, Value: value, Note: note, Officer: a.GetOfficer(), Office: a.GetOffice(),
		At: e.Time.Time().UTC(), Event: e.ID().String()}
}

// later is the later time: the causal order of events need not follow
// their clocks, offices' clocks being what they are.
func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
