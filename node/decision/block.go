package decision

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
)

// A block's payload is an eventpb.DecisionBlock written by hand from the
// decisions' stored bytes (which the machine wrote deterministically), and
// read back the same way: a block carries hundreds of decisions, and every
// node files each one by key, so decoding and re-encoding them all cost as
// much as the rest of publishing.

// Field numbers of eventpb.DecisionBlock and eventpb.Decision read here.
const (
	fieldBlockNumber    protowire.Number = 1
	fieldBlockDecisions protowire.Number = 2
	fieldDecisionKey    protowire.Number = 2
	fieldDecisionCmd    protowire.Number = 4
	fieldChangeRoster   protowire.Number = 17 // in Command
)

// BlockEvent is block n, made of the decisions' bytes in number order, as a
// replicated-log event without its signature: every field derives from the
// decisions, so every replica builds the same bytes.
func BlockEvent(n uint64, raws [][]byte) (*event.Event, error) {
	if len(raws) == 0 {
		return nil, fmt.Errorf("block %d is empty", n)
	}
	size := 11
	for _, r := range raws {
		size += 1 + protowire.SizeBytes(len(r))
	}
	b := protowire.AppendTag(make([]byte, 0, size), fieldBlockNumber, protowire.VarintType)
	b = protowire.AppendVarint(b, n)
	for _, r := range raws {
		b = protowire.AppendTag(b, fieldBlockDecisions, protowire.BytesType)
		b = protowire.AppendBytes(b, r)
	}
	var last eventpb.Decision
	if err := proto.Unmarshal(raws[len(raws)-1], &last); err != nil {
		return nil, fmt.Errorf("block %d: %w", n, err)
	}
	return &event.Event{
		Seq: n, Time: hlc.New(last.TimeMs, 0), Kind: Kind, Entity: fmt.Sprintf("blok/%d", n),
		Type: typeBlock, Payload: b,
	}, nil
}

var errBadBlock = errors.New("malformed decision block")

// Raw calls fn with the key and bytes of each decision an event publishes
// (those of a decision block; none for any other event), in number order.
func Raw(e *event.Event, fn func(key string, raw []byte) error) error {
	if e.Kind != Kind || e.Type != typeBlock {
		return nil
	}
	err := eachField(e.Payload, func(num protowire.Number, v []byte) error {
		if num != fieldBlockDecisions {
			return nil
		}
		key := ""
		if err := eachField(v, func(num protowire.Number, f []byte) error {
			if num == fieldDecisionKey {
				key = string(f)
			}
			return nil
		}); err != nil {
			return err
		}
		return fn(key, v)
	})
	if err != nil {
		return fmt.Errorf("decision block %s: %w", e.ID(), err)
	}
	return nil
}

// RosterChanges returns the roster decisions an event publishes, decoded;
// the others (nearly all) are not.
func RosterChanges(e *event.Event) ([]*eventpb.Decision, error) {
	var out []*eventpb.Decision
	err := Raw(e, func(_ string, raw []byte) error {
		roster := false
		if err := eachField(raw, func(num protowire.Number, cmd []byte) error {
			if num != fieldDecisionCmd {
				return nil
			}
			return eachField(cmd, func(num protowire.Number, _ []byte) error {
				roster = roster || num == fieldChangeRoster
				return nil
			})
		}); err != nil || !roster {
			return err
		}
		d := &eventpb.Decision{}
		out = append(out, d)
		return proto.Unmarshal(raw, d)
	})
	return out, err
}

// eachField walks a message's top-level fields and passes the
// length-delimited ones (every field read here is one) with their bytes.
// Others are skipped, as protobuf skips a field of the wrong wire type.
func eachField(b []byte, fn func(protowire.Number, []byte) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errBadBlock
		}
		b = b[n:]
		if typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return errBadBlock
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return errBadBlock
		}
		b = b[n:]
		if err := fn(num, v); err != nil {
			return err
		}
	}
	return nil
}
