package fold

import (
	"fmt"
	"slices"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
	"pgregory.net/rapid"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
)

var origins = []peer.ID{"A", "B", "C"}

// history builds a causally consistent history of one entity: each writer
// sees its own past and, sometimes, what another writer has.
func history(t *rapid.T) []*event.Event {
	seen := make([][]*event.Event, len(origins)) // what each writer has
	var all []*event.Event
	n := rapid.IntRange(1, 25).Draw(t, "n")
	for range n {
		w := rapid.IntRange(0, len(origins)-1).Draw(t, "writer")
		if rapid.Bool().Draw(t, "merge") {
			from := rapid.IntRange(0, len(origins)-1).Draw(t, "from")
			for _, e := range seen[from] {
				if !slices.Contains(seen[w], e) {
					seen[w] = append(seen[w], e)
				}
			}
		}
		var seq uint64 = 1
		for _, e := range all {
			if e.Origin == origins[w] {
				seq++
			}
		}
		st, _ := Fold(seen[w], kv)
		e := &event.Event{Origin: origins[w], Seq: seq, Time: hlc.Timestamp(rapid.IntRange(0, 5).Draw(t, "time")),
			Type: rapid.SampledFrom([]string{"s=1", "s=2", "t=1"}).Draw(t, "write"), Deps: st.Heads}
		seen[w] = append(seen[w], e)
		all = append(all, e)
	}
	return all
}

func kv(e *event.Event) ([]Write, error) {
	return []Write{{Field: e.Type[:1], Value: []byte(e.Type[2:])}}, nil
}

func summary(st *State) string {
	out := fmt.Sprint(st.Heads, st.Conflicts())
	for _, f := range []string{"s", "t"} {
		for _, v := range st.Fields[f] {
			out += fmt.Sprintf(" %s=%s@%s", f, v.Value, v.Event.ID())
		}
	}
	for _, e := range st.Events {
		out += " " + e.ID().String()
	}
	return out
}

func TestFoldIgnoresArrivalOrder(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		evs := history(t)
		want, err := Fold(evs, kv)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := Fold(rapid.Permutation(evs).Draw(t, "order"), kv)
		if summary(got) != summary(want) {
			t.Fatalf("order changed the fold:\n%s\n%s", summary(got), summary(want))
		}
	})
}

func TestConcurrentWritesConflictSequentialDoNot(t *testing.T) {
	a1 := &event.Event{Origin: "A", Seq: 1, Type: "s=baru"}
	b1 := &event.Event{Origin: "B", Seq: 1, Type: "s=disetujui", Deps: []event.ID{a1.ID()}}
	a2 := &event.Event{Origin: "A", Seq: 2, Type: "s=dibatalkan", Deps: []event.ID{a1.ID()}}
	st, _ := Fold([]*event.Event{a1, b1, a2}, kv)
	if c := st.Conflicts(); len(c) != 1 || c[0] != "s" {
		t.Fatalf("approve ∥ cancel: conflicts %v", c)
	}
	r := &event.Event{Origin: "C", Seq: 1, Type: "s=disetujui", Deps: []event.ID{b1.ID(), a2.ID()}}
	st, _ = Fold([]*event.Event{a1, b1, a2, r}, kv)
	if v, ok := st.Value("s"); !ok || string(v) != "disetujui" || len(st.Heads) != 1 {
		t.Fatalf("after resolution: %q %v heads %v", v, ok, st.Heads)
	}
}
