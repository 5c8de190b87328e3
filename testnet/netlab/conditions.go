package netlab

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// DefaultQueue is how much traffic a link buffers when Conditions.Queue is
// zero, expressed as time at the link's rate: a modem's buffer of a few
// hundred milliseconds, so a saturated link adds delay and then drops
// (drop-tail) instead of growing without bound.
const DefaultQueue = 200 * time.Millisecond

// Conditions shape one direction of an office's uplink. The zero value is a
// perfect link: no rate limit, no delay, no loss.
type Conditions struct {
	// RateKbit is the bandwidth in kbit/s (1000 bit/s); 0 means unlimited.
	RateKbit int
	// Delay is the one-way propagation delay added to every packet.
	Delay time.Duration
	// Jitter varies each packet's delay uniformly within ±Jitter. Packets
	// still leave in order unless Reorder asks otherwise, as netem does
	// when a rate is set.
	Jitter time.Duration
	// Loss is the percentage (0–100) of packets lost at random after the
	// queue, as on a noisy radio: a lost packet still used the link.
	Loss float64
	// Reorder is the percentage (0–100) of packets sent without the delay,
	// overtaking those ahead of them (netem's reorder).
	Reorder float64
	// Queue is the drop-tail buffer size in time at RateKbit (default
	// DefaultQueue); it matters only with a rate.
	Queue time.Duration
	// Cut drops everything in this direction, also packets in flight.
	Cut bool
}

// Link is an office's uplink: Up carries what the office sends (office to
// hub), Down what it receives (hub to office).
type Link struct {
	// Profile names the profile the link was set from, for status; it
	// does not affect shaping.
	Profile string     `json:"profile,omitempty"`
	Up      Conditions `json:"up"`
	Down    Conditions `json:"down"`
}

// Direction picks one or both directions of a link.
type Direction string

// Directions, seen from the office.
const (
	DirBoth Direction = "both" // office to hub and hub to office
	DirUp   Direction = "up"   // office to hub: what the office sends
	DirDown Direction = "down" // hub to office: what the office receives
)

// Validate reports a direction that is none of DirBoth, DirUp, DirDown.
func (d Direction) Validate() error {
	switch d {
	case DirBoth, DirUp, DirDown:
		return nil
	}
	return fmt.Errorf("netlab: direction %q: want both, up or down", string(d))
}

// has reports whether d includes direction one (DirUp or DirDown).
func (d Direction) has(one Direction) bool { return d == DirBoth || d == one }

// Validate reports values a link cannot have.
func (c Conditions) Validate() error {
	var errs []error
	if c.RateKbit < 0 {
		errs = append(errs, fmt.Errorf("rate %d kbit/s is negative", c.RateKbit))
	}
	if c.Delay < 0 || c.Jitter < 0 || c.Queue < 0 {
		errs = append(errs, errors.New("delay, jitter and queue must not be negative"))
	}
	if c.Loss < 0 || c.Loss > 100 {
		errs = append(errs, fmt.Errorf("loss %v%% is not within 0–100", c.Loss))
	}
	if c.Reorder < 0 || c.Reorder > 100 {
		errs = append(errs, fmt.Errorf("reorder %v%% is not within 0–100", c.Reorder))
	}
	return errors.Join(errs...)
}

// Validate reports values either direction cannot have.
func (l Link) Validate() error {
	if err := l.Up.Validate(); err != nil {
		return fmt.Errorf("netlab: up: %w", err)
	}
	if err := l.Down.Validate(); err != nil {
		return fmt.Errorf("netlab: down: %w", err)
	}
	return nil
}

// queue is the buffer size in time, with the default applied.
func (c Conditions) queue() time.Duration {
	if c.Queue == 0 {
		return DefaultQueue
	}
	return c.Queue
}

// conditionsJSON is Conditions on the wire and in spec files: durations as
// Go duration strings ("150ms") so people can write and read them.
type conditionsJSON struct {
	RateKbit int     `json:"rate_kbit,omitempty"`
	Delay    string  `json:"delay,omitempty"`
	Jitter   string  `json:"jitter,omitempty"`
	Loss     float64 `json:"loss,omitempty"`
	Reorder  float64 `json:"reorder,omitempty"`
	Queue    string  `json:"queue,omitempty"`
	Cut      bool    `json:"cut,omitempty"`
}

// MarshalJSON writes durations as strings.
func (c Conditions) MarshalJSON() ([]byte, error) {
	return json.Marshal(conditionsJSON{
		RateKbit: c.RateKbit, Delay: durString(c.Delay), Jitter: durString(c.Jitter),
		Loss: c.Loss, Reorder: c.Reorder, Queue: durString(c.Queue), Cut: c.Cut,
	})
}

// UnmarshalJSON reads durations written as strings.
func (c *Conditions) UnmarshalJSON(b []byte) error {
	var j conditionsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("netlab: conditions: %w", err)
	}
	out := Conditions{RateKbit: j.RateKbit, Loss: j.Loss, Reorder: j.Reorder, Cut: j.Cut}
	var err error
	if out.Delay, err = parseDur("delay", j.Delay); err != nil {
		return err
	}
	if out.Jitter, err = parseDur("jitter", j.Jitter); err != nil {
		return err
	}
	if out.Queue, err = parseDur("queue", j.Queue); err != nil {
		return err
	}
	*c = out
	return nil
}

func durString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDur(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("netlab: conditions: %s: %w", field, err)
	}
	return d, nil
}
