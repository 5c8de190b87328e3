package decision

import (
	"fmt"
	"slices"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
)

func someDecisions(n int) [][]byte {
	var raws [][]byte
	for i := 1; i <= n; i++ {
		d := &eventpb.Decision{Number: uint64(i), Key: fmt.Sprintf("k%d", i), TimeMs: int64(1_700_000_000_000 + i), Nik: "1806015708900001",
			Command: &eventpb.Command{Key: fmt.Sprintf("k%d", i), Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601"}}}}
		b, _ := proto.MarshalOptions{Deterministic: true}.Marshal(d)
		raws = append(raws, b)
	}
	return raws
}

// The hand-written block is the DecisionBlock message: any protobuf reader
// (grpcurl, another client) decodes it, and Raw finds every key.
func TestBlockIsADecisionBlock(t *testing.T) {
	raws := someDecisions(5)
	e, err := BlockEvent(7, raws)
	if err != nil {
		t.Fatal(err)
	}
	var blk eventpb.DecisionBlock
	if err := proto.Unmarshal(e.Payload, &blk); err != nil {
		t.Fatal(err)
	}
	if blk.Number != 7 || len(blk.Decisions) != 5 || blk.Decisions[4].Key != "k5" {
		t.Fatalf("decoded block %d with %d decisions", blk.Number, len(blk.Decisions))
	}
	again, _ := proto.MarshalOptions{Deterministic: true}.Marshal(&blk)
	if string(again) != string(e.Payload) {
		t.Fatal("the block's bytes differ from the message's deterministic encoding")
	}
	if e.Seq != 7 || e.Time.WallMillis() != blk.Decisions[4].TimeMs {
		t.Fatalf("event seq %d time %d", e.Seq, e.Time.WallMillis())
	}
	var keys []string
	if err := Raw(e, func(k string, _ []byte) error { keys = append(keys, k); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keys) != "[k1 k2 k3 k4 k5]" {
		t.Fatalf("keys %v", keys)
	}
	if ps, err := Publications([]*event.Event{e}); err != nil || len(ps) != 5 || slices.ContainsFunc(ps, Published.Roster) {
		t.Fatalf("publications of a block of NIKs: %v, %v", ps, err)
	}
	roster, _ := proto.Marshal(&eventpb.Decision{Number: 6, Key: "r", Command: &eventpb.Command{
		Key: "r", Op: &eventpb.Command_ChangeRoster{ChangeRoster: &eventpb.ChangeRoster{Op: "tambah", Peer: "p"}}}})
	e, _ = BlockEvent(8, append(raws, roster))
	ps, err := Publications([]*event.Event{e})
	if err != nil || len(ps) != 6 || !ps[5].Roster() || slices.ContainsFunc(ps[:5], Published.Roster) {
		t.Fatalf("publications: %v, %v", ps, err)
	}
	if d, err := ps[5].Decode(); err != nil || d.GetCommand().GetChangeRoster().GetPeer() != "p" {
		t.Fatalf("roster change decoded: %v, %v", d, err)
	}
}

// FuzzRaw: block payloads come from peers (signed, but decoded all the
// same); no input panics, and what Raw accepts the message decodes alike.
func FuzzRaw(f *testing.F) {
	e, _ := BlockEvent(1, someDecisions(3))
	f.Add(e.Payload)
	f.Add([]byte{0x12, 0x05, 0x12, 0x03, 'a'})
	f.Fuzz(func(t *testing.T, payload []byte) {
		ev := &event.Event{Kind: Kind, Type: typeBlock, Payload: payload}
		n := 0
		if Raw(ev, func(string, []byte) error { n++; return nil }) != nil {
			return
		}
		var blk eventpb.DecisionBlock
		if proto.Unmarshal(payload, &blk) == nil && len(blk.Decisions) != n {
			t.Fatalf("Raw saw %d decisions, the message %d", n, len(blk.Decisions))
		}
	})
}
