package consensus

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/internal/derive"
)

// Sealed snapshot format. Raft snapshots are the FSM's whole state (NIKs,
// biodata), so on disk they are sealed with a streaming chunked AEAD:
//
//	salt(32) ‖ frame* ‖ final frame
//	frame = ciphertext length (4, big-endian) ‖ AES-256-GCM ciphertext+tag
//
// The AES key is HKDF-SHA256(node key, salt, sealInfo), fresh per snapshot,
// so the nonce can be the chunk counter (96-bit big-endian) without reuse.
// The additional data is 1 for the final frame and 0 otherwise: cutting the
// stream at a frame boundary leaves no final frame and is refused.
//
// Every frame but the final one carries exactly sealChunk bytes and the
// final one fewer (possibly none). That fixed layout makes the sealed length
// a function of the plaintext length (sealedSize), which is how the
// plaintext size raft needs in SnapshotMeta is known before reading: see
// sealedSnapshots.Open.
const (
	sealChunk   = 64 << 10
	sealSaltLen = 32
	sealLenLen  = 4
	sealTagLen  = 16 // GCM's tag
	sealFrame   = sealLenLen + sealChunk + sealTagLen
	sealInfo    = "sinkron raft snapshot v1"
)

// errSealCorrupt is every refusal of a sealed stream. It deliberately wraps
// neither io.EOF nor io.ErrUnexpectedEOF: an FSM reading to EOF must not
// take a truncated snapshot for a complete one.
var errSealCorrupt = errors.New("consensus: snapshot corrupted or truncated")

// sealedSnapshots is a raft.SnapshotStore that seals what it stores in an
// inner store (raft's file store), which then only ever holds ciphertext.
// Raft sees plaintext in both directions, so a leader's InstallSnapshot
// (Open, stream meta.Size bytes) and a follower's (Create, copy them in)
// work unchanged; between nodes the snapshot travels over the libp2p
// stream's own encryption.
type sealedSnapshots struct {
	inner raft.SnapshotStore
	key   []byte
	rand  io.Reader // salts; a repeated salt would repeat nonces under a key
}

func newSealedSnapshots(inner raft.SnapshotStore, key []byte, rand io.Reader) *sealedSnapshots {
	return &sealedSnapshots{inner: inner, key: key, rand: rand}
}

// Create implements raft.SnapshotStore.
func (s *sealedSnapshots) Create(version raft.SnapshotVersion, index, term uint64,
	configuration raft.Configuration, configurationIndex uint64, trans raft.Transport,
) (raft.SnapshotSink, error) {
	sink, err := s.inner.Create(version, index, term, configuration, configurationIndex, trans)
	if err != nil {
		return nil, err
	}
	w, err := newSealWriter(sink, s.key, s.rand)
	if err != nil {
		_ = sink.Cancel()
		return nil, err
	}
	return &sealedSink{SnapshotSink: sink, w: w}, nil
}

// List implements raft.SnapshotStore, with plaintext sizes as Open reports.
func (s *sealedSnapshots) List() ([]*raft.SnapshotMeta, error) {
	metas, err := s.inner.List()
	if err != nil {
		return nil, err
	}
	out := make([]*raft.SnapshotMeta, len(metas))
	for i, m := range metas {
		c := *m
		// Raft only logs List's sizes; a length no sealed stream has is
		// left as it is and refused by Open.
		if n, ok := plainSize(m.Size); ok {
			c.Size = n
		}
		out[i] = &c
	}
	return out, nil
}

// Open implements raft.SnapshotStore. The meta's Size is the plaintext
// size: raft sends exactly that many bytes of the reader to a follower,
// which checks the count. The inner store recorded the sealed length, from
// which the fixed layout gives the plaintext length; the reader enforces the
// layout, so it yields exactly that many bytes or fails.
func (s *sealedSnapshots) Open(id string) (*raft.SnapshotMeta, io.ReadCloser, error) {
	meta, rc, err := s.inner.Open(id)
	if err != nil {
		return nil, nil, err
	}
	n, ok := plainSize(meta.Size)
	if !ok {
		_ = rc.Close()
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, errSealCorrupt)
	}
	r, err := newSealReader(rc, s.key)
	if err != nil {
		_ = rc.Close()
		return nil, nil, fmt.Errorf("snapshot %s: %w", id, err)
	}
	m := *meta
	m.Size = n
	return &m, struct {
		io.Reader
		io.Closer
	}{r, rc}, nil
}

// sealedSink seals what raft writes into the inner store's sink.
type sealedSink struct {
	raft.SnapshotSink // ID and Cancel
	w                 *sealWriter
}

func (s *sealedSink) Write(p []byte) (int, error) { return s.w.Write(p) }

// Close writes the final frame, then finalizes the inner snapshot; a
// snapshot whose final frame could not be written is discarded.
func (s *sealedSink) Close() error {
	if err := s.w.Close(); err != nil {
		_ = s.SnapshotSink.Cancel()
		return err
	}
	return s.SnapshotSink.Close()
}

// sealedSize is the length of the sealed form of n plaintext bytes.
func sealedSize(n int64) int64 {
	return sealSaltLen + n/sealChunk*sealFrame + sealLenLen + n%sealChunk + sealTagLen
}

// plainSize inverts sealedSize; ok is false for a length no sealed stream
// has.
func plainSize(sealed int64) (n int64, ok bool) {
	rest := sealed - (sealSaltLen + sealLenLen + sealTagLen) // salt, final frame
	if rest < 0 || rest%sealFrame >= sealChunk {
		return 0, false
	}
	return rest/sealFrame*sealChunk + rest%sealFrame, true
}

// sealNonce is the 96-bit big-endian frame counter.
func sealNonce(nonce *[12]byte, count uint64) []byte {
	binary.BigEndian.PutUint64(nonce[4:], count)
	return nonce[:]
}

// sealAD is the frame's additional data: whether it is the final one.
func sealAD(final bool) []byte {
	if final {
		return []byte{1}
	}
	return []byte{0}
}

// sealWriter seals a stream into w. Close must be called to write the final
// frame; without it the stream reads as truncated.
type sealWriter struct {
	w      io.Writer
	aead   cipher.AEAD
	buf    []byte // plaintext of the frame being filled, up to sealChunk
	out    []byte // the sealed frame
	nonce  [12]byte
	count  uint64
	err    error // sticky: after a failed write the stream is unusable
	closed bool
}

func newSealWriter(w io.Writer, key []byte, rand io.Reader) (*sealWriter, error) {
	salt := make([]byte, sealSaltLen)
	if _, err := io.ReadFull(rand, salt); err != nil {
		return nil, fmt.Errorf("snapshot salt: %w", err)
	}
	aead, err := derive.AEAD(key, salt, sealInfo)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(salt); err != nil {
		return nil, err
	}
	return &sealWriter{
		w: w, aead: aead,
		buf: make([]byte, 0, sealChunk), out: make([]byte, 0, sealFrame),
	}, nil
}

// Write buffers p and seals every full chunk. A full chunk is sealed as
// non-final even if no more data follows: the final frame, written by
// Close, is then empty.
func (s *sealWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if s.closed {
		return 0, errors.New("consensus: write to a closed snapshot")
	}
	n := 0
	for len(p) > 0 {
		k := copy(s.buf[len(s.buf):sealChunk], p)
		s.buf, p, n = s.buf[:len(s.buf)+k], p[k:], n+k
		if len(s.buf) == sealChunk {
			if err := s.seal(false); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// Close writes the final frame. Calls after the first return nil.
func (s *sealWriter) Close() error {
	if s.err != nil || s.closed {
		return s.err
	}
	s.closed = true
	return s.seal(true)
}

func (s *sealWriter) seal(final bool) error {
	s.out = binary.BigEndian.AppendUint32(s.out[:0], uint32(len(s.buf)+sealTagLen))
	s.out = s.aead.Seal(s.out, sealNonce(&s.nonce, s.count), s.buf, sealAD(final))
	s.count++
	s.buf = s.buf[:0]
	if _, err := s.w.Write(s.out); err != nil {
		s.err = err
	}
	return s.err
}

// sealReader opens a sealed stream, yielding only authenticated plaintext
// and failing with errSealCorrupt on anything but an intact whole stream.
type sealReader struct {
	r     io.Reader
	aead  cipher.AEAD
	frame []byte // the current frame's buffer; plain aliases it
	plain []byte // decrypted and not yet read
	nonce [12]byte
	count uint64
	done  bool  // the final frame was read and nothing follows it
	err   error // sticky; io.EOF once done and drained
}

// newSealReader reads the salt; frames are read as the caller reads.
func newSealReader(r io.Reader, key []byte) (*sealReader, error) {
	salt := make([]byte, sealSaltLen)
	if _, err := io.ReadFull(r, salt); err != nil {
		return nil, eofCorrupt(err)
	}
	aead, err := derive.AEAD(key, salt, sealInfo)
	if err != nil {
		return nil, err
	}
	return &sealReader{r: r, aead: aead, frame: make([]byte, sealChunk+sealTagLen)}, nil
}

func (s *sealReader) Read(p []byte) (int, error) {
	for len(s.plain) == 0 {
		switch {
		case s.err != nil:
			return 0, s.err
		case s.done:
			s.err = io.EOF
		default:
			s.err = s.next()
		}
	}
	n := copy(p, s.plain)
	s.plain = s.plain[n:]
	return n, nil
}

// next reads, checks and decrypts one frame. Its length says whether it
// must be the final one (see the format); after the final frame the stream
// must end, which is checked before its plaintext is handed out.
func (s *sealReader) next() error {
	var hdr [sealLenLen]byte
	if _, err := io.ReadFull(s.r, hdr[:]); err != nil {
		return eofCorrupt(err) // a clean EOF here means no final frame
	}
	size := binary.BigEndian.Uint32(hdr[:])
	if size < sealTagLen || size > sealChunk+sealTagLen {
		return fmt.Errorf("%w: frame %d claims %d bytes", errSealCorrupt, s.count, size)
	}
	final := size < sealChunk+sealTagLen
	ct := s.frame[:size]
	if _, err := io.ReadFull(s.r, ct); err != nil {
		return eofCorrupt(err)
	}
	plain, err := s.aead.Open(ct[:0], sealNonce(&s.nonce, s.count), ct, sealAD(final))
	if err != nil {
		return fmt.Errorf("%w: frame %d fails authentication", errSealCorrupt, s.count)
	}
	s.count++
	if final {
		if err := s.atEnd(); err != nil {
			return err
		}
		s.done = true
	}
	s.plain = plain
	return nil
}

// atEnd checks that nothing follows the final frame.
func (s *sealReader) atEnd() error {
	var b [1]byte
	n, err := io.ReadFull(s.r, b[:])
	switch {
	case n > 0:
		return fmt.Errorf("%w: data after the final frame", errSealCorrupt)
	case errors.Is(err, io.EOF):
		return nil
	default:
		return err
	}
}

// eofCorrupt turns a premature end of the stream into errSealCorrupt and
// passes other read errors (the disk's, the network's) through.
func eofCorrupt(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: stream ends early", errSealCorrupt)
	}
	return err
}
