package registry

import "strings"

// Move takes a resident off their family card and files the new card they
// head at their new address: the effect of the Nomor KK the dinas decides
// for a move (pindah). Everything the new card needs is checked before the
// old card is touched, so a refusal leaves the resident on the card they
// had; removing first and then failing to file the new card left them on
// none. A repeat finds the new card filed and returns ErrExists.
func (s *Service) Move(fromKK, toKK, nik string, a Address, reason, officer string) (*Family, error) {
	var c collector
	validOfficer(&c, officer)
	toKK, nik, a = s.newCard(&c, toKK, nik, a)
	reason = validReason(&c, reason)
	if err := c.err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.unfiled(toKK); err != nil {
		return nil, err
	}
	old, err := s.cardOf(nik, strings.TrimSpace(fromKK))
	if err != nil {
		return nil, err
	}
	if old != nil {
		if err := settled(old, nik); err != nil {
			return nil, err
		}
		if err := s.takeOff(old.KK, nik, reason, officer); err != nil {
			return nil, err
		}
	}
	return s.fileCard(toKK, nik, a, officer)
}
