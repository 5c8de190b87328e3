package sim

import (
	"sync"
	"time"
)

// clock is simulated time: it moves only when the simulator advances it,
// and each office reads it with its own skew (a PC whose clock drifted).
type clock struct {
	mu    sync.Mutex
	t     time.Time
	skews []time.Duration
}

func newClock(start time.Time, offices int) *clock {
	return &clock{t: start, skews: make([]time.Duration, offices)}
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// office is office i's view of the time, for its node's Options.Now.
func (c *clock) office(i int) func() time.Time {
	return func() time.Time {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.t.Add(c.skews[i])
	}
}

func (c *clock) skew(i int, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skews[i] = d
}

func (c *clock) resetSkews() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.skews)
}
