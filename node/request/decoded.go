package request

import (
	"encoding/json"
	"hash/maphash"
	"maps"
	"slices"
	"sync"
)

// decoded keeps requests as decoded from their folded state, keyed by a
// digest of the stored bytes: a screen that lists an office's open files
// reads every request each time, and decoding the JSON was most of its
// cost. A request whose state changed has new bytes and is decoded anew.
// Callers get a deep copy, free to change (schedule sets due times).
type decoded struct {
	seed maphash.Seed
	mu   sync.Mutex
	reqs map[string]decodedRequest
}

type decodedRequest struct {
	sum uint64
	r   *Request
}

// maxDecoded bounds the cache; past it the cache starts over (an office's
// open files fit many times over; a full scan of a big archive passes).
const maxDecoded = 8192

func newDecoded() *decoded {
	return &decoded{seed: maphash.MakeSeed(), reqs: map[string]decodedRequest{}}
}

// request decodes a request's state, or copies the one decoded before.
func (d *decoded) request(id string, b []byte) (*Request, error) {
	sum := maphash.Bytes(d.seed, b)
	d.mu.Lock()
	c, ok := d.reqs[id]
	d.mu.Unlock()
	if ok && c.sum == sum {
		return c.r.clone(), nil
	}
	var r Request
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	d.mu.Lock()
	if len(d.reqs) >= maxDecoded {
		clear(d.reqs)
	}
	d.reqs[id] = decodedRequest{sum: sum, r: r.clone()}
	d.mu.Unlock()
	return &r, nil
}

// clone is a deep copy of the request: no slice or map shared.
func (r *Request) clone() *Request {
	c := *r
	c.Fields = maps.Clone(r.Fields)
	c.History = slices.Clone(r.History)
	c.Documents = slices.Clone(r.Documents)
	c.Conflicts = slices.Clone(r.Conflicts)
	for i := range c.Conflicts {
		c.Conflicts[i].Values = slices.Clone(c.Conflicts[i].Values)
	}
	c.Steps = slices.Clone(r.Steps)
	for i := range c.Steps {
		st := &c.Steps[i]
		st.Waits, st.StepDef.Inputs = slices.Clone(st.Waits), slices.Clone(st.StepDef.Inputs)
		st.Awaiting, st.Decisions, st.Inputs = slices.Clone(st.Awaiting), slices.Clone(st.Decisions), slices.Clone(st.Inputs)
	}
	return &c
}
