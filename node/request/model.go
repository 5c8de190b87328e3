package request

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Kind is the entity kind of requests in the replicated log.
const Kind = "permohonan"

// Event types.
const (
	typeCreated    = "permohonan.dibuat"
	typeTransition = "permohonan.status"
	typeStep       = "permohonan.langkah"
	typeResolved   = "permohonan.konflik-selesai"
)

// ServiceName is the catalog name of this service.
const ServiceName = "sinkronisasi-data"

// Status of a request; the numbers match sinkron.v1.Status.
type Status int32

const (
	Baru       Status = 1
	Disetujui  Status = 2
	Dibatalkan Status = 3
	Diproses   Status = 4
	Selesai    Status = 5
)

var statusNames = map[Status]string{Baru: "Baru", Disetujui: "Disetujui", Dibatalkan: "Dibatalkan", Diproses: "Diproses", Selesai: "Selesai"}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return "Status(" + strconv.Itoa(int(s)) + ")"
}

// StepDef is a processing step of the SOP with its time standard.
type StepDef struct {
	Name, Title string
	Standard    time.Duration
}

// Steps are done in this order at the dinas (SOP 09/SOP-Disdukcapil/PIAK/2020).
var Steps = []StepDef{
	{"konsolidasi-manual", "Konsolidasi Manual", 10 * time.Minute},
	{"sinkronisasi-dwh", "Sinkronisasi DWH", 24 * time.Hour},
}

// Change is one entry of the status history.
type Change struct {
	Status  Status    `json:"status"`
	Note    string    `json:"note,omitempty"`
	Officer string    `json:"officer"`
	Office  string    `json:"office"`
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
}

// Step is a processing step's progress.
type Step struct {
	StepDef
	Done    bool      `json:"done"`
	Officer string    `json:"officer,omitempty"`
	Office  string    `json:"office,omitempty"`
	At      time.Time `json:"at"`
	Note    string    `json:"note,omitempty"`
}

// Document is an uploaded photo.
type Document struct {
	Kind        int32  `json:"kind"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

// ConflictValue is one competing value of a field in conflict.
type ConflictValue struct {
	Value   string    `json:"value"`
	Event   string    `json:"event"`
	Officer string    `json:"officer"`
	Office  string    `json:"office"`
	At      time.Time `json:"at"`
}

// FieldConflict is a field whose concurrent writes disagree.
type FieldConflict struct {
	Field  string          `json:"field"`
	Values []ConflictValue `json:"values"`
}

// Request is the folded state of one permohonan.
type Request struct {
	ID            string          `json:"id"`
	Service       string          `json:"service"`
	ApplicantName string          `json:"applicant_name"`
	NIK           string          `json:"nik"`
	KK            string          `json:"kk"`
	Problem       string          `json:"problem"`
	WhatsApp      string          `json:"whatsapp"`
	Channel       int32           `json:"channel"`
	Status        Status          `json:"status"`
	Office        string          `json:"office"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	History       []Change        `json:"history"`
	Steps         []Step          `json:"steps"`
	Documents     []Document      `json:"documents"`
	Conflicts     []FieldConflict `json:"conflicts,omitempty"`
}

// InConflict reports whether concurrent edits await an officer.
func (r *Request) InConflict() bool { return len(r.Conflicts) > 0 }

// payload is any event payload of this kind.
type payload interface {
	proto.Message
	GetActor() *eventpb.Actor
}

func decode(e *event.Event) (payload, error) {
	var m payload
	switch e.Type {
	case typeCreated:
		m = &eventpb.RequestCreated{}
	case typeTransition:
		m = &eventpb.RequestTransitioned{}
	case typeStep:
		m = &eventpb.StepCompleted{}
	case typeResolved:
		m = &eventpb.ConflictResolved{}
	default:
		return nil, fmt.Errorf("unknown request event type %q", e.Type)
	}
	if err := proto.Unmarshal(e.Payload, m); err != nil {
		return nil, fmt.Errorf("event %s: %w", e.ID(), err)
	}
	return m, nil
}

// writes says which registers each event sets. Only the status and the
// steps are edited after creation, so only they can conflict.
func writes(e *event.Event) ([]fold.Write, error) {
	m, err := decode(e)
	if err != nil {
		return nil, err
	}
	switch m := m.(type) {
	case *eventpb.RequestCreated:
		return []fold.Write{{Field: "status", Value: statusValue(Baru)}}, nil
	case *eventpb.RequestTransitioned:
		return []fold.Write{{Field: "status", Value: statusValue(Status(m.To))}}, nil
	case *eventpb.StepCompleted:
		return []fold.Write{{Field: "langkah/" + m.Step, Value: []byte("selesai")}}, nil
	case *eventpb.ConflictResolved:
		return []fold.Write{{Field: m.Field, Value: m.Value}}, nil
	}
	return nil, nil
}

func statusValue(s Status) []byte { return []byte(s.String()) }

// Folder folds request events into a Request, stored as JSON.
type Folder struct{}

// Fold implements store.Folder.
func (f Folder) Fold(evs []*event.Event) (store.Folded, error) {
	st, err := fold.Fold(evs, writes)
	if err != nil {
		return store.Folded{}, err
	}
	r, err := f.build(st)
	if err != nil {
		return store.Folded{}, err
	}
	b, err := json.Marshal(r)
	return store.Folded{State: b, Heads: st.Heads, Conflicts: st.Conflicts()}, err
}
