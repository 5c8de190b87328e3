package request

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/roster"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Errors of the request engine, each of a fault kind (the API maps kinds
// to Connect codes).
var (
	ErrNotFound     = fault.New(fault.NotFound, "permohonan tidak ditemukan")
	ErrInvalid      = fault.New(fault.Invalid, "isian tidak valid")
	ErrPrecondition = fault.New(fault.Precondition, "langkah tidak dapat dilakukan")
	ErrPermission   = fault.New(fault.Permission, "peran tidak berwenang")
)

// Office says where this node is.
type Office struct {
	Name   string
	Kind   roster.Role
	Region string         // the office's 6-digit region code, if it has one
	Zone   *time.Location // for logbook days; nil means WIB
}

// Decider files requests for dinas decisions and reports the ones that
// arrived (node/decision.Service).
type Decider interface {
	Request(cmd *eventpb.Command) (string, error)
	Decided(key string) (*eventpb.Decision, bool, error)
	// FindingKey is, for a decision the dinas files of its own accord
	// about a request (a duplicate-check verdict, the warehouse's
	// confirmation), the key it is filed under; ok is false for a decision
	// a step asks for.
	FindingKey(d catalog.Decision, request string) (key string, ok bool)
}

// Service takes and moves requests at one node.
type Service struct {
	store     *store.Store
	outbox    *outbox.Outbox
	office    Office
	decisions Decider
	// Texts are the resident's notices per status (the zero value: the
	// built-in Indonesian texts).
	Texts outbox.Templates
	// OnDecided is told, at the office that asked, when a step's decisions
	// have all come and the step is done: the node applies their effect on
	// the registry (a new resident, a new family card, a changed field).
	OnDecided func(r *Request, step Step)
	inputs    map[catalog.Input]InputHandler
	now       func() time.Time
	rand      io.Reader

	mu       sync.Mutex
	watchers map[chan *Request]bool
	decoded  *decoded // requests as decoded from their stored state
}

// New builds the service over a node's store.
func New(st *store.Store, ob *outbox.Outbox, office Office, d Decider, now func() time.Time, rand io.Reader) *Service {
	return &Service{store: st, outbox: ob, office: office, decisions: d, now: now, rand: rand, decoded: newDecoded(),
		watchers: map[chan *Request]bool{}, inputs: map[catalog.Input]InputHandler{}}
}

// Upload is a document as received at the counter: Name is the catalog's
// document name; Kind is the older numbering of Sinkronisasi Data's two
// photos, used when Name is empty.
type Upload struct {
	Name    string
	Kind    int32
	Content []byte
}

// Form is a request as taken at the counter: the catalog service and path
// (empty: Sinkronisasi Data on this office's path) and its form's values.
// ApplicantName, NIK, KK, Problem and WhatsApp are Sinkronisasi Data's form;
// they fill Fields when it is empty.
type Form struct {
	Service, Path                             string
	Fields                                    map[string]string
	ApplicantName, NIK, KK, Problem, WhatsApp string
	Channel                                   int32
	Officer                                   string
	Documents                                 []Upload
	// Key, if set, makes the filing safe to send again: a second Create
	// with the same key returns the first one's request (idempotent.go).
	Key string
}

// Document kinds, matching sinkron.v1.DocumentKind.
const (
	DocKK    int32 = 1
	DocKTPEl int32 = 2
)

var kindNames = map[int32]string{DocKK: "foto_kk", DocKTPEl: "foto_ktp_el"}

// Create validates the form against the catalog, stores the photos and
// files the request.
func (s *Service) Create(f Form) (*Request, error) {
	if err := checkStoredKey(f.Key); err != nil {
		return nil, err
	}
	if id, ok, err := s.filed(f.Key); ok || err != nil {
		if err != nil {
			return nil, err
		}
		return s.Get(id)
	}
	msg, blobs, err := s.validate(f)
	if err != nil {
		return nil, err
	}
	r, err := s.create(f, msg, blobs)
	var again errFiled
	if errors.As(err, &again) {
		return s.Get(again.id)
	}
	if errors.Is(err, badger.ErrConflict) { // the same key, filed at this moment
		if id, ok, ferr := s.filed(f.Key); ok && ferr == nil {
			return s.Get(id)
		}
	}
	return r, err
}

func (s *Service) create(f Form, msg *eventpb.RequestCreated, blobs []event.Hash) (*Request, error) {
	id, err := newID(s.now(), s.rand)
	if err != nil {
		return nil, err
	}
	msg.Actor = s.actor(f.Officer)
	title := serviceTitle(msg.Service)
	withDocs := func(txn *badger.Txn, e *event.Event) (*outbox.Notice, error) {
		if err := claim(txn, f.Key, id); err != nil {
			return nil, err
		}
		for i, u := range f.Documents {
			if _, err := blob.Put(txn, u.Content); err != nil {
				return nil, fmt.Errorf("simpan dokumen %d: %w", i+1, err)
			}
		}
		vars := map[string]string{outbox.VarKode: id, outbox.VarLayanan: title,
			outbox.VarKantor: s.office.Name, outbox.VarKodeLayanan: msg.Service}
		text := s.Texts.Render(Baru.String(), vars)
		if text == "" {
			return nil, nil
		}
		return s.notice(e, msg.Whatsapp, text, Baru, vars), nil
	}
	return s.append(id, typeCreated, msg, blobs, withDocs)
}

func (s *Service) validate(f Form) (*eventpb.RequestCreated, []event.Hash, error) {
	if f.Service == "" {
		f.Service = ServiceName
	}
	svc, ok := catalog.Lookup(f.Service)
	if !ok {
		return nil, nil, fmt.Errorf("%w: layanan %q tidak dikenal", ErrInvalid, f.Service)
	}
	path, err := pathFor(svc, s.office.Kind, f.Path)
	if err != nil {
		return nil, nil, err
	}
	values := f.Fields
	if len(values) == 0 && svc.Name == ServiceName {
		values = map[string]string{"nama_pemohon": f.ApplicantName, "nik": f.NIK, "kk": f.KK, "permasalahan": f.Problem, "whatsapp": f.WhatsApp}
	}
	var errs form.Errors
	norm, err := svc.Form.Normalize(values, s.now())
	errs = append(errs, asErrors(err)...)
	if len(s.office.Region) == 6 {
		norm[regionField] = s.office.Region
	}
	if strings.TrimSpace(f.Officer) == "" {
		errs = append(errs, &form.FieldError{Field: "petugas", Message: "nama petugas wajib diisi"})
	}
	msg := &eventpb.RequestCreated{
		Service: svc.Name, Path: path.Name, Fields: norm, Channel: max(f.Channel, 1),
		ApplicantName: first(norm, "nama_pemohon", "nama"), Nik: first(norm, "nik", "nik_pemohon"),
		Kk: first(norm, "kk", "nomor_kk"), Problem: norm["permasalahan"], Whatsapp: norm["whatsapp"],
	}
	hashes, docErrs := documents(svc.DocumentsFor(path.Name, norm), f.Documents, msg)
	errs = append(errs, docErrs...)
	if err := errs.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return msg, hashes, nil
}

func asErrors(err error) form.Errors {
	var errs form.Errors
	if errors.As(err, &errs) {
		return errs
	}
	var fe *form.FieldError
	if errors.As(err, &fe) {
		return form.Errors{fe}
	}
	return nil
}

// first is the first of the named fields that has a value.
func first(values map[string]string, names ...string) string {
	for _, n := range names {
		if v := values[n]; v != "" {
			return v
		}
	}
	return ""
}

// documents checks the uploads against the catalog's documents for the
// request: each upload is a photo of a document the service asks for,
// uploaded once, and every required one is there.
func documents(want []catalog.Document, ups []Upload, msg *eventpb.RequestCreated) ([]event.Hash, form.Errors) {
	var errs form.Errors
	seen := map[string]bool{}
	var hashes []event.Hash
	for _, u := range ups {
		name := u.Name
		if name == "" {
			name = kindNames[u.Kind]
		}
		i := slices.IndexFunc(want, func(d catalog.Document) bool { return d.Name == name && d.Upload })
		if i < 0 || seen[name] {
			errs = append(errs, &form.FieldError{Field: "dokumen", Message: fmt.Sprintf("dokumen %q tidak diminta layanan ini atau diunggah dua kali", name)})
			continue
		}
		seen[name] = true
		ct, err := form.CheckImage(name, u.Content)
		if fe := (*form.FieldError)(nil); errors.As(err, &fe) {
			errs = append(errs, fe)
			continue
		}
		h := event.Hash(sha256Sum(u.Content))
		hashes = append(hashes, h)
		msg.Documents = append(msg.Documents, &eventpb.DocumentRef{Name: name, Kind: kindOf(name), ContentType: ct, Sha256: h[:], Size: int64(len(u.Content))})
	}
	for _, d := range want {
		if d.Upload && d.Required && !seen[d.Name] {
			errs = append(errs, &form.FieldError{Field: d.Name, Message: d.Title + ": foto wajib diunggah"})
		}
	}
	return hashes, errs
}

func kindOf(name string) int32 {
	for k, n := range kindNames {
		if n == name {
			return k
		}
	}
	return 0
}

func (s *Service) actor(officer string) *eventpb.Actor {
	return &eventpb.Actor{Officer: strings.TrimSpace(officer), Office: s.office.Name}
}

// append writes one event of a request, with what must commit with it
// (documents, the resident's notice), in one transaction: one fsync.
func (s *Service) append(id, typ string, m proto.Message, blobs []event.Hash, with func(*badger.Txn, *event.Event) (*outbox.Notice, error)) (*Request, error) {
	b, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	queued := 0
	_, err = s.store.Append(store.Draft{Kind: Kind, Entity: id, Type: typ, Payload: b, Blobs: blobs},
		func(txn *badger.Txn, e *event.Event) error {
			n, err := with(txn, e)
			if n == nil || err != nil {
				return err
			}
			queued++
			return s.outbox.Enqueue(txn, *n)
		})
	if err != nil {
		return nil, fmt.Errorf("simpan permohonan %s: %w", id, err)
	}
	s.outbox.Committed(queued)
	return s.Get(id)
}

// notice is the resident's notice of an event: its text, and the kind and
// values that fill the approved template it goes as outside the window.
func (s *Service) notice(e *event.Event, to, text string, st Status, vars map[string]string) *outbox.Notice {
	return &outbox.Notice{ID: e.ID().String(), Request: e.Entity, To: to, Text: text, Created: s.now(),
		Kind: strings.ToLower(st.String()), Vars: vars}
}

// Get returns a request as this node knows it.
func (s *Service) Get(id string) (*Request, error) {
	b, err := s.store.State(Kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	var r Request
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	schedule(&r, s.now())
	return &r, nil
}

// Filter selects requests for List.
type Filter struct {
	Status       Status
	ConflictOnly bool
	Office       string // filed at this office
	Holder       string // the file is at this office kind now
	Step         string // the step at hand
	Service      string
	After        string
	Limit        int
}

func (f Filter) matches(r *Request) bool {
	return (f.Status == 0 || r.Status == f.Status) && (!f.ConflictOnly || r.InConflict()) &&
		(f.Office == "" || r.Office == f.Office) && (f.Holder == "" || r.Holder == f.Holder) &&
		(f.Service == "" || r.Service == f.Service) && (f.Step == "" || r.AtStep() == f.Step)
}

// AtStep is the step at hand: the first processing step not done.
func (r *Request) AtStep() string {
	for _, st := range r.Steps {
		if !st.Done {
			return st.Name
		}
	}
	return ""
}

// List returns requests in filing order, after the id f.After.
func (s *Service) List(f Filter) ([]*Request, error) {
	var out []*Request
	var decodeErr error
	err := s.store.Each(Kind, f.After, func(id string, b []byte) bool {
		var r *Request
		if r, decodeErr = s.decoded.request(id, b); decodeErr != nil {
			return false
		}
		schedule(r, s.now())
		if f.matches(r) {
			out = append(out, r)
		}
		return f.Limit <= 0 || len(out) < f.Limit
	})
	return out, errors.Join(err, decodeErr)
}
