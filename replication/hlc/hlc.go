// Package hlc is a hybrid logical clock: a physical time in milliseconds
// with a logical counter, so that causally later events carry larger times
// even when office clocks disagree.
//
// Remote times more than MaxOffset ahead of the local wall clock are
// reported as skew and do not drag the local clock forward: a kecamatan PC
// whose clock is a year ahead must not push every office into the future.
package hlc

import (
	"sync"
	"time"
)

// Timestamp packs wall milliseconds (high 48 bits) and a logical counter
// (low 16 bits); the zero value is "no time".
type Timestamp uint64

const logicalBits = 16

// New builds a timestamp from wall milliseconds and a logical counter.
func New(wallMillis int64, logical uint16) Timestamp {
	return Timestamp(uint64(wallMillis)<<logicalBits | uint64(logical))
}

// WallMillis is the physical part, in Unix milliseconds.
func (t Timestamp) WallMillis() int64 { return int64(uint64(t) >> logicalBits) }

// Logical is the counter part.
func (t Timestamp) Logical() uint16 { return uint16(t) }

// Time is the physical part as a time.Time.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.WallMillis()) }

// Clock issues timestamps. It is safe for concurrent use.
type Clock struct {
	mu        sync.Mutex
	now       func() time.Time
	maxOffset time.Duration
	last      Timestamp
}

// NewClock returns a clock reading wall time from now. Remote times more
// than maxOffset ahead are not adopted.
func NewClock(now func() time.Time, maxOffset time.Duration) *Clock {
	return &Clock{now: now, maxOffset: maxOffset}
}

// Now returns a timestamp larger than every one issued or adopted before.
func (c *Clock) Now() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	if wall > c.last.WallMillis() {
		c.last = New(wall, 0)
	} else {
		c.last = c.next(c.last)
	}
	return c.last
}

// next bumps the logical counter, carrying into the wall part when full.
func (c *Clock) next(t Timestamp) Timestamp {
	if t.Logical() == 1<<logicalBits-1 {
		return New(t.WallMillis()+1, 0)
	}
	return t + 1
}

// Observe folds a remote timestamp into the clock. It returns how far the
// remote time is ahead of local wall time (negative when behind) and whether
// it was adopted; a time beyond MaxOffset is not.
func (c *Clock) Observe(remote Timestamp) (ahead time.Duration, adopted bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := c.now().UnixMilli()
	ahead = time.Duration(remote.WallMillis()-wall) * time.Millisecond
	if ahead > c.maxOffset {
		return ahead, false
	}
	if remote > c.last {
		c.last = remote
	}
	return ahead, true
}

// Last is the largest timestamp issued or adopted so far.
func (c *Clock) Last() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}
