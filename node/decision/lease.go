package decision

import (
	"fmt"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// ErrNoLease is returned when an office has no free leased serial.
var ErrNoLease = fmt.Errorf("%w: tidak ada nomor urut sewaan yang tersisa; minta sewa baru ke Dinas", ErrRefused)

// AssignFromLease gives a NIK from this node's leased serials, offline: the
// lease is the node's alone, so the NIK cannot collide; a ConfirmNIK
// request carries it to the dinas. It returns the NIK and the request key.
// A subject that holds a NIK already (given here, or by the dinas as this
// node has heard) is answered with it: a retried call never gives a
// second one.
func (s *Service) AssignFromLease(region, birthDate string, female bool, subject string) (string, string, error) {
	head, err := nikHead(region, birthDate, female)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrRefused, err)
	}
	self := s.store.Self().String()
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	st, err := s.leaseState(region, head, self, subject)
	if err != nil || st.held != "" {
		return st.held, st.heldKey, err
	}
	for _, r := range st.ranges {
		for serial := r[0]; serial <= r[1]; serial++ {
			nik := fmt.Sprintf("%s%04d", head, serial)
			if st.used[nik] {
				continue
			}
			key, err := s.Request(&eventpb.Command{TimeMs: s.now().UnixMilli(), Op: &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: nik, Node: self, Subject: subject}}})
			return nik, key, err
		}
	}
	return "", "", ErrNoLease
}

// leaseState is what AssignFromLease decides from.
type leaseState struct {
	ranges [][2]uint64     // this node's granted serial ranges for the region
	used   map[string]bool // NIKs of the head it already gave from them
	// held is the subject's NIK and the key of its decision or request,
	// if it has one.
	held, heldKey string
}

// leaseState reads this node's leases for a region, the NIKs it already
// gave from them, and the NIK subject holds.
func (s *Service) leaseState(region, head, self, subject string) (leaseState, error) {
	st := leaseState{used: map[string]bool{}}
	err := s.Each(func(d *eventpb.Decision) bool {
		if d.Refused != "" {
			return true
		}
		if l := d.GetCommand().GetLeaseNikSlots(); l != nil && l.Node == self && l.Region == region {
			st.ranges = append(st.ranges, [2]uint64{d.SerialFrom, d.SerialTo})
		}
		if subject != "" && st.held == "" && d.Nik != "" &&
			(d.GetCommand().GetAssignNik().GetSubject() == subject || d.GetCommand().GetConfirmNik().GetSubject() == subject) {
			st.held, st.heldKey = d.Nik, d.Key
		}
		return true
	})
	if err != nil {
		return st, err
	}
	var pending string // an own request for the subject not yet decided
	err = s.store.Each(RequestKind, "", func(id string, b []byte) bool {
		var r eventpb.DecisionRequested
		if proto.Unmarshal(b, &r) == nil {
			if c := r.GetCommand().GetConfirmNik(); c != nil && c.Node == self && len(c.Nik) == 16 {
				if c.Nik[:12] == head {
					st.used[c.Nik] = true
				}
				if subject != "" && st.held == "" && pending == "" && c.Subject == subject {
					st.held, pending = c.Nik, id
				}
			}
		}
		return true
	})
	if err != nil || pending == "" {
		return st, err
	}
	// The request's key is the ID of the event that filed it (Request).
	evs, err := s.store.Events(RequestKind, pending)
	if err == nil && len(evs) > 0 {
		st.heldKey = evs[0].ID().String()
	}
	return st, err
}
