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
func spool(r io.Reader, dir string) (*spooled, error) {
	f, err := os.CreateTemp(dir, "sinkron-bundle-*")
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

// diagnose runs on a checksum mismatch, to tell a file cut short (copy it
// again) from one with a changed byte. A cut file has lost its end mark;
// what remains is an intact stream that runs out, or a whole stream and
// part of the trailer. A changed byte leaves the end mark in place, or the
// stream undecodable before it runs out.
func (s *spooled) diagnose() error {
	tail := make([]byte, min(s.size-int64(prefix), int64(trailer)))
	if _, err := s.f.ReadAt(tail, s.size-int64(len(tail))); err != nil {
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if len(tail) == trailer && string(tail[:len(endMark)]) == endMark {
		return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
	}
	for i := range tail {
		rest := tail[i:]
		if !bytes.HasPrefix(rest, []byte(endMark)) && !bytes.HasPrefix([]byte(endMark), rest) {
			continue
		}
		if s.decode(s.size-int64(len(rest))) == nil {
			return fmt.Errorf("%w: trailer cut short", ErrTruncated)
		}
	}
	switch err := s.decode(s.size); {
	case err == nil:
		return fmt.Errorf("%w: trailer missing", ErrTruncated)
	case errors.Is(err, ErrTruncated):
		return err
	}
	return fmt.Errorf("%w: checksum mismatch", ErrCorrupt)
}

// decode walks the file up to end as a stream, without node state.
func (s *spooled) decode(end int64) error {
	_, err := walk(io.NewSectionReader(s.f, int64(prefix), end-int64(prefix)), visitor{})
	return err
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
