package request

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/replication/event"
)

var allowed = map[Status][]Status{
	Baru:      {Disetujui, Dibatalkan},
	Disetujui: {Diproses, Dibatalkan},
	Diproses:  {Selesai},
}

// Transition moves a request to a new status, refusing what the SOP does
// not allow, with the reason.
func (s *Service) Transition(id string, to Status, note, officer string) (*Request, error) {
	r, err := s.editable(id, officer)
	if err != nil {
		return nil, err
	}
	if err := checkTransition(r, to, note); err != nil {
		return nil, err
	}
	msg := &eventpb.RequestTransitioned{Actor: s.actor(officer), From: int32(r.Status), To: int32(to), Note: strings.TrimSpace(note)}
	return s.append(id, typeTransition, msg, nil, func(_ *badger.Txn, e *event.Event) (*outbox.Notice, error) {
		return s.statusNotice(e, r, to, msg.Note), nil
	})
}

func checkTransition(r *Request, to Status, note string) error {
	ok := false
	for _, s := range allowed[r.Status] {
		ok = ok || s == to
	}
	if !ok {
		return fmt.Errorf("%w: status %s tidak dapat diubah menjadi %s", ErrPrecondition, r.Status, to)
	}
	if to == Dibatalkan && strings.TrimSpace(note) == "" {
		return fmt.Errorf("%w: catatan: alasan pembatalan wajib diisi", ErrInvalid)
	}
	if to == Selesai {
		for _, st := range r.Steps {
			if !st.Done {
				return fmt.Errorf("%w: langkah %s belum selesai", ErrPrecondition, st.Title)
			}
		}
	}
	return nil
}

// editable loads a request that an officer may change now.
func (s *Service) editable(id, officer string) (*Request, error) {
	if strings.TrimSpace(officer) == "" {
		return nil, fmt.Errorf("%w: petugas: nama petugas wajib diisi", ErrInvalid)
	}
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	if r.InConflict() {
		return nil, fmt.Errorf("%w: permohonan %s sedang konflik; selesaikan konflik terlebih dahulu", ErrPrecondition, id)
	}
	return r, nil
}

func (s *Service) statusNotice(e *event.Event, r *Request, to Status, note string) *outbox.Notice {
	var text string
	switch to {
	case Disetujui:
		text = fmt.Sprintf("Permohonan %s Anda telah disetujui dan akan diproses.", r.ID)
	case Dibatalkan:
		text = fmt.Sprintf("Permohonan %s belum dapat diproses. Catatan petugas: %s", r.ID, note)
	case Selesai:
		text = fmt.Sprintf("Data Anda sudah sinkron di DWH dan sudah bisa diakses pada lembaga pengguna data kependudukan (permohonan %s).", r.ID)
	default:
		return nil
	}
	return s.notice(e, r.WhatsApp, text)
}

// CompleteStep records a processing step. Steps are done at the dinas, in
// order, while the request is Diproses.
func (s *Service) CompleteStep(id, step, note, officer string) (*Request, error) {
	r, err := s.editable(id, officer)
	if err != nil {
		return nil, err
	}
	if !s.office.Dinas {
		return nil, fmt.Errorf("%w: langkah proses hanya dapat dilakukan di Dinas", ErrPrecondition)
	}
	if r.Status != Diproses {
		return nil, fmt.Errorf("%w: permohonan berstatus %s, langkah proses hanya untuk status Diproses", ErrPrecondition, r.Status)
	}
	if err := nextStep(r, step); err != nil {
		return nil, err
	}
	msg := &eventpb.StepCompleted{Actor: s.actor(officer), Step: step, Note: strings.TrimSpace(note)}
	return s.append(id, typeStep, msg, nil, noNotice)
}

func nextStep(r *Request, step string) error {
	known := false
	for _, d := range Steps {
		known = known || d.Name == step
	}
	if !known {
		return fmt.Errorf("%w: langkah %q tidak dikenal", ErrInvalid, step)
	}
	for _, st := range r.Steps {
		switch {
		case st.Name == step && st.Done:
			return fmt.Errorf("%w: langkah %s sudah selesai", ErrPrecondition, st.Title)
		case st.Name == step:
			return nil
		case !st.Done:
			return fmt.Errorf("%w: selesaikan langkah %s terlebih dahulu", ErrPrecondition, st.Title)
		}
	}
	return nil
}

// Resolve settles a field in conflict with the value of one competing event.
// The new event depends on every head, so it supersedes all of them.
func (s *Service) Resolve(id, field, chosen, note, officer string) (*Request, error) {
	if strings.TrimSpace(officer) == "" {
		return nil, fmt.Errorf("%w: petugas: nama petugas wajib diisi", ErrInvalid)
	}
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	for _, fc := range r.Conflicts {
		if fc.Field != field {
			continue
		}
		for _, v := range fc.Values {
			if v.Event == chosen {
				msg := &eventpb.ConflictResolved{Actor: s.actor(officer), Field: field, Value: []byte(v.Value), ChosenEvent: chosen, Note: strings.TrimSpace(note)}
				return s.append(id, typeResolved, msg, nil, noNotice)
			}
		}
		return nil, fmt.Errorf("%w: event %s bukan salah satu nilai konflik %s", ErrInvalid, chosen, field)
	}
	return nil, fmt.Errorf("%w: kolom %s tidak sedang konflik", ErrPrecondition, field)
}

func noNotice(*badger.Txn, *event.Event) (*outbox.Notice, error) { return nil, nil }

var idEncoding = base32.NewEncoding("0123456789ABCDEFGHJKMNPQRSTVWXYZ").WithPadding(base32.NoPadding)

// newID makes a tracking code that sorts by filing time: 6 bytes of
// milliseconds and 4 random bytes, in Crockford base32 (16 characters).
func newID(now time.Time, rand io.Reader) (string, error) {
	b := binary.BigEndian.AppendUint64(nil, uint64(now.UnixMilli()))[2:]
	r := make([]byte, 4)
	if _, err := io.ReadFull(rand, r); err != nil {
		return "", fmt.Errorf("tracking code: %w", err)
	}
	return idEncoding.EncodeToString(append(b, r...)), nil
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
