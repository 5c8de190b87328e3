package request

import (
	"fmt"
	"time"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
)

// build turns a fold into the Request a counter sees.
func (f Folder) build(st *fold.State) (*Request, error) {
	r := &Request{Steps: make([]Step, len(Steps))}
	for i, d := range Steps {
		r.Steps[i].StepDef = d
	}
	for _, e := range st.Events {
		m, err := decode(e)
		if err != nil {
			return nil, err
		}
		at := e.Time.Time().UTC()
		r.UpdatedAt = at
		actor := m.GetActor()
		switch m := m.(type) {
		case *eventpb.RequestCreated:
			f.created(r, e, m, at)
		case *eventpb.RequestTransitioned:
			r.History = append(r.History, Change{Status: Status(m.To), Note: m.Note, Officer: actor.GetOfficer(), Office: actor.GetOffice(), At: at, Event: e.ID().String()})
		case *eventpb.StepCompleted:
			for i := range r.Steps {
				if s := &r.Steps[i]; s.Name == m.Step && !s.Done {
					s.Done, s.Officer, s.Office, s.At, s.Note = true, actor.GetOfficer(), actor.GetOffice(), at, m.Note
				}
			}
		case *eventpb.ConflictResolved:
			r.History = append(r.History, Change{Status: r.Status, Note: fmt.Sprintf("Konflik %s diselesaikan: %s. %s", m.Field, m.Value, m.Note), Officer: actor.GetOfficer(), Office: actor.GetOffice(), At: at, Event: e.ID().String()})
		}
	}
	if r.ID == "" {
		return nil, fmt.Errorf("request without its creation event")
	}
	r.Status = statusOf(st)
	r.Conflicts = conflicts(st)
	return r, nil
}

func (f Folder) created(r *Request, e *event.Event, m *eventpb.RequestCreated, at time.Time) {
	r.ID, r.Service, r.ApplicantName = e.Entity, m.Service, m.ApplicantName
	r.NIK, r.KK, r.Problem, r.WhatsApp, r.Channel = m.Nik, m.Kk, m.Problem, m.Whatsapp, m.Channel
	r.Office, r.CreatedAt = m.GetActor().GetOffice(), at
	for _, d := range m.Documents {
		r.Documents = append(r.Documents, Document{Kind: d.Kind, ContentType: d.ContentType, SHA256: fmt.Sprintf("%x", d.Sha256), Size: d.Size})
	}
	r.History = append(r.History, Change{Status: Baru, Officer: m.GetActor().GetOfficer(), Office: r.Office, At: at, Event: e.ID().String()})
}

// statusOf is the agreed status; in conflict, the status of the write that
// sorts first, so the request stays listed while an officer resolves it.
func statusOf(st *fold.State) Status {
	vs := st.Fields["status"]
	if len(vs) == 0 {
		return Baru
	}
	for s, n := range statusNames {
		if n == string(vs[0].Value) {
			return s
		}
	}
	return Baru
}

func conflicts(st *fold.State) []FieldConflict {
	var out []FieldConflict
	for _, field := range st.Conflicts() {
		fc := FieldConflict{Field: field}
		for _, v := range st.Fields[field] {
			m, _ := decode(v.Event)
			fc.Values = append(fc.Values, ConflictValue{
				Value: string(v.Value), Event: v.Event.ID().String(),
				Officer: m.GetActor().GetOfficer(), Office: m.GetActor().GetOffice(), At: v.Event.Time.Time().UTC(),
			})
		}
		out = append(out, fc)
	}
	return out
}
