package event

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/hlc"
)

// Limits on decoded events; anything larger is refused as malformed.
const (
	MaxPayload   = 256 << 10
	MaxDeps      = 64
	MaxBlobs     = 16
	maxName      = 128
	maxOriginLen = 64
	version      = 1
)

// ErrMalformed wraps every decoding failure.
var ErrMalformed = errors.New("malformed event")

// signingContext separates event signatures from any other use of a key.
var signingContext = []byte("sinkron/event/v1\x00")

// Marshal returns the canonical encoding, signature included.
func (e *Event) Marshal() []byte {
	b := e.appendUnsigned(make([]byte, 0, e.sizeHint()))
	return appendBytes(b, e.Sig)
}

// AppendMarshal appends the canonical encoding to b.
func (e *Event) AppendMarshal(b []byte) []byte {
	return appendBytes(e.appendUnsigned(b), e.Sig)
}

func (e *Event) sizeHint() int {
	n := 48 + len(e.Origin) + len(e.Kind) + len(e.Entity) + len(e.Type) + len(e.Payload) + len(e.Sig)
	for _, d := range e.Deps {
		n += len(d.Origin) + 11
	}
	return n + len(e.Blobs)*32
}

func (e *Event) appendUnsigned(b []byte) []byte {
	b = append(b, version)
	b = appendBytes(b, []byte(e.Origin))
	b = binary.AppendUvarint(b, e.Seq)
	b = binary.AppendUvarint(b, uint64(e.Time))
	b = appendBytes(b, []byte(e.Kind))
	b = appendBytes(b, []byte(e.Entity))
	b = appendBytes(b, []byte(e.Type))
	b = appendBytes(b, e.Payload)
	b = binary.AppendUvarint(b, uint64(len(e.Deps)))
	for _, d := range e.Deps {
		b = appendBytes(b, []byte(d.Origin))
		b = binary.AppendUvarint(b, d.Seq)
	}
	b = binary.AppendUvarint(b, uint64(len(e.Blobs)))
	for _, h := range e.Blobs {
		b = append(b, h[:]...)
	}
	return b
}

func appendBytes(b, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// signedBytes is what the origin signs.
func (e *Event) signedBytes() []byte {
	return e.appendUnsigned(append([]byte(nil), signingContext...))
}

// Unmarshal decodes a canonical encoding. It checks form only; Verifier
// checks the signature.
func Unmarshal(data []byte) (*Event, error) {
	d := decoder{b: data}
	e, err := d.event()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrMalformed, len(d.b))
	}
	if !bytes.Equal(e.Marshal(), data) {
		return nil, fmt.Errorf("%w: not canonical", ErrMalformed)
	}
	return e, nil
}

type decoder struct{ b []byte }

func (d *decoder) event() (*Event, error) {
	if len(d.b) == 0 || d.b[0] != version {
		return nil, errors.New("unknown version")
	}
	d.b = d.b[1:]
	e := &Event{}
	var err error
	if e.Origin, err = d.origin(); err != nil {
		return nil, err
	}
	if e.Seq, err = d.uvarint(); err != nil || e.Seq == 0 {
		return nil, fmt.Errorf("bad sequence (%v)", err)
	}
	t, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	e.Time = hlc.Timestamp(t)
	if e.Kind, err = d.name(); err != nil {
		return nil, err
	}
	if e.Entity, err = d.name(); err != nil {
		return nil, err
	}
	if e.Type, err = d.name(); err != nil {
		return nil, err
	}
	if e.Payload, err = d.bytes(MaxPayload); err != nil {
		return nil, err
	}
	if e.Deps, err = d.deps(); err != nil {
		return nil, err
	}
	if e.Blobs, err = d.blobs(); err != nil {
		return nil, err
	}
	if e.Sig, err = d.bytes(ed25519.SignatureSize); err != nil {
		return nil, err
	}
	if len(e.Sig) != ed25519.SignatureSize {
		return nil, errors.New("bad signature length")
	}
	return e, nil
}

func (d *decoder) deps() ([]ID, error) {
	n, err := d.count(MaxDeps)
	if err != nil || n == 0 {
		return nil, err
	}
	deps := make([]ID, n)
	for i := range deps {
		if deps[i].Origin, err = d.origin(); err != nil {
			return nil, err
		}
		if deps[i].Seq, err = d.uvarint(); err != nil || deps[i].Seq == 0 {
			return nil, fmt.Errorf("bad dep sequence (%v)", err)
		}
	}
	return deps, nil
}

func (d *decoder) blobs() ([]Hash, error) {
	n, err := d.count(MaxBlobs)
	if err != nil || n == 0 {
		return nil, err
	}
	if len(d.b) < n*len(Hash{}) {
		return nil, errors.New("short blob list")
	}
	hs := make([]Hash, n)
	for i := range hs {
		d.b = d.b[copy(hs[i][:], d.b):]
	}
	return hs, nil
}

func (d *decoder) count(limit int) (int, error) {
	n, err := d.uvarint()
	if err != nil {
		return 0, err
	}
	if n > uint64(limit) {
		return 0, fmt.Errorf("count %d over limit %d", n, limit)
	}
	return int(n), nil
}

func (d *decoder) origin() (peer.ID, error) {
	b, err := d.bytes(maxOriginLen)
	if err != nil {
		return "", err
	}
	id, err := peer.IDFromBytes(b)
	if err != nil {
		return "", fmt.Errorf("bad origin: %w", err)
	}
	return id, nil
}

func (d *decoder) name() (string, error) {
	b, err := d.bytes(maxName)
	return string(b), err
}

func (d *decoder) uvarint() (uint64, error) {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		return 0, errors.New("bad varint")
	}
	d.b = d.b[n:]
	return v, nil
}

func (d *decoder) bytes(limit int) ([]byte, error) {
	n, err := d.uvarint()
	if err != nil {
		return nil, err
	}
	if n > uint64(limit) || n > uint64(len(d.b)) {
		return nil, fmt.Errorf("field of %d bytes (limit %d, have %d)", n, limit, len(d.b))
	}
	v := d.b[:n:n]
	d.b = d.b[n:]
	if n == 0 {
		return nil, nil
	}
	return v, nil
}
