package decision

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Kind is the entity kind of published decision blocks; an office finds
// the decision on its request by the request's event ID through the book
// (book.go), which files every block's decisions by key.
const Kind = "keputusan"

// typeBlock is the event type of a published block.
const typeBlock = "keputusan.blok"

// Sealer is what the publisher needs of the Raft group to close blocks.
type Sealer interface {
	IsLeader() bool
	Propose(ctx context.Context, cmd []byte) ([]byte, error)
}

// Publisher turns closed blocks of decisions into replicated-log events, in
// block order, off the Raft commit path; on the leader it also closes the
// open block. Every dinas replica runs one; whichever copy of an event
// reaches a store first wins, and the others are duplicates with the same
// bytes.
type Publisher struct {
	FSM    *FSM
	Store  *store.Store
	Signer *event.Signer // the cluster key
	Sealer Sealer
	Log    *slog.Logger
	wake   chan struct{}
}

// NewPublisher wires a publisher; call Run.
func NewPublisher(f *FSM, st *store.Store, signer *event.Signer, sealer Sealer, log *slog.Logger) *Publisher {
	return &Publisher{FSM: f, Store: st, Signer: signer, Sealer: sealer, Log: log, wake: make(chan struct{}, 1)}
}

// Wake asks for a publishing round soon.
func (p *Publisher) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// gap is the least time between publishing rounds. Under load, a round's
// decisions go out as one block (one Raft entry to close it, one signature,
// one store transaction and fsync, one sync round to the offices), while a
// lone decision is still published at once. Every round costs each dinas
// server disk flushes on the disk its Raft log syncs to: at 10 ms they
// were a fifth of a lone client's flushes and slowed its decisions by
// 15 %; at 100 ms (etcd's backend commits as often) they are a fiftieth,
// and an office, which syncs every few seconds, sees no difference.
const gap = 100 * time.Millisecond

// Run publishes until ctx ends.
func (p *Publisher) Run(ctx context.Context) {
	for {
		last := time.Now()
		if err := p.seal(ctx); err != nil && ctx.Err() == nil {
			p.Log.Info("close decision block", "err", err)
		}
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

var sealCommand, _ = proto.Marshal(&eventpb.Command{Op: &eventpb.Command_Seal{Seal: &eventpb.Seal{}}})

// seal closes the open block when this node leads. A follower leaves it to
// the leader: after a leader change the new one closes what is open, and a
// Seal with nothing open is a no-op.
func (p *Publisher) seal(ctx context.Context) error {
	_, total := p.FSM.Counts()
	if _, sealed := p.FSM.Blocks(); sealed == total || !p.Sealer.IsLeader() {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err := p.Sealer.Propose(ctx, sealCommand)
	return err
}

// publish stores every closed block the store lacks, a few per transaction.
func (p *Publisher) publish() error {
	const batch = 16
	for {
		have := p.Store.Vector()[p.Signer.Origin()]
		blocks, _ := p.FSM.Blocks()
		if have >= blocks {
			return nil
		}
		var evs []*event.Event
		for n := have + 1; n <= min(blocks, have+batch); n++ {
			raws, err := p.FSM.BlockRaw(n)
			if err != nil {
				return err
			}
			e, err := BlockEvent(n, raws)
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
	case *eventpb.Command_ConfirmWarehouse:
		return "dwh"
	}
	return "lain"
}

// Folder stores an event's payload as its entity's state (a decision
// request's).
type Folder struct{}

// Fold implements store.Folder.
func (Folder) Fold(evs []*event.Event) (store.Folded, error) {
	return store.Folded{State: evs[len(evs)-1].Payload, Heads: ids(evs)}, nil
}

// BlockFolder keeps no state for a decision block: the book files its
// decisions by key.
type BlockFolder struct{}

// Fold implements store.Folder.
func (BlockFolder) Fold(evs []*event.Event) (store.Folded, error) {
	return store.Folded{Heads: ids(evs)}, nil
}

func ids(evs []*event.Event) []event.ID {
	heads := make([]event.ID, 0, len(evs))
	for _, e := range evs {
		heads = append(heads, e.ID())
	}
	return heads
}
