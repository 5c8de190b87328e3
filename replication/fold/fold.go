// Package fold turns an entity's events into its state, deterministically,
// whatever order they arrived in.
//
// Every field of an entity is a multi-value register: a write supersedes the
// writes it causally follows (through deps) and coexists with the ones it is
// concurrent with. A field whose surviving writes disagree is in conflict;
// nothing is dropped, and a later write that has seen every competing value
// (an officer's resolution) settles it.
package fold

import (
	"bytes"
	"cmp"
	"container/heap"
	"slices"

	"github.com/sinkron-id/sinkron/replication/event"
)

// Write is one field set by an event.
type Write struct {
	Field string
	Value []byte
}

// Writes reports the field writes an event makes; it is the entity kind's
// interpretation of its payloads.
type Writes func(e *event.Event) ([]Write, error)

// Version is a surviving write of a field.
type Version struct {
	Value []byte
	Event *event.Event
}

// State is an entity folded.
type State struct {
	// Events in a deterministic causal order.
	Events []*event.Event
	// Fields maps each field to its surviving (maximal) writes, in event order.
	Fields map[string][]Version
	// Heads are the events no other event of the entity depends on.
	Heads []event.ID
}

// Value returns the field's value when its writes agree.
func (s *State) Value(field string) ([]byte, bool) {
	vs := s.Fields[field]
	if len(vs) == 0 || s.inConflict(vs) {
		return nil, false
	}
	return vs[0].Value, true
}

// Conflicts lists the fields whose surviving writes disagree, sorted.
func (s *State) Conflicts() []string {
	var out []string
	for f, vs := range s.Fields {
		if s.inConflict(vs) {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

func (s *State) inConflict(vs []Version) bool {
	for _, v := range vs[1:] {
		if !bytes.Equal(v.Value, vs[0].Value) {
			return true
		}
	}
	return false
}

// Fold computes the state of one entity from all of its events.
func Fold(evs []*event.Event, writes Writes) (*State, error) {
	order := causalOrder(evs)
	index := make(map[event.ID]int, len(order))
	for i, e := range order {
		index[e.ID()] = i
	}
	ancestors := make([]bitset, len(order))
	referenced := make([]bool, len(order))
	st := &State{Events: order, Fields: map[string][]Version{}}
	for i, e := range order {
		anc := newBitset(len(order))
		for _, d := range e.Deps {
			if j, ok := index[d]; ok {
				anc.set(j)
				anc.or(ancestors[j])
				referenced[j] = true
			}
		}
		ancestors[i] = anc
		ws, err := writes(e)
		if err != nil {
			return nil, err
		}
		for _, w := range ws {
			st.Fields[w.Field] = supersede(st.Fields[w.Field], anc, index, Version{Value: w.Value, Event: e})
		}
	}
	for i, e := range order {
		if !referenced[i] {
			st.Heads = append(st.Heads, e.ID())
		}
	}
	return st, nil
}

// supersede drops the versions the new write causally follows and adds it.
func supersede(vs []Version, anc bitset, index map[event.ID]int, nv Version) []Version {
	out := vs[:0]
	for _, v := range vs {
		if !anc.has(index[v.Event.ID()]) {
			out = append(out, v)
		}
	}
	return append(out, nv)
}

// causalOrder sorts events so every event follows its present deps, breaking
// ties by (time, origin, seq) so that every replica gets the same order.
func causalOrder(evs []*event.Event) []*event.Event {
	byID := make(map[event.ID]*event.Event, len(evs))
	for _, e := range evs {
		byID[e.ID()] = e
	}
	waiting := make(map[event.ID]int, len(evs))
	children := make(map[event.ID][]*event.Event)
	ready := &readyQueue{}
	for _, e := range byID {
		n := 0
		for _, d := range e.Deps {
			if _, ok := byID[d]; ok {
				n++
				children[d] = append(children[d], e)
			}
		}
		waiting[e.ID()] = n
		if n == 0 {
			*ready = append(*ready, e)
		}
	}
	heap.Init(ready)
	order := make([]*event.Event, 0, len(byID))
	for ready.Len() > 0 {
		e := heap.Pop(ready).(*event.Event)
		order = append(order, e)
		for _, c := range children[e.ID()] {
			if waiting[c.ID()]--; waiting[c.ID()] == 0 {
				heap.Push(ready, c)
			}
		}
	}
	return order
}

func compareEvents(a, b *event.Event) int {
	return cmp.Or(cmp.Compare(a.Time, b.Time), cmp.Compare(a.Origin, b.Origin), cmp.Compare(a.Seq, b.Seq))
}

type readyQueue []*event.Event

func (q readyQueue) Len() int           { return len(q) }
func (q readyQueue) Less(i, j int) bool { return compareEvents(q[i], q[j]) < 0 }
func (q readyQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *readyQueue) Push(x any)        { *q = append(*q, x.(*event.Event)) }
func (q *readyQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

type bitset []uint64

func newBitset(n int) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) set(i int)      { b[i/64] |= 1 << (i % 64) }
func (b bitset) has(i int) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) or(o bitset) {
	for i := range o {
		b[i] |= o[i]
	}
}
