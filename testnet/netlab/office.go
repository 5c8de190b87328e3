package netlab

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"sort"
	"sync"
)

// officeIf is the uplink's name inside every office namespace.
const officeIf = "uplink"

// office is one office's namespace and uplink.
type office struct {
	name, ns string
	addr     netip.Addr
	hubIf    string // the uplink's name in the hub namespace

	tunOffice, tunHub *os.File
	up, down          *pipe // up: office to hub; down: hub to office

	// mu serialises link changes (held while the pipes are updated, so
	// concurrent cut and set cannot interleave).
	mu   sync.Mutex
	link Link // as last set, cuts included

	// bmu guards blocked on its own: the up pipe reads it under the
	// pipe's lock, which mu may be holding.
	bmu     sync.Mutex
	blocked map[netip.Addr]bool // offices this one is partitioned from
}

// buildOffice makes the namespace, the TUN pair and the routes. The office
// sees the whole subnet through its uplink; the hub routes each office's
// address to that office's end of the pair.
func (l *Lab) buildOffice(ctx context.Context, o *office) error {
	if _, err := ip(ctx, "netns", "add", o.ns); err != nil {
		return err
	}
	err := inNetns(o.ns, func() error {
		if err := quietIPv6(); err != nil {
			return err
		}
		var err error
		o.tunOffice, err = openTUN(officeIf)
		return err
	})
	if err != nil {
		return err
	}
	err = inNetns(l.hub, func() error {
		var err error
		o.tunHub, err = openTUN(o.hubIf)
		return err
	})
	if err != nil {
		return err
	}
	prefix := netip.PrefixFrom(o.addr, l.spec.Subnet.Bits()).String()
	steps := [][]string{
		{"-n", o.ns, "link", "set", "lo", "up"},
		{"-n", o.ns, "addr", "add", prefix, "dev", officeIf},
		{"-n", o.ns, "link", "set", officeIf, "up"},
		// Everything else also goes to the hub, as in an office whose only
		// way out is its modem; the hub drops what it cannot route.
		{"-n", o.ns, "route", "add", "default", "dev", officeIf},
		{"-n", l.hub, "link", "set", o.hubIf, "up"},
		{"-n", l.hub, "route", "add", o.addr.String() + "/32", "dev", o.hubIf},
	}
	for _, args := range steps {
		if _, err := ip(ctx, args...); err != nil {
			return err
		}
	}
	clock := l.opt.Clock
	o.up = newPipe(o.tunOffice, o.tunHub, o.link.Up, linkRNG(l.spec.Seed, o.name, DirUp), clock)
	o.up.blocked = o.isBlocked
	o.down = newPipe(o.tunHub, o.tunOffice, o.link.Down, linkRNG(l.spec.Seed, o.name, DirDown), clock)
	return nil
}

// close closes the TUN files, which stops the link goroutines and removes
// the devices.
func (o *office) close() error {
	var errs []error
	for _, f := range []*os.File{o.tunOffice, o.tunHub} {
		if f != nil {
			if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// isBlocked reports an IPv4 packet to an office this one is partitioned
// from.
func (o *office) isBlocked(pkt []byte) bool {
	if len(pkt) < 20 || pkt[0]>>4 != 4 {
		return false
	}
	dst := netip.AddrFrom4([4]byte(pkt[16:20]))
	o.bmu.Lock()
	defer o.bmu.Unlock()
	return o.blocked[dst]
}

// setLink applies a whole link.
func (o *office) setLink(link Link) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.applyLocked(link)
}

func (o *office) applyLocked(link Link) {
	o.link = link
	o.up.setConditions(link.Up)
	o.down.setConditions(link.Down)
}

// setCut cuts or heals the chosen directions, keeping the other conditions.
func (o *office) setCut(d Direction, cut bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	link := o.link
	if d.has(DirUp) {
		link.Up.Cut = cut
	}
	if d.has(DirDown) {
		link.Down.Cut = cut
	}
	o.applyLocked(link)
}

func (o *office) setBlocked(addr netip.Addr, on bool) {
	o.bmu.Lock()
	defer o.bmu.Unlock()
	if on {
		o.blocked[addr] = true
	} else {
		delete(o.blocked, addr)
	}
}

// OfficeStatus is an office as the controller reports it.
type OfficeStatus struct {
	Name      string     `json:"name"`
	Namespace string     `json:"namespace"`
	Addr      netip.Addr `json:"addr"`
	Link      Link       `json:"link"`
	Stats     LinkStats  `json:"stats"`
	// PartitionedFrom lists offices this one cannot reach (Partition).
	PartitionedFrom []string `json:"partitioned_from,omitempty"`
}

// SetLink sets both directions of an office's uplink from now on.
func (l *Lab) SetLink(office string, link Link) error {
	if err := link.Validate(); err != nil {
		return err
	}
	o, err := l.office(office)
	if err != nil {
		return err
	}
	o.setLink(link)
	return nil
}

// Cut cuts an office's uplink in one or both directions; packets in flight
// are lost. Other conditions stay as they were, for Heal.
func (l *Lab) Cut(office string, d Direction) error { return l.setCut(office, d, true) }

// Heal undoes Cut in one or both directions.
func (l *Lab) Heal(office string, d Direction) error { return l.setCut(office, d, false) }

func (l *Lab) setCut(office string, d Direction, cut bool) error {
	if err := d.Validate(); err != nil {
		return err
	}
	o, err := l.office(office)
	if err != nil {
		return err
	}
	o.setCut(d, cut)
	return nil
}

// Partition stops traffic between two offices both ways while each still
// reaches the rest (the dropped packets count as cut on the sender's
// uplink). on=false lifts it.
func (l *Lab) Partition(a, b string, on bool) error {
	oa, err := l.office(a)
	if err != nil {
		return err
	}
	ob, err := l.office(b)
	if err != nil {
		return err
	}
	oa.setBlocked(ob.addr, on)
	ob.setBlocked(oa.addr, on)
	return nil
}

// Offices reports every office, in spec order.
func (l *Lab) Offices() []OfficeStatus {
	out := make([]OfficeStatus, 0, len(l.offices))
	for _, o := range l.offices {
		out = append(out, l.status(o))
	}
	return out
}

func (l *Lab) status(o *office) OfficeStatus {
	o.mu.Lock()
	st := OfficeStatus{Name: o.name, Namespace: o.ns, Addr: o.addr, Link: o.link}
	o.mu.Unlock()
	o.bmu.Lock()
	for _, other := range l.offices {
		if o.blocked[other.addr] {
			st.PartitionedFrom = append(st.PartitionedFrom, other.name)
		}
	}
	o.bmu.Unlock()
	sort.Strings(st.PartitionedFrom)
	st.Stats = LinkStats{Up: o.up.stats(), Down: o.down.stats()}
	return st
}

// Stats reports every office's link counters.
func (l *Lab) Stats() map[string]LinkStats {
	out := make(map[string]LinkStats, len(l.offices))
	for _, o := range l.offices {
		out[o.name] = LinkStats{Up: o.up.stats(), Down: o.down.stats()}
	}
	return out
}
