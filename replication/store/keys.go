package store

import (
	"encoding/binary"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/event"
)

// Key layout. One byte prefix per table; origins are length-prefixed, so a
// prefix scan of one origin never runs into another.
const (
	pEvent    = 'e' // origin, seq(8)  → arrival(8) ‖ event bytes
	pVector   = 'v' // origin          → seq(8)
	pIndex    = 'x' // kind 0 id 0 origin seq(8) → ∅
	pState    = 's' // kind 0 id       → folded state
	pHeads    = 'h' // kind 0 id       → head event ids
	pConflict = 'k' // kind 0 id       → conflicting field names
	pMeta     = 'm' // name            → value
)

var keyArrival = []byte{pMeta, 'a'}

func appendOrigin(b []byte, o peer.ID) []byte {
	b = append(b, byte(len(o)))
	return append(b, o...)
}

func eventKey(id event.ID) []byte {
	b := appendOrigin([]byte{pEvent}, id.Origin)
	return binary.BigEndian.AppendUint64(b, id.Seq)
}

func originPrefix(o peer.ID) []byte { return appendOrigin([]byte{pEvent}, o) }

func vectorKey(o peer.ID) []byte { return appendOrigin([]byte{pVector}, o) }

func entityKey(p byte, kind, id string) []byte {
	b := append([]byte{p}, kind...)
	b = append(b, 0)
	b = append(b, id...)
	return append(b, 0)
}

func indexKey(e *event.Event) []byte {
	b := appendOrigin(entityKey(pIndex, e.Kind, e.Entity), e.Origin)
	return binary.BigEndian.AppendUint64(b, e.Seq)
}

// parseIndexKey recovers the event id from an index key with known prefix.
func parseIndexKey(k []byte, prefixLen int) (event.ID, bool) {
	k = k[prefixLen:]
	if len(k) < 1 || len(k) != 1+int(k[0])+8 {
		return event.ID{}, false
	}
	return event.ID{Origin: peer.ID(k[1 : 1+k[0]]), Seq: binary.BigEndian.Uint64(k[1+k[0]:])}, true
}

// splitEntityKey recovers kind and id from an entity-table key.
func splitEntityKey(k []byte) (kind, id string, ok bool) {
	k = k[1:]
	for i, c := range k {
		if c == 0 {
			rest := k[i+1:]
			if len(rest) == 0 || rest[len(rest)-1] != 0 {
				return "", "", false
			}
			return string(k[:i]), string(rest[:len(rest)-1]), true
		}
	}
	return "", "", false
}

func encodeIDs(ids []event.ID) []byte {
	var b []byte
	for _, id := range ids {
		b = appendOrigin(b, id.Origin)
		b = binary.BigEndian.AppendUint64(b, id.Seq)
	}
	return b
}

func decodeIDs(b []byte) []event.ID {
	var out []event.ID
	for len(b) > 0 {
		n := int(b[0])
		if len(b) < 1+n+8 {
			return out
		}
		out = append(out, event.ID{Origin: peer.ID(b[1 : 1+n]), Seq: binary.BigEndian.Uint64(b[1+n:])})
		b = b[1+n+8:]
	}
	return out
}
