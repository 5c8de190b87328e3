package conflict

import (
	"time"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
)

// Value is one competing value of a field in conflict.
type Value struct {
	Value   string    `json:"value"`
	Event   string    `json:"event"`
	Officer string    `json:"officer"`
	Office  string    `json:"office"`
	At      time.Time `json:"at"`
}

// Field is a field whose concurrent writes disagree.
type Field struct {
	Field  string  `json:"field"`
	Values []Value `json:"values"`
}

// Of lists a fold's conflicts; actor names who wrote an event.
func Of(st *fold.State, actor func(*event.Event) *eventpb.Actor) []Field {
	var out []Field
	for _, field := range st.Conflicts() {
		fc := Field{Field: field}
		for _, v := range st.Fields[field] {
			a := actor(v.Event)
			fc.Values = append(fc.Values, Value{
				Value: string(v.Value), Event: v.Event.ID().String(),
				Officer: a.GetOfficer(), Office: a.GetOffice(), At: v.Event.Time.Time().UTC(),
			})
		}
		out = append(out, fc)
	}
	return out
}

// On returns the conflict on field, if any.
func On(cs []Field, field string) (Field, bool) {
	for _, c := range cs {
		if c.Field == field {
			return c, true
		}
	}
	return Field{}, false
}
