package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Service registers and edits residents and families at one node.
type Service struct {
	store  *store.Store
	office string
	now    func() time.Time

	// mu makes each check-then-append atomic at this node, so two counters
	// of one office never register a NIK twice or add a member twice.
	mu sync.Mutex
}

// New builds the service over a node's store; office names this node's
// office in every event it writes.
func New(st *store.Store, office string, now func() time.Time) *Service {
	return &Service{store: st, office: office, now: now}
}

// Register files a new resident with the biodata of the KTP-el.
func (s *Service) Register(b Biodata, officer string) (*Resident, error) {
	var c collector
	validOfficer(&c, officer)
	b = validBiodata(&c, b, s.now())
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.Resident(b.NIK); err == nil {
		return nil, fmt.Errorf("penduduk dengan NIK %s %w", b.NIK, ErrExists)
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	msg := &eventpb.ResidentRegistered{Actor: s.actor(officer), Biodata: biodataToPB(b)}
	if err := s.append(KindResident, b.NIK, typeRegistered, msg); err != nil {
		return nil, err
	}
	return s.Resident(b.NIK)
}

// Change sets one biodata field (see Fields) with the officer's reason. A
// field in conflict is settled with Resolve first, so an edit never hides
// a competing value; a value equal to the current one is refused.
func (s *Service) Change(nik, field, value, reason, officer string) (*Resident, error) {
	var c collector
	validOfficer(&c, officer)
	reason = validReason(&c, reason)
	sp, known := specOf(residentSpecs, field)
	if !known {
		c.fail("kolom", fmt.Sprintf("kolom %q tidak dikenal atau tidak dapat diubah; pilihan: %s", field, strings.Join(Fields(), ", ")))
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.Resident(nik)
	if err != nil {
		return nil, err
	}
	if _, ok := conflict.On(r.Conflicts, field); ok {
		return nil, fmt.Errorf("%w: kolom %s sedang konflik; selesaikan konflik terlebih dahulu", ErrPrecondition, field)
	}
	// Validate the whole record with the new value, so the rules between
	// fields (the NIK's birth date and sex, a WNA's expiry) still hold.
	b := r.Biodata
	*sp.get(&b) = value
	if b = validBiodata(&c, b, s.now()); c.err() != nil {
		return nil, c.err()
	}
	value = *sp.get(&b)
	if value == *sp.get(&r.Biodata) {
		return nil, fmt.Errorf("%w: %s sudah bernilai %q", ErrPrecondition, field, value)
	}
	msg := &eventpb.ResidentChanged{Actor: s.actor(officer), Field: field, Value: value, Reason: reason}
	if err := s.append(KindResident, r.NIK, typeChanged, msg); err != nil {
		return nil, err
	}
	return s.Resident(r.NIK)
}

// Resident returns a resident as this node knows it.
func (s *Service) Resident(nik string) (*Resident, error) {
	var r Resident
	if err := s.load(KindResident, strings.TrimSpace(nik), "penduduk dengan NIK", &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Residents returns residents in NIK order after the NIK `after`, up to
// limit (0: all).
func (s *Service) Residents(after string, limit int) ([]*Resident, error) {
	var out []*Resident
	var decodeErr error
	err := s.store.Each(KindResident, after, func(_ string, b []byte) bool {
		var r Resident
		if decodeErr = json.Unmarshal(b, &r); decodeErr != nil {
			return false
		}
		out = append(out, &r)
		return limit <= 0 || len(out) < limit
	})
	return out, errors.Join(err, decodeErr)
}

// Resolve settles one register in conflict of a resident (kind
// KindResident, id a NIK) or a family (KindFamily, a Nomor KK). chosen is
// one of the competing values, or the event id of one. The resolution's
// deps are every head of the entity, so it supersedes all competing writes
// of that register at every node that receives it.
func (s *Service) Resolve(kind, id, field, chosen, note, officer string) error {
	var c collector
	validOfficer(&c, officer)
	note, err := form.ValidText("catatan", note, 0, 500)
	c.add(err)
	typ := map[string]string{KindResident: typeResidentSettled, KindFamily: typeFamilySettled}[kind]
	if typ == "" {
		c.fail("jenis", fmt.Sprintf("jenis data %q tidak dikenal; pilihan: %s, %s", kind, KindResident, KindFamily))
	}
	if err := c.err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cs, err := s.conflictsOf(kind, id)
	if err != nil {
		return err
	}
	fc, ok := conflict.On(cs, field)
	if !ok {
		return fmt.Errorf("%w: kolom %s pada %s %s tidak sedang konflik", ErrPrecondition, field, kind, id)
	}
	i := slices.IndexFunc(fc.Values, func(v ConflictValue) bool { return v.Value == chosen || v.Event == chosen })
	if i < 0 {
		c.fail("pilihan", fmt.Sprintf("%q bukan salah satu nilai yang konflik pada %s", chosen, field))
		return c.err()
	}
	v := fc.Values[i]
	msg := &eventpb.ConflictResolved{Actor: s.actor(officer), Field: field, Value: []byte(v.Value), ChosenEvent: v.Event, Note: note}
	return s.append(kind, strings.TrimSpace(id), typ, msg)
}

func (s *Service) conflictsOf(kind, id string) ([]FieldConflict, error) {
	if kind == KindResident {
		r, err := s.Resident(id)
		if err != nil {
			return nil, err
		}
		return r.Conflicts, nil
	}
	f, err := s.Family(id)
	if err != nil {
		return nil, err
	}
	return f.Conflicts, nil
}

// load reads an entity's folded state into v.
func (s *Service) load(kind, id, what string, v any) error {
	b, err := s.store.State(kind, id)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%s %s %w", what, id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func (s *Service) actor(officer string) *eventpb.Actor {
	return &eventpb.Actor{Officer: strings.TrimSpace(officer), Office: s.office}
}

// append writes one event; its deps are the entity's heads.
func (s *Service) append(kind, id, typ string, m proto.Message) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := s.store.Append(store.Draft{Kind: kind, Entity: id, Type: typ, Payload: b}, nil); err != nil {
		return fmt.Errorf("simpan %s %s: %w", kind, id, err)
	}
	return nil
}
