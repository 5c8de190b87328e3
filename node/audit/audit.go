package audit

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Kind and Type of the record of a biodata read.
const (
	Kind     = "akses"
	TypeRead = "akses.biodata"
)

// Entry is one line of the audit.
type Entry struct {
	At      time.Time
	Officer string
	Office  string
	Device  string // the node that signed the event
	Kind    string
	Entity  string
	Type    string
	Event   string
}

// Filter selects entries; zero fields select everything.
type Filter struct {
	Officer  string // case-insensitive part of the officer's name
	NIK      string // events about or mentioning this NIK
	From, To time.Time
	Limit    int
}

// Log records reads and answers queries over a node's store.
type Log struct {
	Store  *store.Store
	Office string
	Now    func() time.Time
}

// Read records that officer read the full biodata of nik.
func (l Log) Read(nik, officer string) error {
	b, err := proto.Marshal(&eventpb.BiodataRead{Actor: &eventpb.Actor{Officer: officer, Office: l.Office}, Nik: nik})
	if err != nil {
		return err
	}
	// One entity per read, so recording stays O(1) however often a
	// resident is looked up.
	entity := fmt.Sprintf("%s/%d", nik, l.Now().UnixNano())
	_, err = l.Store.Append(store.Draft{Kind: Kind, Entity: entity, Type: TypeRead, Payload: b}, nil)
	return err
}

// Kind and Type of the record of an officer's duplicate-check verdict.
const (
	KindVerdict = "putusan-dedup"
	TypeVerdict = "putusan-dedup.dicatat"
)

// Verdict records that officer gave the verdict on enrollment's duplicate
// check, filed as the dinas decision under key.
func (l Log) Verdict(enrollment, verdict, duplicateOf, key, officer string) error {
	b, err := proto.Marshal(&eventpb.VerdictRecorded{Actor: &eventpb.Actor{Officer: officer, Office: l.Office},
		Enrollment: enrollment, Verdict: verdict, DuplicateOfNik: duplicateOf, DecisionKey: key})
	if err != nil {
		return err
	}
	entity := fmt.Sprintf("%s/%d", enrollment, l.Now().UnixNano())
	_, err = l.Store.Append(store.Draft{Kind: KindVerdict, Entity: entity, Type: TypeVerdict, Payload: b}, nil)
	return err
}

// Query scans the whole log in arrival order. It is an administrator's
// tool: its cost grows with the log.
func (l Log) Query(f Filter) ([]Entry, error) {
	var out []Entry
	err := l.Store.Scan(vv.Vector{}, func(raw []byte) error {
		if f.Limit > 0 && len(out) >= f.Limit {
			return nil
		}
		e, err := event.Unmarshal(raw)
		if err != nil {
			return err
		}
		if en, ok := match(e, f); ok {
			out = append(out, en)
		}
		return nil
	})
	return out, err
}

func match(e *event.Event, f Filter) (Entry, bool) {
	at := e.Time.Time().UTC()
	if (!f.From.IsZero() && at.Before(f.From)) || (!f.To.IsZero() && !at.Before(f.To)) {
		return Entry{}, false
	}
	actor := actorOf(e.Payload)
	if f.Officer != "" && !strings.Contains(strings.ToLower(actor.GetOfficer()), strings.ToLower(f.Officer)) {
		return Entry{}, false
	}
	if f.NIK != "" && !strings.HasPrefix(e.Entity, f.NIK) && !bytes.Contains(e.Payload, []byte(f.NIK)) {
		return Entry{}, false // payloads carry NIKs as plain strings
	}
	return Entry{At: at, Officer: actor.GetOfficer(), Office: actor.GetOffice(), Device: e.Origin.String(),
		Kind: e.Kind, Entity: e.Entity, Type: e.Type, Event: e.ID().String()}, true
}

// actorOf reads field 1 of a payload as the Actor: every change payload
// keeps it there (decisions, signed by the cluster, have none).
func actorOf(payload []byte) *eventpb.Actor {
	for len(payload) > 0 {
		num, typ, n := protowire.ConsumeTag(payload)
		if n < 0 {
			return nil
		}
		payload = payload[n:]
		if num == 1 && typ == protowire.BytesType {
			v, m := protowire.ConsumeBytes(payload)
			a := &eventpb.Actor{}
			if m < 0 || proto.Unmarshal(v, a) != nil {
				return nil
			}
			return a
		}
		m := protowire.ConsumeFieldValue(num, typ, payload)
		if m < 0 {
			return nil
		}
		payload = payload[m:]
	}
	return nil
}
