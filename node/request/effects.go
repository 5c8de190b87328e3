package request

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// RecordEffect records the outcome of a step's registry effect at this
// office: done when err is nil, or the error. A failure that repeats with
// the same message is recorded once, so retries do not grow the history.
func (s *Service) RecordEffect(id, step string, effErr error) error {
	r, err := s.Get(id)
	if err != nil {
		return err
	}
	st, err := effectStep(r, step)
	if err != nil || !st.EffectPending() {
		return err
	}
	msg := &eventpb.EffectRecorded{Actor: s.actor("sistem"), Step: step, Done: effErr == nil}
	if effErr != nil {
		if msg.Error = effErr.Error(); msg.Error == st.EffectError {
			return nil
		}
	}
	_, err = s.append(id, typeEffect, msg, nil, noNotice)
	return err
}

// SettleEffect ends a failed registry effect by an officer's hand: the
// officer made the change in the registry (or found it made) and says how.
// Only the office that asked for the decisions holds the effect.
func (s *Service) SettleEffect(id, step, note, officer string) (*Request, error) {
	if strings.TrimSpace(officer) == "" {
		return nil, fmt.Errorf("%w: petugas: nama petugas wajib diisi", ErrInvalid)
	}
	if strings.TrimSpace(note) == "" {
		return nil, fmt.Errorf("%w: catatan: jelaskan bagaimana perubahan registri diselesaikan", ErrInvalid)
	}
	r, err := s.Get(id)
	if err != nil {
		return nil, err
	}
	st, err := effectStep(r, step)
	if err != nil {
		return nil, err
	}
	switch {
	case !st.EffectPending():
		return nil, fmt.Errorf("%w: langkah %s tidak memiliki perubahan registri yang tertunda", ErrPrecondition, st.Short())
	case st.Office != s.office.Name:
		return nil, fmt.Errorf("%w: perubahan registri langkah %s diselesaikan di %s", ErrPermission, st.Short(), st.Office)
	}
	msg := &eventpb.EffectRecorded{Actor: s.actor(officer), Step: step, Done: true, Manual: true, Note: strings.TrimSpace(note)}
	return s.append(id, typeEffect, msg, nil, noNotice)
}

// PendingEffects lists this office's requests with a registry effect not
// applied yet: what the node retries and officers see.
func (s *Service) PendingEffects() ([]*Request, error) {
	all, err := s.List(Filter{})
	var out []*Request
	for _, r := range all {
		if slices.ContainsFunc(r.Steps, func(st Step) bool { return st.EffectPending() && st.Office == s.office.Name }) {
			out = append(out, r)
		}
	}
	return out, err
}

func effectStep(r *Request, step string) (Step, error) {
	i := slices.IndexFunc(r.Steps, func(st Step) bool { return st.Name == step })
	if i < 0 {
		return Step{}, fmt.Errorf("%w: langkah %q tidak dikenal untuk layanan ini", ErrInvalid, step)
	}
	return r.Steps[i], nil
}
