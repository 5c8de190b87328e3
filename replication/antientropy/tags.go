package antientropy

import (
	"sync"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/vv"
)

// tags maps wire tags back to origins this node knows.
type tags struct {
	known func() []peer.ID
	mu    sync.Mutex
	byTag map[Tag]peer.ID
}

func (t *tags) origin(tag Tag) (peer.ID, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if o, ok := t.byTag[tag]; ok {
		return o, true
	}
	t.byTag = map[Tag]peer.ID{}
	for _, o := range t.known() {
		t.byTag[TagOf(o)] = o
	}
	o, ok := t.byTag[tag]
	return o, ok
}

func (t *tags) entries(v vv.Vector) []Entry {
	es := make([]Entry, 0, len(v))
	for _, o := range v.Origins() {
		es = append(es, Entry{Tag: TagOf(o), Seq: v[o]})
	}
	return es
}

// compare takes the peer's HELLO entries and returns the peer's vector (as
// far as we know its origins) and the entries we want: per origin where the
// peer is ahead, the first sequence we lack.
func (t *tags) compare(local vv.Vector, theirs []Entry) (vv.Vector, []Entry) {
	since := vv.Vector{}
	var want []Entry
	for _, e := range theirs {
		o, ok := t.origin(e.Tag)
		if !ok {
			want = append(want, Entry{Tag: e.Tag, Seq: 1})
			continue
		}
		since[o] = e.Seq
		if e.Seq > local[o] {
			want = append(want, Entry{Tag: e.Tag, Seq: local[o] + 1})
		}
	}
	return since, want
}
