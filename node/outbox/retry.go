package outbox

import (
	"encoding/binary"
	"errors"
	"io"
	"time"
)

// Defaults of the retry policy: eight sends spread over about two hours
// (1, 2, 4, … minutes, at most an hour apart) before a notice becomes a
// dead letter. Failures where the office had no network do not count
// toward the eight, since offices are often offline for longer.
const (
	DefaultMaxAttempts = 8
	DefaultMinBackoff  = time.Minute
	DefaultMaxBackoff  = time.Hour
)

// Option adjusts an Outbox.
type Option func(*Outbox)

// WithRetry sets how many sends a notice gets before it becomes a dead
// letter and the backoff bounds between them; zero values keep defaults.
func WithRetry(maxAttempts int, minBackoff, maxBackoff time.Duration) Option {
	return func(o *Outbox) {
		if maxAttempts > 0 {
			o.maxAttempts = maxAttempts
		}
		if minBackoff > 0 {
			o.minBackoff = minBackoff
		}
		if maxBackoff > 0 {
			o.maxBackoff = maxBackoff
		}
		o.maxBackoff = max(o.maxBackoff, o.minBackoff)
	}
}

// WithClock sets the clock. now and after must agree (a simulated now
// needs a simulated after), or scheduled retries never come due.
func WithClock(now func() time.Time, after func(time.Duration) <-chan time.Time) Option {
	return func(o *Outbox) {
		if now != nil && after != nil {
			o.now, o.after = now, after
		}
	}
}

// WithRand sets the source of backoff jitter.
func WithRand(r io.Reader) Option {
	return func(o *Outbox) {
		if r != nil {
			o.rand = r
		}
	}
}

// WithGrace sets how long an in-flight send may run on after Run's context
// ends (default 10s).
func WithGrace(d time.Duration) Option {
	return func(o *Outbox) { o.grace = d }
}

// backoff is the wait after the failures-th failure: exponential from
// minBackoff up to maxBackoff, with "equal jitter" (half fixed, half
// random) so notices that failed together do not retry together, yet never
// retry much sooner than planned.
func (o *Outbox) backoff(failures int) time.Duration {
	d := o.minBackoff
	for i := 1; i < failures && d < o.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, o.maxBackoff)
	half := d / 2
	return d - half + time.Duration(o.fraction()*float64(half))
}

// fraction is a random number in [0, 1); 0 if the source fails.
func (o *Outbox) fraction() float64 {
	var b [8]byte
	if _, err := io.ReadFull(o.rand, b[:]); err != nil {
		return 0
	}
	return float64(binary.BigEndian.Uint64(b[:])>>11) / (1 << 53)
}

type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err as final: the notice goes to the dead letters at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}

type offline struct{ error }

func (o offline) Unwrap() error { return o.error }

// Offline marks err as certainly not having reached the gateway (no route,
// DNS or connection refused): it is retried without counting an attempt.
func Offline(err error) error {
	if err == nil {
		return nil
	}
	return offline{err}
}

// IsOffline reports whether err was marked by Offline.
func IsOffline(err error) bool {
	var o offline
	return errors.As(err, &o)
}
