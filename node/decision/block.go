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
	fieldDedupVerdict   protowire.Number = 15 // in Command
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

// Published is one decision a block carries, as the node hands it to
// whoever reacts to decisions (steps that wait, roster changes): its key,
// its bytes, and which command it decided, read without decoding the rest.
type Published struct {
	Key string
	Raw []byte
	op  protowire.Number // the Command's oneof field
}

// Roster reports a roster change.
func (p Published) Roster() bool { return p.op == fieldChangeRoster }

// Verdict reports a duplicate-check verdict.
func (p Published) Verdict() bool { return p.op == fieldDedupVerdict }

// Decode decodes the whole decision.
func (p Published) Decode() (*eventpb.Decision, error) {
	d := &eventpb.Decision{}
	if err := proto.Unmarshal(p.Raw, d); err != nil {
		return nil, fmt.Errorf("decision %s: %w", p.Key, err)
	}
	return d, nil
}

// Publications walks every decision block among evs once and returns their
// decisions in order; other events publish none.
func Publications(evs []*event.Event) ([]Published, error) {
	var out []Published
	for _, e := range evs {
		if err := Raw(e, func(key string, raw []byte) error {
			op, err := opOf(raw)
			out = append(out, Published{Key: key, Raw: raw, op: op})
			return err
		}); err != nil {
			return out, err
		}
	}
	return out, nil
}

// opOf is the field number of the command a decision's bytes decided.
func opOf(raw []byte) (protowire.Number, error) {
	var op protowire.Number
	err := eachField(raw, func(num protowire.Number, cmd []byte) error {
		if num != fieldDecisionCmd {
			return nil
		}
		return eachField(cmd, func(num protowire.Number, _ []byte) error {
			if num >= 10 { // the oneof's fields; 1–3 are key, time and actor
				op = num
			}
			return nil
		})
	})
	return op, err
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
