package antientropy

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/frame"
)

// Frame types.
const (
	frameHello = 'H'
	frameReply = 'R'
	frameBatch = 'B'
	frameDone  = 'D'
	frameAck   = 'A'
	// frameAlive says "still receiving and committing what you sent": a
	// side whose own sending is done sends it while the peer's data still
	// comes in, so the peer waiting for its ACK over a slow link does not
	// take the silence for a dead one.
	frameAlive = 'K'
)

// ackPartial, an ACK's body, says some events received could not be stored
// yet (an earlier event or a dep of theirs was missing): the sender counts
// them as not delivered.
const ackPartial = 1

// MaxFrame bounds a frame; a peer sending more is cut off.
const MaxFrame = 8 << 20

// ErrProtocol wraps every malformed-frame error.
var ErrProtocol = errors.New("sync protocol error")

// Tag is an origin's short name on the wire: the first 8 bytes of the
// SHA-256 of its peer ID. A roster has at most a few hundred origins, so
// collisions are out of reach.
type Tag [8]byte

// TagOf computes an origin's tag.
func TagOf(id peer.ID) Tag {
	sum := sha256.Sum256([]byte(id))
	return Tag(sum[:8])
}

// Entry is one (origin tag, sequence) pair of HELLO or REPLY.
type Entry struct {
	Tag Tag
	Seq uint64
}

// frames is the sync protocol's framing (replication/frame): length
// first, at most MaxFrame. A frame's body is the reader's to keep: a
// batch's events are decoded in place.
var frames = frame.Format{Layout: frame.LengthFirst, Max: MaxFrame, Malformed: ErrProtocol}

// appendEntries encodes a header of uvarints then the entries.
func appendEntries(b []byte, es []Entry) []byte {
	b = binary.AppendUvarint(b, uint64(len(es)))
	for _, e := range es {
		b = append(b, e.Tag[:]...)
		b = binary.AppendUvarint(b, e.Seq)
	}
	return b
}

// parseHeader decodes `ints` leading uvarints and then an entry list.
func parseHeader(body []byte, ints int) ([]uint64, []Entry, error) {
	vals := make([]uint64, ints)
	for i := range vals {
		v, k := binary.Uvarint(body)
		if k <= 0 {
			return nil, nil, fmt.Errorf("%w: bad header", ErrProtocol)
		}
		vals[i], body = v, body[k:]
	}
	n, k := binary.Uvarint(body)
	if k <= 0 || n > 1<<16 {
		return nil, nil, fmt.Errorf("%w: bad entry count", ErrProtocol)
	}
	body = body[k:]
	es := make([]Entry, 0, n)
	for range n {
		if len(body) < 8 {
			return nil, nil, fmt.Errorf("%w: short entry", ErrProtocol)
		}
		var e Entry
		body = body[copy(e.Tag[:], body):]
		if e.Seq, k = binary.Uvarint(body); k <= 0 {
			return nil, nil, fmt.Errorf("%w: bad entry sequence", ErrProtocol)
		}
		body = body[k:]
		es = append(es, e)
	}
	if len(body) != 0 {
		return nil, nil, fmt.Errorf("%w: trailing bytes", ErrProtocol)
	}
	return vals, es, nil
}

// parseBatch decodes a BATCH body into events (form only; not verified).
func parseBatch(body []byte) ([]*event.Event, error) {
	n, k := binary.Uvarint(body)
	if k <= 0 || n > MaxFrame/64 {
		return nil, fmt.Errorf("%w: bad batch count", ErrProtocol)
	}
	body = body[k:]
	evs := make([]*event.Event, 0, n)
	for range n {
		l, k := binary.Uvarint(body)
		if k <= 0 || l > uint64(len(body)-k) {
			return nil, fmt.Errorf("%w: bad event length", ErrProtocol)
		}
		e, err := event.Unmarshal(body[k : k+int(l)])
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrProtocol, err)
		}
		evs = append(evs, e)
		body = body[k+int(l):]
	}
	if len(body) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes in batch", ErrProtocol)
	}
	return evs, nil
}

// batcher accumulates raw events into BATCH frames.
type batcher struct {
	w        io.Writer
	maxBytes int
	maxCount int
	buf      []byte
	count    int
	sent     uint64
}

func (b *batcher) add(raw []byte) error {
	b.buf = binary.AppendUvarint(b.buf, uint64(len(raw)))
	b.buf = append(b.buf, raw...)
	b.count++
	if len(b.buf) >= b.maxBytes || b.count >= b.maxCount {
		return b.flush()
	}
	return nil
}

func (b *batcher) flush() error {
	if b.count == 0 {
		return nil
	}
	body := binary.AppendUvarint(make([]byte, 0, len(b.buf)+10), uint64(b.count))
	body = append(body, b.buf...)
	b.sent += uint64(b.count)
	b.buf, b.count = b.buf[:0], 0
	return frames.Write(b.w, frameBatch, body)
}
