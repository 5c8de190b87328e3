package institution

import (
	"sync"
	"time"
)

// Entry is one audited call. Every call's row is committed before the call
// is answered (batcher): a crash after an answer cannot lose its row, and a
// call whose row could not be written is answered with ErrAudit instead.
type Entry struct {
	At          time.Time
	Institution string // "" when the key was not recognised
	RequestID   string
	Op          string // check | open-sync
	NIK         string
	Outcome     string // the answer's code, the tracking code, or "ditolak: …"
	Refused     bool
}

// replays remembers request ids within the replay window.
type replays struct {
	mu   sync.Mutex
	seen map[string]time.Time
	last time.Time // of the last pruning
}

// fresh records key and reports whether it was new within the window.
func (r *replays) fresh(key string, now time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.seen == nil {
		r.seen = map[string]time.Time{}
	}
	if now.Sub(r.last) > ReplayWindow {
		for k, at := range r.seen {
			if now.Sub(at) > 2*ReplayWindow {
				delete(r.seen, k)
			}
		}
		r.last = now
	}
	if _, ok := r.seen[key]; ok {
		return false
	}
	r.seen[key] = now
	return true
}

// forget drops key, for a call that was not answered: its retry with the
// same id is not a replay.
func (r *replays) forget(key string) {
	r.mu.Lock()
	delete(r.seen, key)
	r.mu.Unlock()
}
