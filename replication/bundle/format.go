package bundle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/frame"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Errors an import is refused with; each is wrapped with detail. Officers see
// the messages, so they lead in Indonesian and say what to do.
var (
	ErrTruncated = errors.New("berkas bundle terpotong, salin ulang dari flash disk (truncated bundle file)")
	ErrCorrupt   = errors.New("berkas bundle rusak, salin ulang dari flash disk (corrupted bundle file)")
	ErrForged    = errors.New("berkas bundle berisi data yang tidak sah (forged bundle content)")
	// ErrNotAdmitted: an event's origin is not on this node's roster.
	ErrNotAdmitted = fmt.Errorf("bundle berisi event dari kantor di luar roster (%w)", store.ErrNotOnRoster)
	// ErrGap: the bundle was made for a node holding more than this one does;
	// an earlier bundle, or a sync, has to come first.
	ErrGap = errors.New("bundle tidak bersambung dengan data node ini, impor bundle sebelumnya dulu (bundle does not continue from this node's data)")
	// ErrInterrupted: writing failed part way, after the bundle had been
	// verified; importing the same file again completes it.
	ErrInterrupted = errors.New("impor bundle terhenti sebelum selesai, ulangi impor berkas yang sama (import interrupted)")
)

const (
	magic    = "SINKRON-BUNDLE\x00"
	version  = 1
	endMark  = "SINKRON-END\x00"
	sumSize  = 32
	prefix   = len(magic) + 1
	trailer  = len(endMark) + sumSize
	minSize  = prefix + trailer
	hashSize = len(event.Hash{})
)

// Limits. A decoder given anything larger refuses it as corrupt.
const (
	// MaxFrame bounds one frame body: an events frame is cut at frameBytes,
	// so holds at most that plus one event of at most event.MaxPayload and
	// its envelope; a blob frame holds one chunk.
	MaxFrame = 1 << 20
	// MaxFile bounds an imported file, so a runaway reader cannot fill the disk.
	MaxFile = 16 << 30
	// MaxDocuments bounds the distinct documents the events of a bundle that
	// carries documents may refer to: the importer keeps them in memory to
	// refuse documents nothing refers to.
	MaxDocuments = 1 << 20

	frameBytes     = 256 << 10 // events frames are cut at this size ...
	frameMaxCount  = 1024      // ... or this many events
	maxFrameEvents = 4096
	// maxWindow bounds the zstd window a decoder will allocate.
	encodeWindow = 4 << 20
	maxWindow    = 8 << 20
)

// Frame types.
const (
	frameHeader = 'H'
	frameEvents = 'E'
	frameBlob   = 'B'
	frameEnd    = 'Z'
)

// frames is a bundle's framing inside its zstd stream
// (replication/frame): type first, bodies of at most MaxFrame.
var frames = frame.Format{Layout: frame.TypeFirst, Max: MaxFrame, Malformed: ErrCorrupt}

// header is what the exporting node says about the bundle.
type header struct {
	Origin  peer.ID
	Created time.Time
	Since   vv.Vector
}

func (h header) marshal() []byte {
	b := binary.AppendUvarint(nil, uint64(len(h.Origin)))
	b = append(b, h.Origin...)
	b = binary.BigEndian.AppendUint64(b, uint64(h.Created.UnixMilli()))
	return append(b, h.Since.Marshal()...)
}

func parseHeader(b []byte) (header, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n == 0 || n > 64 || uint64(len(b)-k) < n+8 {
		return header{}, fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	origin, err := peer.IDFromBytes(b[k : k+int(n)])
	if err != nil {
		return header{}, fmt.Errorf("%w: header origin: %v", ErrCorrupt, err)
	}
	b = b[k+int(n):]
	created := time.UnixMilli(int64(binary.BigEndian.Uint64(b)))
	since, err := vv.Unmarshal(b[8:])
	if err != nil {
		return header{}, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	return header{Origin: origin, Created: created, Since: since}, nil
}

// appendEvents encodes an events frame body from concatenated
// length-prefixed events.
func appendEvents(b []byte, n int, evs []byte) []byte {
	b = binary.AppendUvarint(b, uint64(n))
	return append(b, evs...)
}

// parseEvents decodes an events frame body; form only, not signatures.
func parseEvents(b []byte) ([]*event.Event, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n == 0 || n > maxFrameEvents {
		return nil, fmt.Errorf("%w: bad event count", ErrCorrupt)
	}
	b = b[k:]
	evs := make([]*event.Event, 0, n)
	for range n {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, fmt.Errorf("%w: bad event length", ErrCorrupt)
		}
		e, err := event.Unmarshal(b[k : k+int(l)])
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
		evs = append(evs, e)
		b = b[k+int(l):]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes in events frame", ErrCorrupt)
	}
	return evs, nil
}

// chunk is one piece of a blob.
type chunk struct {
	Hash event.Hash
	Size int64
	Idx  uint32
	Data []byte
}

func (c chunk) marshal(b []byte) []byte {
	b = append(b, c.Hash[:]...)
	b = binary.AppendUvarint(b, uint64(c.Size))
	b = binary.AppendUvarint(b, uint64(c.Idx))
	return append(b, c.Data...)
}

// parseChunk checks a chunk's shape: its size and index in range, and its
// length exactly what the index implies.
func parseChunk(b []byte) (chunk, error) {
	var c chunk
	if len(b) < hashSize {
		return c, fmt.Errorf("%w: short blob frame", ErrCorrupt)
	}
	b = b[copy(c.Hash[:], b):]
	size, k := binary.Uvarint(b)
	if k <= 0 || size == 0 || size > blob.MaxSize {
		return c, fmt.Errorf("%w: blob %s: bad size", ErrCorrupt, c.Hash)
	}
	b = b[k:]
	idx, k := binary.Uvarint(b)
	if k <= 0 || idx >= uint64(chunkCount(int64(size))) {
		return c, fmt.Errorf("%w: blob %s: bad chunk index", ErrCorrupt, c.Hash)
	}
	c.Size, c.Idx, c.Data = int64(size), uint32(idx), b[k:]
	if len(c.Data) != chunkLen(c.Size, c.Idx) {
		return c, fmt.Errorf("%w: blob %s: chunk %d has %d bytes", ErrCorrupt, c.Hash, c.Idx, len(c.Data))
	}
	return c, nil
}

func chunkCount(size int64) uint32 { return uint32((size + blob.ChunkSize - 1) / blob.ChunkSize) }

func chunkLen(size int64, idx uint32) int {
	return int(min(blob.ChunkSize, size-int64(idx)*blob.ChunkSize))
}

// counts are what the end frame declares and the reader tallies.
type counts struct{ Events, Blobs, Chunks uint64 }

func (c counts) marshal() []byte {
	b := binary.AppendUvarint(nil, c.Events)
	b = binary.AppendUvarint(b, c.Blobs)
	return binary.AppendUvarint(b, c.Chunks)
}

func parseCounts(b []byte) (counts, error) {
	var c counts
	for _, p := range []*uint64{&c.Events, &c.Blobs, &c.Chunks} {
		v, k := binary.Uvarint(b)
		if k <= 0 {
			return c, fmt.Errorf("%w: bad end frame", ErrCorrupt)
		}
		*p, b = v, b[k:]
	}
	if len(b) != 0 {
		return c, fmt.Errorf("%w: trailing bytes in end frame", ErrCorrupt)
	}
	return c, nil
}
