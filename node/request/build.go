package request

import (
	"fmt"
	"slices"
	"time"

	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
)

// build turns a fold into the Request a counter sees.
func (f Folder) build(st *fold.State) (*Request, error) {
	r := &Request{}
	var fl flow
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
			if fl, err = flowOf(m.Service, m.Path); err != nil {
				return nil, err
			}
			created(r, fl, e, m, at)
		case *eventpb.RequestTransitioned:
			r.History = append(r.History, Change{Status: Status(m.To), Note: m.Note, Officer: actor.GetOfficer(), Office: actor.GetOffice(), At: at, Event: e.ID().String()})
			if Status(m.To) == Disetujui && fl.verify.HandOver != "" {
				r.Holder = string(fl.verify.HandOver)
			}
		case *eventpb.StepCompleted:
			r.stepRecorded(m, actor, at)
		case *eventpb.StepDecided:
			r.stepDecided(m)
		case *eventpb.EffectRecorded:
			r.effectRecorded(m)
		case *eventpb.ConflictResolved:
			r.resolved(st.Events, m, actor, at, e.ID().String())
		}
	}
	if r.ID == "" {
		return nil, fmt.Errorf("request without its creation event")
	}
	r.Status = statusOf(st)
	r.Conflicts = conflicts(st)
	return r, nil
}

// resolved records an officer's resolution, as an internal entry. For a
// status conflict the resolution's status is the chosen one, and the
// status changes it overruled are marked superseded: each competing
// change is neither the chosen event nor one it followed (the chosen
// event survived the fold, so no change followed it before now).
func (r *Request) resolved(evs []*event.Event, m *eventpb.ConflictResolved, actor *eventpb.Actor, at time.Time, id string) {
	c := Change{Note: fmt.Sprintf("Konflik %s diselesaikan: %s. %s", m.Field, m.Value, m.Note), Officer: actor.GetOfficer(),
		Office: actor.GetOffice(), At: at, Event: id, Internal: true}
	if m.Field == "status" {
		c.Status = statusNamed(string(m.Value))
		before := ancestors(evs, m.ChosenEvent)
		for i := range r.History {
			h := &r.History[i]
			if !h.Internal && h.Status != Baru && h.Event != m.ChosenEvent && !before[h.Event] {
				h.Superseded = true
			}
		}
	}
	r.History = append(r.History, c)
}

// ancestors are the events id depends on, directly or not, by ID string.
func ancestors(evs []*event.Event, id string) map[string]bool {
	byID := make(map[string]*event.Event, len(evs))
	for _, e := range evs {
		byID[e.ID().String()] = e
	}
	seen := map[string]bool{}
	stack := []string{id}
	for len(stack) > 0 {
		e := byID[stack[len(stack)-1]]
		stack = stack[:len(stack)-1]
		if e == nil {
			continue
		}
		for _, d := range e.Deps {
			if ds := d.String(); !seen[ds] {
				seen[ds] = true
				stack = append(stack, ds)
			}
		}
	}
	return seen
}

func created(r *Request, fl flow, e *event.Event, m *eventpb.RequestCreated, at time.Time) {
	r.ID, r.Service, r.Path, r.Fields = e.Entity, fl.service.Name, fl.path.Name, m.Fields
	r.ApplicantName, r.NIK, r.KK, r.Problem, r.WhatsApp, r.Channel = m.ApplicantName, m.Nik, m.Kk, m.Problem, m.Whatsapp, m.Channel
	r.Office, r.CreatedAt, r.Holder = m.GetActor().GetOffice(), at, string(fl.path.Start)
	for _, d := range fl.steps {
		r.Steps = append(r.Steps, Step{StepDef: d})
	}
	for _, d := range m.Documents {
		r.Documents = append(r.Documents, docOf(d))
	}
	r.History = append(r.History, Change{Status: Baru, Officer: m.GetActor().GetOfficer(), Office: r.Office, At: at, Event: e.ID().String()})
}

func docOf(d *eventpb.DocumentRef) Document {
	return Document{Name: d.Name, Kind: d.Kind, ContentType: d.ContentType, SHA256: fmt.Sprintf("%x", d.Sha256), Size: d.Size}
}

// stepRecorded applies an officer's record of a step: done at once, or
// waiting for the decisions it asked for.
func (r *Request) stepRecorded(m *eventpb.StepCompleted, actor *eventpb.Actor, at time.Time) {
	i := slices.IndexFunc(r.Steps, func(s Step) bool { return s.Name == m.Step })
	if i < 0 || r.Steps[i].Done {
		return
	}
	s := &r.Steps[i]
	s.Officer, s.Office, s.At, s.Note = actor.GetOfficer(), actor.GetOffice(), at, m.Note
	s.Awaiting, s.Result, s.Decisions = m.Awaiting, "", nil
	s.Inputs = nil
	for _, in := range m.Inputs {
		s.Inputs = append(s.Inputs, docOf(in))
	}
	s.Waiting = len(m.Awaiting) > 0
	if !s.Waiting {
		r.finish(s)
	}
}

// stepDecided applies a decision a waiting step asked for. The step is done
// when every decision it awaits has come; a refusal ends the wait without
// finishing it, so an officer can record the step again.
func (r *Request) stepDecided(m *eventpb.StepDecided) {
	for i := range r.Steps {
		s := &r.Steps[i]
		if !s.Waiting || !slices.Contains(s.Awaiting, m.DecisionKey) {
			continue
		}
		s.Awaiting = slices.DeleteFunc(slices.Clone(s.Awaiting), func(k string) bool { return k == m.DecisionKey })
		d := decidedOf(m)
		s.Decisions = append(s.Decisions, d)
		if m.Refused != "" {
			s.Waiting, s.Awaiting, s.Result = false, nil, d.Summary()
			return
		}
		if sum := d.Summary(); sum != "" {
			s.Result = joinResult(s.Result, sum)
		} else if m.Result != "" { // an event from before decisions were typed
			s.Result = joinResult(s.Result, m.Result)
		}
		if len(s.Awaiting) == 0 {
			s.Waiting = false
			r.finish(s)
		}
		return
	}
}

// decidedOf is the typed decision a StepDecided carries.
func decidedOf(m *eventpb.StepDecided) Decided {
	return Decided{Key: m.DecisionKey, Number: m.DecisionNumber, Kind: m.Kind, NIK: m.Nik, KK: m.Kk,
		CardSerial: m.CardSerial, Verdict: m.Verdict, DuplicateOf: m.DuplicateOfNik, Refused: m.Refused}
}

// effectRecorded applies the outcome of a step's registry effect.
func (r *Request) effectRecorded(m *eventpb.EffectRecorded) {
	i := slices.IndexFunc(r.Steps, func(s Step) bool { return s.Name == m.Step })
	if i < 0 || r.Steps[i].EffectDone {
		return
	}
	s := &r.Steps[i]
	s.EffectDone, s.EffectError = m.Done, m.Error
	if m.Manual {
		s.EffectNote = m.Note
	}
}

func (r *Request) finish(s *Step) {
	s.Done = true
	if s.HandOver != "" {
		r.Holder = s.HandOver
	}
}

func joinResult(a, b string) string {
	if a == "" {
		return b
	}
	return a + ", " + b
}

// statusOf is the agreed status; in conflict, the status of the write that
// sorts first, so the request stays listed while an officer resolves it.
func statusOf(st *fold.State) Status {
	vs := st.Fields["status"]
	if len(vs) == 0 {
		return Baru
	}
	return statusNamed(string(vs[0].Value))
}

// statusNamed is the status a stored value names (Baru for none).
func statusNamed(v string) Status {
	for s, n := range statusNames {
		if n == v {
			return s
		}
	}
	return Baru
}

func conflicts(st *fold.State) []FieldConflict {
	return conflict.Of(st, func(e *event.Event) *eventpb.Actor {
		m, _ := decode(e)
		return m.GetActor()
	})
}
