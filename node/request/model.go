package request

import (
	"encoding/json"
	"fmt"
	"strconv"
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

// Kind is the entity kind of requests in the replicated log.
const Kind = "permohonan"

// Event types.
const (
	typeCreated    = "permohonan.dibuat"
	typeTransition = "permohonan.status"
	typeStep       = "permohonan.langkah"
	typeDecided    = "permohonan.keputusan"
	typeResolved   = "permohonan.konflik-selesai"
	typeEffect     = "permohonan.efek"
)

// ServiceName is the catalog name of the service requests default to.
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

// StepDef is a processing step of the service's SOP, from the catalog.
type StepDef struct {
	Name       string        `json:"name"`
	Title      string        `json:"title"`
	Role       string        `json:"role"`
	OfficeKind string        `json:"office_kind"`
	RecordedBy string        `json:"recorded_by,omitempty"` // who records an applicant's step
	Standard   time.Duration `json:"standard"`
	HandOver   string        `json:"hand_over,omitempty"`
	Waits      []string      `json:"waits,omitempty"`
	Inputs     []string      `json:"takes,omitempty"`  // step input kinds
	Effect     string        `json:"effect,omitempty"` // catalog.Effect of its decisions on the registry
	// Notifies: recording the step tells the resident that the card
	// printed earlier on the path waits at the office (the catalog's
	// output "pemberitahuan" after "ktp-el"): a kartu_siap notice.
	Notifies bool `json:"notifies,omitempty"`
}

// Short is the step's title cut to its name: the SOP's wording is a whole
// sentence ("Konsolidasi Manual: melakukan verifikasi…"), too long for a
// message or a logbook line.
func (d StepDef) Short() string { return ShortTitle(d.Title) }

// ShortTitle is a step's title cut to its name (see StepDef.Short), for a
// screen that has the title alone.
func ShortTitle(t string) string {
	if i := strings.IndexAny(t, ":,"); i > 0 && i <= 60 {
		return t[:i]
	}
	if r := []rune(t); len(r) > 60 {
		return string(r[:57]) + "…"
	}
	return t
}

// Change is one entry of the status history.
type Change struct {
	Status  Status    `json:"status"`
	Note    string    `json:"note,omitempty"`
	Officer string    `json:"officer"`
	Office  string    `json:"office"`
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
	// Internal marks an officers' entry (a conflict's resolution): the
	// resident's history leaves it out.
	Internal bool `json:"internal,omitempty"`
	// Superseded marks a status change that lost a conflict: it was made,
	// and officers see it, but it is not the request's story a resident
	// reads.
	Superseded bool `json:"superseded,omitempty"`
}

// Step is a processing step's progress. A step that needs dinas decisions
// is Waiting from the officer's record until every decision has arrived.
type Step struct {
	StepDef
	Done     bool     `json:"done"`
	Waiting  bool     `json:"waiting,omitempty"`
	Awaiting []string `json:"awaiting,omitempty"` // decision request keys
	Result   string   `json:"result,omitempty"`   // what the decisions gave, or why refused, for officers to read
	// Decisions are the decisions that came, typed: what a later step or a
	// registry effect takes from this one.
	Decisions []Decided `json:"decisions,omitempty"`
	// Effect's outcome at the office that asked: done, or the last error of
	// an effect the node keeps trying (see PendingEffects).
	EffectDone  bool       `json:"effect_done,omitempty"`
	EffectError string     `json:"effect_error,omitempty"`
	EffectNote  string     `json:"effect_note,omitempty"` // an officer's note when settled by hand
	Officer     string     `json:"officer,omitempty"`
	Office      string     `json:"office,omitempty"`
	At          time.Time  `json:"at"`
	Note        string     `json:"note,omitempty"`
	Inputs      []Document `json:"inputs,omitempty"`
	// Due and Overdue are worked out when the request is read, from the
	// step's time standard.
	Due     time.Time `json:"due,omitzero"`
	Overdue bool      `json:"overdue,omitempty"`
}

// Decided is a dinas decision as the step that waited for it holds it.
type Decided struct {
	Key         string `json:"key"`
	Number      uint64 `json:"number,omitempty"`
	Kind        string `json:"kind"` // catalog.Decision
	NIK         string `json:"nik,omitempty"`
	KK          string `json:"kk,omitempty"`
	CardSerial  uint64 `json:"card_serial,omitempty"`
	Verdict     string `json:"verdict,omitempty"`
	DuplicateOf string `json:"duplicate_of,omitempty"` // the NIK a duplikat verdict names
	Refused     string `json:"refused,omitempty"`
}

// Summary is the decision as an officer reads it on the request.
func (d Decided) Summary() string {
	switch {
	case d.Refused != "":
		return "ditolak: " + d.Refused
	case d.CardSerial != 0:
		return fmt.Sprintf("kartu %d", d.CardSerial)
	case d.Verdict != "" && d.DuplicateOf != "":
		return d.Verdict + " dengan NIK " + d.DuplicateOf
	case d.Verdict != "":
		return d.Verdict
	case d.NIK != "":
		return d.NIK
	}
	return d.KK
}

// Decided is the decision of a kind that a step of the request was given
// and took (none if it was refused or has not come).
func (r *Request) Decided(kind catalog.Decision) (Decided, bool) {
	for _, st := range r.Steps {
		for _, d := range st.Decisions {
			if d.Kind == string(kind) && d.Refused == "" {
				return d, true
			}
		}
	}
	return Decided{}, false
}

// EffectPending reports whether the step's registry effect is still to be
// applied at the office that asked for its decisions.
func (s Step) EffectPending() bool { return s.Effect != "" && s.Done && !s.EffectDone }

// Document is an uploaded photo or a step's input record.
type Document struct {
	Name        string `json:"name"`
	Kind        int32  `json:"kind"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
}

// ConflictValue and FieldConflict describe a field in conflict.
type (
	ConflictValue = conflict.Value
	FieldConflict = conflict.Field
)

// Request is the folded state of one permohonan.
type Request struct {
	ID            string            `json:"id"`
	Service       string            `json:"service"`
	Path          string            `json:"path"`
	Fields        map[string]string `json:"fields,omitempty"`
	Holder        string            `json:"holder"` // office kind holding the file
	ApplicantName string            `json:"applicant_name"`
	NIK           string            `json:"nik"`
	KK            string            `json:"kk"`
	Problem       string            `json:"problem"`
	WhatsApp      string            `json:"whatsapp"`
	Channel       int32             `json:"channel"`
	Status        Status            `json:"status"`
	Office        string            `json:"office"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
	History       []Change          `json:"history"`
	Steps         []Step            `json:"steps"`
	Documents     []Document        `json:"documents"`
	Conflicts     []FieldConflict   `json:"conflicts,omitempty"`
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
	case typeDecided:
		m = &eventpb.StepDecided{}
	case typeResolved:
		m = &eventpb.ConflictResolved{}
	case typeEffect:
		m = &eventpb.EffectRecorded{}
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
	case *eventpb.StepDecided:
		return []fold.Write{{Field: "keputusan/" + m.DecisionKey, Value: []byte(m.Result + "|" + m.Refused)}}, nil
	case *eventpb.ConflictResolved:
		return []fold.Write{{Field: m.Field, Value: m.Value}}, nil
	case *eventpb.EffectRecorded:
		// Only the office that asked applies and records an effect, so
		// these never compete; they set no register.
		return nil, nil
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
