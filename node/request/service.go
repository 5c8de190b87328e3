package request

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Errors the API maps to Connect codes.
var (
	ErrNotFound     = errors.New("permohonan tidak ditemukan")
	ErrInvalid      = errors.New("isian tidak valid")
	ErrPrecondition = errors.New("langkah tidak dapat dilakukan")
)

// Office says where this node is.
type Office struct {
	Name  string
	Dinas bool
}

// Service takes and moves requests at one node.
type Service struct {
	store  *store.Store
	outbox *outbox.Outbox
	office Office
	now    func() time.Time
	rand   io.Reader

	mu       sync.Mutex
	watchers map[chan *Request]bool
}

// New builds the service over a node's store.
func New(st *store.Store, ob *outbox.Outbox, office Office, now func() time.Time, rand io.Reader) *Service {
	return &Service{store: st, outbox: ob, office: office, now: now, rand: rand, watchers: map[chan *Request]bool{}}
}

// Upload is a document as received at the counter.
type Upload struct {
	Kind    int32
	Content []byte
}

// Form is the Sinkronisasi Data form (seed 000).
type Form struct {
	ApplicantName, NIK, KK, Problem, WhatsApp string
	Channel                                   int32
	Officer                                   string
	Documents                                 []Upload
}

// Document kinds, matching sinkron.v1.DocumentKind.
const (
	DocKK    int32 = 1
	DocKTPEl int32 = 2
)

// Create validates the form, stores the photos and files the request.
func (s *Service) Create(f Form) (*Request, error) {
	msg, blobs, err := s.validate(f)
	if err != nil {
		return nil, err
	}
	id, err := newID(s.now(), s.rand)
	if err != nil {
		return nil, err
	}
	msg.Actor = s.actor(f.Officer)
	withDocs := func(txn *badger.Txn, e *event.Event) (*outbox.Notice, error) {
		for i, u := range f.Documents {
			if _, err := blob.Put(txn, u.Content); err != nil {
				return nil, fmt.Errorf("simpan dokumen %d: %w", i+1, err)
			}
		}
		return s.notice(e, msg.Whatsapp, fmt.Sprintf("Permohonan Sinkronisasi Data Anda telah diterima di %s dengan nomor %s. Simpan nomor ini untuk melacak status permohonan.", s.office.Name, id)), nil
	}
	return s.append(id, typeCreated, msg, blobs, withDocs)
}

func (s *Service) validate(f Form) (*eventpb.RequestCreated, []event.Hash, error) {
	now := s.now()
	var errs form.Errors
	check := func(err error) {
		var fe *form.FieldError
		if errors.As(err, &fe) {
			errs = append(errs, fe)
		}
	}
	name, err := form.ValidName("nama_pemohon", f.ApplicantName)
	check(err)
	_, err = form.ParseNIK(f.NIK, now)
	check(err)
	check(form.ValidKK(f.KK, now))
	problem, err := form.ValidText("permasalahan", f.Problem, 5, 1000)
	check(err)
	wa, err := form.NormalizePhone(f.WhatsApp)
	check(err)
	if strings.TrimSpace(f.Officer) == "" {
		errs = append(errs, &form.FieldError{Field: "petugas", Message: "nama petugas wajib diisi"})
	}
	msg := &eventpb.RequestCreated{Service: ServiceName, ApplicantName: name, Nik: f.NIK, Kk: f.KK, Problem: problem, Whatsapp: wa, Channel: max(f.Channel, 1)}
	hashes, docErrs := s.documents(f.Documents, msg)
	errs = append(errs, docErrs...)
	if err := errs.Err(); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return msg, hashes, nil
}

// documents checks that both photos of seed 000 are there, each once.
func (s *Service) documents(ups []Upload, msg *eventpb.RequestCreated) ([]event.Hash, form.Errors) {
	var errs form.Errors
	seen := map[int32]bool{}
	var hashes []event.Hash
	for _, u := range ups {
		field := map[int32]string{DocKK: "foto_kk", DocKTPEl: "foto_ktp_el"}[u.Kind]
		if field == "" || seen[u.Kind] {
			errs = append(errs, &form.FieldError{Field: "dokumen", Message: "jenis dokumen tidak dikenal atau diunggah dua kali"})
			continue
		}
		seen[u.Kind] = true
		ct, err := form.CheckImage(field, u.Content)
		if fe := (*form.FieldError)(nil); errors.As(err, &fe) {
			errs = append(errs, fe)
			continue
		}
		h := event.Hash(sha256Sum(u.Content))
		hashes = append(hashes, h)
		msg.Documents = append(msg.Documents, &eventpb.DocumentRef{Kind: u.Kind, ContentType: ct, Sha256: h[:], Size: int64(len(u.Content))})
	}
	for kind, field := range map[int32]string{DocKK: "foto_kk", DocKTPEl: "foto_ktp_el"} {
		if !seen[kind] {
			errs = append(errs, &form.FieldError{Field: field, Message: "foto wajib diunggah"})
		}
	}
	return hashes, errs
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

func (s *Service) notice(e *event.Event, to, text string) *outbox.Notice {
	return &outbox.Notice{ID: e.ID().String(), Request: e.Entity, To: to, Text: text, Created: s.now()}
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
	return &r, json.Unmarshal(b, &r)
}

// Filter selects requests for List.
type Filter struct {
	Status       Status
	ConflictOnly bool
	After        string
	Limit        int
}

// List returns requests in filing order, after the id f.After.
func (s *Service) List(f Filter) ([]*Request, error) {
	var out []*Request
	var decodeErr error
	err := s.store.Each(Kind, f.After, func(_ string, b []byte) bool {
		var r Request
		if decodeErr = json.Unmarshal(b, &r); decodeErr != nil {
			return false
		}
		if (f.Status == 0 || r.Status == f.Status) && (!f.ConflictOnly || r.InConflict()) {
			out = append(out, &r)
		}
		return f.Limit <= 0 || len(out) < f.Limit
	})
	return out, errors.Join(err, decodeErr)
}
