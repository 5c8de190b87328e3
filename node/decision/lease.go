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
func (s *Service) AssignFromLease(region, birthDate string, female bool, subject string) (string, string, error) {
	head, err := nikHead(region, birthDate, female)
	if err != nil {
		return "", "", fmt.Errorf("%w: %v", ErrRefused, err)
	}
	self := s.store.Self().String()
	s.leaseMu.Lock()
	defer s.leaseMu.Unlock()
	ranges, used, err := s.leaseState(region, head, self)
	if err != nil {
		return "", "", err
	}
	for _, r := range ranges {
		for serial := r[0]; serial <= r[1]; serial++ {
			nik := fmt.Sprintf("%s%04d", head, serial)
			if used[nik] {
				continue
			}
			key, err := s.Request(&eventpb.Command{TimeMs: s.now().UnixMilli(), Op: &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: nik, Node: self, Subject: subject}}})
			return nik, key, err
		}
	}
	return "", "", ErrNoLease
}

// leaseState lists this node's granted serial ranges for a region and the
// NIKs it already gave from them.
func (s *Service) leaseState(region, head, self string) ([][2]uint64, map[string]bool, error) {
	var ranges [][2]uint64
	err := s.Each(func(d *eventpb.Decision) bool {
		if l := d.GetCommand().GetLeaseNikSlots(); l != nil && d.Refused == "" && l.Node == self && l.Region == region {
			ranges = append(ranges, [2]uint64{d.SerialFrom, d.SerialTo})
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	used := map[string]bool{}
	err = s.store.Each(RequestKind, "", func(_ string, b []byte) bool {
		var r eventpb.DecisionRequested
		if proto.Unmarshal(b, &r) == nil {
			if c := r.GetCommand().GetConfirmNik(); c != nil && c.Node == self && len(c.Nik) == 16 && c.Nik[:12] == head {
				used[c.Nik] = true
			}
		}
		return true
	})
	return ranges, used, err
}
