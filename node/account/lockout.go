package account

import (
	"sync"
	"time"
)

// Lockout policy: LockAfter failed logins of one username within
// LockWindow lock it for LockFor, at this node.
const (
	LockAfter  = 5
	LockWindow = 15 * time.Minute
	LockFor    = 15 * time.Minute
)

// lockout counts failed logins per username in memory. It is per node on
// purpose: failures are not replicated events, because every guess would
// then be a signed event kept forever at every office, and one attacker at
// one kecamatan could lock an officer out of the whole regency. The price
// is that an attacker who can reach several nodes gets LockAfter guesses
// per node per window, and a restart forgets the count; argon2id and the
// password policy keep that far from useful. Unknown usernames are
// counted like known ones, so the lock reveals nothing about which exist.
type lockout struct {
	mu sync.Mutex
	by map[string]*attempts
}

type attempts struct {
	fails []time.Time // within the window, oldest first
	until time.Time   // locked until
}

// maxTracked is when stale entries are dropped, for someone who tries many
// usernames; fresh ones are bounded by the hash every attempt costs.
const maxTracked = 4096

// begin reserves a login attempt for username. The attempt counts as a
// failure until succeeded clears the count, so parallel guesses cannot
// outrun the limit. It returns the end of the lock when username is
// locked, and locks it when this attempt is the LockAfter-th.
func (l *lockout) begin(username string, now time.Time) (lockedUntil time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.by == nil {
		l.by = map[string]*attempts{}
	}
	a := l.by[username]
	if a == nil {
		l.prune(now)
		a = &attempts{}
		l.by[username] = a
	}
	if now.Before(a.until) {
		return a.until, false
	}
	a.fails = recent(a.fails, now)
	a.fails = append(a.fails, now)
	if len(a.fails) >= LockAfter {
		a.until, a.fails = now.Add(LockFor), nil
	}
	return time.Time{}, true
}

// succeeded clears username's failures: the officer knew the password.
func (l *lockout) succeeded(username string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.by, username)
}

// recent drops failures older than the window.
func recent(fails []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(fails) && now.Sub(fails[i]) >= LockWindow {
		i++
	}
	return fails[i:]
}

func (l *lockout) prune(now time.Time) {
	if len(l.by) < maxTracked {
		return
	}
	for u, a := range l.by {
		if !now.Before(a.until) && len(recent(a.fails, now)) == 0 {
			delete(l.by, u)
		}
	}
}
