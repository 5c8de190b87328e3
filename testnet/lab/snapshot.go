package lab

import (
	"context"
	"fmt"
	"sync"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/testnet/netlab"
)

// OfficeSnapshot is one office at one moment: its link and process as the
// controller reports them, its node as its API does.
type OfficeSnapshot struct {
	Name, API string
	Link      string // profile, and which way it is cut
	Proc      string // running, paused, exited
	// From the node; Err says why they are missing.
	Events       uint64
	Vector       map[string]uint64
	StateHash    []byte
	BlobsMissing uint64
	Conflicts    uint64
	Err          string
	// BytesUp and BytesDown crossed the uplink since the lab came up.
	BytesUp, BytesDown uint64
}

// Snapshot is every office at one moment.
type Snapshot struct {
	At      time.Time
	Offices []OfficeSnapshot
}

// statusTimeout bounds one GetStatus: a paused node never answers.
const statusTimeout = 3 * time.Second

// TakeSnapshot asks the controller and every node at once; withHash also
// asks for state hashes (a read of the whole store).
func TakeSnapshot(ctx context.Context, l *Lab, withHash bool) (*Snapshot, error) {
	ns, err := l.Net.Status(ctx)
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{At: time.Now(), Offices: make([]OfficeSnapshot, len(l.State.Offices))}
	var wg sync.WaitGroup
	for i, o := range l.State.Offices {
		s := &snap.Offices[i]
		s.Name, s.API = o.Name, o.API
		fillNet(s, ns)
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.fillNode(ctx, s, withHash)
		}()
	}
	wg.Wait()
	return snap, nil
}

// fillNet copies what the controller knows of one office.
func fillNet(s *OfficeSnapshot, ns netlab.Status) {
	for _, o := range ns.Offices {
		if o.Name != s.Name {
			continue
		}
		s.Link = o.Link.Profile
		if s.Link == "" {
			s.Link = "custom"
		}
		switch {
		case o.Link.Up.Cut && o.Link.Down.Cut:
			s.Link += " (putus)"
		case o.Link.Up.Cut:
			s.Link += " (putus naik)"
		case o.Link.Down.Cut:
			s.Link += " (putus turun)"
		}
		s.BytesUp, s.BytesDown = o.Stats.Up.SentBytes, o.Stats.Down.SentBytes
	}
	s.Proc = "—"
	for _, p := range ns.Procs {
		if p.Name == s.Name {
			s.Proc = string(p.State)
		}
	}
}

// fillNode asks the office's node for its status, as its ADB SIAK.
func (l *Lab) fillNode(ctx context.Context, s *OfficeSnapshot, withHash bool) {
	c, err := l.Admin(s.Name)
	if err != nil {
		s.Err = err.Error()
		return
	}
	cctx, cancel := context.WithTimeout(ctx, statusTimeout)
	defer cancel()
	r, err := c.Node.GetStatus(cctx, connect.NewRequest(&v1.GetStatusRequest{WithStateHash: withHash}))
	if err != nil {
		s.Err = err.Error()
		return
	}
	s.Events, s.BlobsMissing, s.Conflicts, s.StateHash = r.Msg.Events, r.Msg.BlobsMissing, r.Msg.Conflicts, r.Msg.StateHash
	s.Vector = map[string]uint64{}
	for _, e := range r.Msg.VersionVector {
		s.Vector[e.Origin] = e.Seq
	}
}

// Union is the vector of everything any answering office holds.
func (s *Snapshot) Union() map[string]uint64 {
	u := map[string]uint64{}
	for _, o := range s.Offices {
		for k, v := range o.Vector {
			u[k] = max(u[k], v)
		}
	}
	return u
}

// Behind is how many events an office lacks of what some office holds:
// its sync lag, in events.
func (s *Snapshot) Behind(office string) uint64 {
	u := s.Union()
	for _, o := range s.Offices {
		if o.Name != office || o.Err != "" {
			continue
		}
		var n uint64
		for k, v := range u {
			n += v - min(v, o.Vector[k])
		}
		return n
	}
	return 0
}

// Office finds an office's snapshot.
func (s *Snapshot) Office(name string) (OfficeSnapshot, error) {
	for _, o := range s.Offices {
		if o.Name == name {
			return o, nil
		}
	}
	return OfficeSnapshot{}, fmt.Errorf("lab: no office %q in snapshot", name)
}
