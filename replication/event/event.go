package event

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/hlc"
)

// ID names an event: its origin node and per-origin sequence number.
type ID struct {
	Origin peer.ID
	Seq    uint64
}

// String renders the ID as "<peer-id>/<seq>", the form the API shows.
func (id ID) String() string { return id.Origin.String() + "/" + strconv.FormatUint(id.Seq, 10) }

// ParseID parses the String form.
func ParseID(s string) (ID, error) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return ID{}, fmt.Errorf("event id %q: want <peer-id>/<seq>", s)
	}
	origin, err := peer.Decode(s[:i])
	if err != nil {
		return ID{}, fmt.Errorf("event id %q: %w", s, err)
	}
	seq, err := strconv.ParseUint(s[i+1:], 10, 64)
	if err != nil || seq == 0 {
		return ID{}, fmt.Errorf("event id %q: bad sequence", s)
	}
	return ID{Origin: origin, Seq: seq}, nil
}

// Less orders IDs by origin, then sequence.
func (id ID) Less(o ID) bool {
	if id.Origin != o.Origin {
		return id.Origin < o.Origin
	}
	return id.Seq < o.Seq
}

// Hash is a SHA-256 content address of a blob (a photo, a scan).
type Hash [sha256.Size]byte

// String is the lowercase hex form.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash parses the hex form.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("hash %q: want %d hex digits", s, 2*len(h))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("hash %q: %w", s, err)
	}
	return h, nil
}

// Event is one immutable change to an entity.
type Event struct {
	Origin peer.ID
	Seq    uint64
	Time   hlc.Timestamp
	// Kind and Entity name the entity changed, e.g. "permohonan", "01J…".
	Kind   string
	Entity string
	// Type names the change, e.g. "permohonan.dibuat".
	Type    string
	Payload []byte
	// Deps are the entity's head events the writer had seen.
	Deps []ID
	// Blobs are documents the event refers to; they travel separately.
	Blobs []Hash
	Sig   []byte
}

// ID returns the event's name.
func (e *Event) ID() ID { return ID{Origin: e.Origin, Seq: e.Seq} }

// EntityKey is the entity's kind and id joined, unique across kinds.
func (e *Event) EntityKey() string { return e.Kind + "/" + e.Entity }
