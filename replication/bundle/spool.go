package bundle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
)

// spooled is an imported file copied to local disk, its trailer checked, so
// it can be read twice (verify, then apply) without holding it in memory.
type spooled struct {
	f    *os.File
	size int64
}

// stream is the zstd stream between the prefix and the trailer.
func (s *spooled) stream() io.Reader {
	return io.NewSectionReader(s.f, int64(prefix), s.size-int64(prefix+trailer))
}

func (s *spooled) close() {
	s.f.Close()
	os.Remove(s.f.Name())
}

// spool copies r to a temp file, hashing as it goes, and checks the
// prefix and trailer. The caller closes the result.
func spool(r io.Reader) (*spooled, error) {
	f, err := os.CreateTemp("", "sinkron-bundle-*")
	if err != nil {
		return nil, fmt.Errorf("spool bundle: %w", err)
	}
	s := &spooled{f: f}
	th := &tailHash{h: sha256.New()}
	s.size, err = io.Copy(io.MultiWriter(f, th), io.LimitReader(r, MaxFile+1))
	if err == nil && s.size > MaxFile {
		err = fmt.Errorf("%w: file exceeds %d bytes", ErrCorrupt, int64(MaxFile))
	}
	if err == nil {
		err = s.check(th)
	}
	if err != nil {
		s.close()
		return nil, err
	}
	return s, nil
}

// check verifies prefix and trailer, telling a cut file from a changed one.
func (s *spooled) check(th *tailHash) error {
	head := make([]byte, prefix)
	n, _ := s.f.ReadAt(head, 0)
	want := append([]byte(magic), version)
	switch {
	case n < len(magic) && bytes.HasPrefix(want, head[:n]):
		return fmt.Errorf("%w: %d bytes", ErrTruncated, s.size)
	case n < len(magic) || string(head[:len(magic)]) != magic:
		return fmt.Errorf("%w: not a Sinkron bundle", ErrCorrupt)
	case n < prefix:
		return fmt.Errorf("%w: %d bytes", ErrTruncated, s.size)
	case head[len(magic)] != version:
		return fmt.Errorf("%w: format version %d not supported by this node", ErrCorrupt, head[len(magic)])
	case s.size < int64(minSize):
		return fmt.Errorf("%w: %d bytes", ErrTruncated, s.size)
	}
	if bytes.Equal(th.h.Sum(nil), th.tail) {
		return nil
	}
	return s.diagnose()
}

// diagnose runs on a checksum mismatch. A cut file has lost its end mark
// and its stream runs out; a file with a changed byte keeps the end mark,
// or decodes to the end, or fails to decode before running out.
func (s *spooled) diagnose() error {
	mark := make([]byte, len(endMark))
	if _, err := s.f.ReadAt(mark, s.size-int64(trailer)); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if string(mark) != endMark {
		all := io.NewSectionReader(s.f, int64(prefix), s.size-int64(prefix))
		if _, err := walk(all, visitor{}); errors.Is(err, ErrTruncated) {
			return err
		}
	}
	return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
}

// tailHash hashes all it is given except the last sumSize bytes, which it
// keeps: the trailer's checksum, unknown until the input ends.
type tailHash struct {
	h    hash.Hash
	tail []byte
}

func (t *tailHash) Write(p []byte) (int, error) {
	if len(p) >= sumSize {
		t.h.Write(t.tail)
		t.h.Write(p[:len(p)-sumSize])
		t.tail = append(t.tail[:0], p[len(p)-sumSize:]...)
		return len(p), nil
	}
	t.tail = append(t.tail, p...)
	if over := len(t.tail) - sumSize; over > 0 {
		t.h.Write(t.tail[:over])
		t.tail = append(t.tail[:0], t.tail[over:]...)
	}
	return len(p), nil
}
