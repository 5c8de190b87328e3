package netlab

import "time"

// Clock is where the emulator gets time, so tests and replays can supply
// their own.
type Clock interface {
	Now() time.Time
	// After returns a channel that fires after d and a func that stops it.
	After(d time.Duration) (<-chan time.Time, func())
}

// SystemClock is the machine's clock.
type SystemClock struct{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// After is a time.Timer.
func (SystemClock) After(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTimer(d)
	return t.C, func() { t.Stop() }
}
