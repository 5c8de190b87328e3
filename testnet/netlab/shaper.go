package netlab

import (
	"math/rand/v2"
	"time"
)

// verdict is what the shaper decided for one packet.
type verdict uint8

const (
	deliver   verdict = iota
	dropCut           // the direction is cut (or the destination blocked)
	dropQueue         // the buffer was full: drop-tail
	dropLoss          // lost at random on the link
)

// DirStats count one direction of a link since the lab came up.
type DirStats struct {
	// InPackets and InBytes are what the sender offered to the link.
	InPackets uint64 `json:"in_packets"`
	InBytes   uint64 `json:"in_bytes"`
	// SentPackets and SentBytes are what reached the other side.
	SentPackets uint64 `json:"sent_packets"`
	SentBytes   uint64 `json:"sent_bytes"`
	// Drops by cause: random loss, a full buffer, a cut.
	DropLoss  uint64 `json:"drop_loss"`
	DropQueue uint64 `json:"drop_queue"`
	DropCut   uint64 `json:"drop_cut"`
	// WriteErrors are packets the receiving side refused.
	WriteErrors uint64 `json:"write_errors"`
	// Queued counts packets that went through the rate limiter's buffer;
	// QueueDelayTotal and QueueDelayMax are their waits before sending.
	Queued          uint64        `json:"queued"`
	QueueDelayTotal time.Duration `json:"queue_delay_total"`
	QueueDelayMax   time.Duration `json:"queue_delay_max"`
}

// QueueDelayMean is the average wait in the buffer.
func (s DirStats) QueueDelayMean() time.Duration {
	if s.Queued == 0 {
		return 0
	}
	return s.QueueDelayTotal / time.Duration(s.Queued)
}

// Dropped is the sum of all drops.
func (s DirStats) Dropped() uint64 { return s.DropLoss + s.DropQueue + s.DropCut }

// LinkStats are both directions of an office's uplink.
type LinkStats struct {
	Up   DirStats `json:"up"`
	Down DirStats `json:"down"`
}

// shaper decides, for one direction, whether and when each packet is
// delivered. It holds no clock and no goroutine: the caller passes the
// arrival time, so the logic is a pure function of (arrivals, seed) and can
// be tested exactly.
//
// The rate limiter is a serializer, i.e. a token bucket one packet deep:
// a packet starts transmitting when the previous one has finished and takes
// size/rate. Its wait before starting is the queueing delay; a packet that
// would wait longer than the buffer holds is dropped (drop-tail). Because
// start and finish times are computed, not slept, the average rate is exact
// whatever the timer granularity.
type shaper struct {
	cond Conditions
	rng  *rand.Rand
	// busyUntil is when the link finishes sending what it has accepted.
	busyUntil time.Time
	// lastOut is the latest in-order delivery, so jitter cannot reorder.
	lastOut time.Time
	stats   DirStats
}

func newShaper(c Conditions, rng *rand.Rand) *shaper {
	return &shaper{cond: c, rng: rng}
}

// admit decides a packet of size bytes arriving at now. If the verdict is
// deliver, at is when it should come out of the link.
func (s *shaper) admit(now time.Time, size int, blocked bool) (at time.Time, v verdict) {
	// Draw the same number of values for every packet, whatever the
	// conditions, so one seed gives the same loss pattern when, say, only
	// the jitter changes.
	uLoss, uReorder, uJitter := s.rng.Float64(), s.rng.Float64(), s.rng.Float64()
	s.stats.InPackets++
	s.stats.InBytes += uint64(size)
	if s.cond.Cut || blocked {
		s.stats.DropCut++
		return time.Time{}, dropCut
	}
	finish, ok := s.transmit(now, size)
	if !ok {
		s.stats.DropQueue++
		return time.Time{}, dropQueue
	}
	// Lost after transmission: a noisy link still spent the time sending.
	if uLoss*100 < s.cond.Loss {
		s.stats.DropLoss++
		return time.Time{}, dropLoss
	}
	if uReorder*100 < s.cond.Reorder {
		// Skips the delay and overtakes; it does not hold back later ones.
		return finish, deliver
	}
	at = finish.Add(s.cond.Delay + jitter(s.cond.Jitter, uJitter))
	at = latest(at, finish, s.lastOut)
	s.lastOut = at
	return at, deliver
}

// transmit runs the serializer: it returns when the packet has been sent,
// or false if the buffer is full.
func (s *shaper) transmit(now time.Time, size int) (time.Time, bool) {
	if s.cond.RateKbit <= 0 {
		return now, true
	}
	start := latest(now, s.busyUntil)
	wait := start.Sub(now)
	if wait > s.cond.queue() {
		return time.Time{}, false
	}
	s.busyUntil = start.Add(txTime(size, s.cond.RateKbit))
	s.stats.Queued++
	s.stats.QueueDelayTotal += wait
	s.stats.QueueDelayMax = max(s.stats.QueueDelayMax, wait)
	return s.busyUntil, true
}

// setConditions changes the conditions for packets arriving from now on;
// the serializer keeps its backlog, as a real link would.
func (s *shaper) setConditions(c Conditions) { s.cond = c }

// txTime is how long size bytes take at rateKbit.
func txTime(size, rateKbit int) time.Duration {
	return time.Duration(int64(size) * 8 * int64(time.Second) / (int64(rateKbit) * 1000))
}

// jitter maps u in [0,1) to a uniform offset in [-j, +j).
func jitter(j time.Duration, u float64) time.Duration {
	if j <= 0 {
		return 0
	}
	return time.Duration((2*u - 1) * float64(j))
}

func latest(t time.Time, more ...time.Time) time.Time {
	for _, m := range more {
		if m.After(t) {
			t = m
		}
	}
	return t
}
