package decision

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Kind is the entity kind of published decisions; the entity is the
// command's key, so an office finds the decision on its request by the
// request's event ID.
const Kind = "keputusan"

// Publisher turns decisions into replicated-log events, in number order,
// off the Raft commit path. Every dinas replica runs one; whichever copy of
// an event reaches a store first wins, and the others are duplicates with
// the same bytes.
type Publisher struct {
	FSM    *FSM
	Store  *store.Store
	Signer *event.Signer // the cluster key
	Log    *slog.Logger
	wake   chan struct{}
}

// NewPublisher wires a publisher; call Run.
func NewPublisher(f *FSM, st *store.Store, signer *event.Signer, log *slog.Logger) *Publisher {
	return &Publisher{FSM: f, Store: st, Signer: signer, Log: log, wake: make(chan struct{}, 1)}
}

// Wake asks for a publishing round soon.
func (p *Publisher) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// gap is the least time between publishing rounds. Under load, decisions
// then go out in batches (one store transaction and fsync, one sync round to
// the offices, for many), while a lone decision is still published at once.
const gap = 10 * time.Millisecond

// Run publishes until ctx ends.
func (p *Publisher) Run(ctx context.Context) {
	for {
		last := time.Now()
		if err := p.publish(); err != nil {
			p.Log.Error("publish decisions", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-time.After(time.Second):
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(last.Add(gap))):
		}
	}
}

func (p *Publisher) publish() error {
	const batch = 256
	for {
		have := p.Store.Vector()[p.Signer.Origin()]
		_, total := p.FSM.Counts()
		if have >= total {
			return nil
		}
		ds, err := p.FSM.Decisions(have+1, min(total, have+batch))
		if err != nil {
			return err
		}
		evs := make([]*event.Event, 0, len(ds))
		for _, d := range ds {
			e, err := Event(d)
			if err != nil {
				return err
			}
			evs = append(evs, e)
		}
		if _, err := p.Store.Apply(p.Signer.Seal(evs)); err != nil {
			return err
		}
	}
}

// Event is a decision as a replicated-log event, without its signature:
// every field derives from the decision, so every replica builds the same.
func Event(d *eventpb.Decision) (*event.Event, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(d)
	if err != nil {
		return nil, err
	}
	return &event.Event{
		Seq: d.Number, Time: hlc.New(d.TimeMs, 0), Kind: Kind, Entity: d.Key,
		Type: "keputusan." + OpName(d.Command), Payload: b,
	}, nil
}

// OpName names a command's operation, as in its event type.
func OpName(c *eventpb.Command) string {
	switch c.GetOp().(type) {
	case *eventpb.Command_AssignNik:
		return "nik"
	case *eventpb.Command_LeaseNikSlots:
		return "sewa-nomor"
	case *eventpb.Command_ConfirmNik:
		return "konfirmasi-nik"
	case *eventpb.Command_AllocateBlankSerials:
		return "blangko"
	case *eventpb.Command_IssueCard:
		return "kartu"
	case *eventpb.Command_RecordDedupVerdict:
		return "deduplikasi"
	case *eventpb.Command_ConsolidateChange:
		return "konsolidasi"
	case *eventpb.Command_ChangeRoster:
		return "roster"
	case *eventpb.Command_AssignKk:
		return "kk"
	}
	return "lain"
}

// Folder stores a decision event's payload as its entity's state.
type Folder struct{}

// Fold implements store.Folder.
func (Folder) Fold(evs []*event.Event) (store.Folded, error) {
	last := evs[len(evs)-1]
	heads := make([]event.ID, 0, len(evs))
	for _, e := range evs {
		heads = append(heads, e.ID())
	}
	return store.Folded{State: last.Payload, Heads: heads}, nil
}
