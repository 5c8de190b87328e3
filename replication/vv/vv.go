// Package vv is the version vector: for each origin, the highest sequence
// number a replica holds contiguously from 1. Because a store only accepts an
// origin's events in order, the vector names exactly the events present.
package vv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/libp2p/go-libp2p/core/peer"
)

// Vector maps an origin to its highest contiguous sequence number.
type Vector map[peer.ID]uint64

// Clone returns an independent copy.
func (v Vector) Clone() Vector { return maps.Clone(v) }

// Has reports whether the event (origin, seq) is covered.
func (v Vector) Has(origin peer.ID, seq uint64) bool { return seq <= v[origin] }

// Range is the sequence numbers From..To (inclusive) of one origin.
type Range struct {
	Origin   peer.ID
	From, To uint64
}

// Missing lists, in origin order, what v holds that other lacks.
func (v Vector) Missing(other Vector) []Range {
	var out []Range
	for _, o := range v.Origins() {
		if v[o] > other[o] {
			out = append(out, Range{Origin: o, From: other[o] + 1, To: v[o]})
		}
	}
	return out
}

// Count is how many events v holds that other lacks.
func (v Vector) Count(other Vector) uint64 {
	var n uint64
	for o, s := range v {
		if s > other[o] {
			n += s - other[o]
		}
	}
	return n
}

// Total is the number of events v covers.
func (v Vector) Total() uint64 {
	var n uint64
	for _, s := range v {
		n += s
	}
	return n
}

// Equal reports whether both cover the same events.
func (v Vector) Equal(other Vector) bool {
	return v.Count(other) == 0 && other.Count(v) == 0
}

// Origins returns the origins in a stable order.
func (v Vector) Origins() []peer.ID {
	return slices.Sorted(maps.Keys(v))
}

// Marshal encodes the vector canonically (sorted by origin).
func (v Vector) Marshal() []byte {
	b := binary.AppendUvarint(nil, uint64(len(v)))
	for _, o := range v.Origins() {
		b = binary.AppendUvarint(b, uint64(len(o)))
		b = append(b, o...)
		b = binary.AppendUvarint(b, v[o])
	}
	return b
}

// MaxOrigins bounds decoded vectors; a regency has far fewer offices.
const MaxOrigins = 4096

// Unmarshal decodes Marshal's form, rejecting malformed input.
func Unmarshal(b []byte) (Vector, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > MaxOrigins {
		return nil, errors.New("version vector: bad length")
	}
	b = b[k:]
	v := make(Vector, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > 64 || uint64(len(b)-k) < l {
			return nil, errors.New("version vector: bad origin")
		}
		id, err := peer.IDFromBytes(b[k : k+int(l)])
		if err != nil {
			return nil, fmt.Errorf("version vector: %w", err)
		}
		b = b[k+int(l):]
		seq, k := binary.Uvarint(b)
		if k <= 0 {
			return nil, errors.New("version vector: bad sequence")
		}
		b = b[k:]
		if _, dup := v[id]; dup {
			return nil, errors.New("version vector: duplicate origin")
		}
		v[id] = seq
	}
	if len(b) != 0 {
		return nil, errors.New("version vector: trailing bytes")
	}
	return v, nil
}
