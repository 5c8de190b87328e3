package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/form"
)

// CreateFamily files a new family card with its head (a registered
// resident on no other card) and its address.
func (s *Service) CreateFamily(kk, headNIK string, a Address, officer string) (*Family, error) {
	var c collector
	validOfficer(&c, officer)
	kk, headNIK, a = s.newCard(&c, kk, headNIK, a)
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.unfiled(kk); err != nil {
		return nil, err
	}
	if err := s.free(headNIK, kk); err != nil {
		return nil, err
	}
	return s.fileCard(kk, headNIK, a, officer)
}

// newCard checks a new card's number, head and address into c.
func (s *Service) newCard(c *collector, kk, head string, a Address) (string, string, Address) {
	kk = strings.TrimSpace(kk)
	c.add(form.ValidKK(kk, s.now()))
	return kk, s.nik(c, FieldHead, head), validAddress(c, a, s.now())
}

// unfiled refuses a card number already filed.
func (s *Service) unfiled(kk string) error {
	if _, err := s.Family(kk); err == nil {
		return fmt.Errorf("KK nomor %s %w", kk, ErrExists)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	return nil
}

// fileCard files a checked new card with its head.
func (s *Service) fileCard(kk, head string, a Address, officer string) (*Family, error) {
	msg := &eventpb.FamilyCreated{Actor: s.actor(officer), NomorKk: kk, KepalaNik: head, Address: addressToPB(a)}
	if err := s.append(KindFamily, kk, typeFamilyCreated, msg); err != nil {
		return nil, err
	}
	return s.Family(kk)
}

// AddMember puts a registered resident on a family card with their
// hubungan dalam keluarga. A card has one Kepala Keluarga at a time, and a
// resident is on one card at a time: moving to a new card starts with
// RemoveMember from the old one.
func (s *Service) AddMember(kk, nik, relation, officer string) (*Family, error) {
	var c collector
	validOfficer(&c, officer)
	nik = s.nik(&c, "nik", nik)
	relation, err := validRelation(relation)
	c.add(err)
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.editable(kk, nik)
	if err != nil {
		return nil, err
	}
	if _, ok := f.Member(nik); ok {
		return nil, fmt.Errorf("%w: NIK %s sudah menjadi anggota KK %s", ErrPrecondition, nik, f.KK)
	}
	if relation == HeadRelation && f.Head != "" {
		return nil, fmt.Errorf("%w: KK %s sudah memiliki kepala keluarga (NIK %s)", ErrPrecondition, f.KK, f.Head)
	}
	if err := s.free(nik, f.KK); err != nil {
		return nil, err
	}
	msg := &eventpb.FamilyMemberAdded{Actor: s.actor(officer), Nik: nik, Hubungan: relation}
	if err := s.append(KindFamily, f.KK, typeMemberAdded, msg); err != nil {
		return nil, err
	}
	return s.Family(f.KK)
}

// RemoveMember takes a member off a family card, with the reason (pindah,
// meninggal, menikah…). Removing the head leaves the card without one
// until a new Kepala Keluarga is added.
func (s *Service) RemoveMember(kk, nik, reason, officer string) (*Family, error) {
	var c collector
	validOfficer(&c, officer)
	nik = strings.TrimSpace(nik)
	reason = validReason(&c, reason)
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.editable(kk, nik)
	if err != nil {
		return nil, err
	}
	if _, ok := f.Member(nik); !ok {
		return nil, fmt.Errorf("%w: NIK %s bukan anggota KK %s", ErrPrecondition, nik, f.KK)
	}
	if err := s.takeOff(f.KK, nik, reason, officer); err != nil {
		return nil, err
	}
	return s.Family(f.KK)
}

func (s *Service) takeOff(kk, nik, reason, officer string) error {
	msg := &eventpb.FamilyMemberRemoved{Actor: s.actor(officer), Nik: nik, Reason: reason}
	return s.append(KindFamily, kk, typeMemberRemoved, msg)
}

// Family returns a family card as this node knows it.
func (s *Service) Family(kk string) (*Family, error) {
	var f Family
	if err := s.load(KindFamily, strings.TrimSpace(kk), "KK nomor", &f); err != nil {
		return nil, err
	}
	return &f, nil
}

// FamiliesOf returns the cards the resident is currently a member of:
// normally one; two when offices apart put the same person on two cards.
// It scans every card (a byte search skips most without decoding): fine at
// a counter's pace; a store-side index would serve a bulk caller better.
func (s *Service) FamiliesOf(nik string) ([]*Family, error) {
	nik = strings.TrimSpace(nik)
	needle := []byte(`"nik":"` + nik + `"`)
	var out []*Family
	var decodeErr error
	err := s.store.Each(KindFamily, "", func(_ string, b []byte) bool {
		if nik == "" || !bytes.Contains(b, needle) {
			return true
		}
		var f Family
		if decodeErr = json.Unmarshal(b, &f); decodeErr != nil {
			return false
		}
		if _, ok := f.Member(nik); ok {
			out = append(out, &f)
		}
		return true
	})
	return out, errors.Join(err, decodeErr)
}

// editable loads a card and checks the member's register is not awaiting
// an officer: an edit on top would silently settle the conflict.
func (s *Service) editable(kk, nik string) (*Family, error) {
	f, err := s.Family(kk)
	if err != nil {
		return nil, err
	}
	if err := settled(f, nik); err != nil {
		return nil, err
	}
	return f, nil
}

// settled refuses an edit of a member whose register is in conflict.
func settled(f *Family, nik string) error {
	if _, ok := conflict.On(f.Conflicts, MemberPrefix+nik); ok {
		return fmt.Errorf("%w: keanggotaan NIK %s di KK %s sedang konflik; selesaikan konflik terlebih dahulu", ErrPrecondition, nik, f.KK)
	}
	return nil
}

// free checks the resident exists and is on no card other than kk.
func (s *Service) free(nik, kk string) error {
	_, err := s.cardOf(nik, kk)
	return err
}

// cardOf checks the resident exists and is on no card other than kk, and
// returns kk's card when they are on it (nil when on none).
func (s *Service) cardOf(nik, kk string) (*Family, error) {
	if _, err := s.Resident(nik); err != nil {
		return nil, err
	}
	fs, err := s.FamiliesOf(nik)
	if err != nil {
		return nil, err
	}
	var on *Family
	for _, f := range fs {
		if f.KK != kk {
			return nil, fmt.Errorf("%w: NIK %s masih tercatat di KK %s; keluarkan dari KK tersebut terlebih dahulu", ErrPrecondition, nik, f.KK)
		}
		on = f
	}
	return on, nil
}

// nik checks a NIK typed into a field other than "nik" and reports it
// under that field's name.
func (s *Service) nik(c *collector, field, v string) string {
	v = strings.TrimSpace(v)
	if _, err := form.ParseNIK(v, s.now()); err != nil {
		var fe *form.FieldError
		if errors.As(err, &fe) {
			c.fail(field, fe.Message)
		}
	}
	return v
}
