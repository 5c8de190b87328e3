// Package frame is the one framing of Sinkron's byte streams: the sync
// protocol (antientropy), the dinas servers' forward protocol (consensus)
// and flash-disk bundles (bundle). A frame is a type byte and a body with
// its length as a uvarint; the length is checked against the format's
// bound before anything is allocated, so a peer or a file cannot make a
// reader allocate more than that.
//
// Two layouts are on the wire and stay as they are:
//
//	LengthFirst  uvarint(1 + len(body)) ‖ type ‖ body   (sync, forward)
//	TypeFirst    type ‖ uvarint(len(body)) ‖ body       (bundles)
//
// Each protocol says what its type bytes and bodies mean.
package frame

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Layout is where a frame's type byte stands and what its length counts.
type Layout int

const (
	// LengthFirst: the length counts the type byte and the body, and comes
	// first; a zero length is malformed.
	LengthFirst Layout = iota
	// TypeFirst: the type byte comes first, and the length counts the body
	// only.
	TypeFirst
)

// Format is one protocol's framing.
type Format struct {
	Layout Layout
	// Max bounds what the length counts; a longer frame is refused, on
	// reading before its body is allocated, and on writing.
	Max uint64
	// Malformed is wrapped by every error about a frame's form (the
	// protocol's ErrProtocol or ErrCorrupt).
	Malformed error
}

// AppendHeader appends the header of a frame of type typ whose body is n
// bytes long; the body is to follow it.
func (f Format) AppendHeader(dst []byte, typ byte, n int) []byte {
	if f.Layout == TypeFirst {
		dst = append(dst, typ)
		return binary.AppendUvarint(dst, uint64(n))
	}
	dst = binary.AppendUvarint(dst, uint64(n)+1)
	return append(dst, typ)
}

// Append appends a whole frame.
func (f Format) Append(dst []byte, typ byte, body []byte) []byte {
	return append(f.AppendHeader(dst, typ, len(body)), body...)
}

// Write writes one frame in one Write call: over a stream of its own
// (a forward request) that is one transport frame.
func (f Format) Write(w io.Writer, typ byte, body []byte) error {
	if err := f.check(typ, uint64(len(body))); err != nil {
		return err
	}
	_, err := w.Write(f.Append(make([]byte, 0, len(body)+1+binary.MaxVarintLen64), typ, body))
	return err
}

// check refuses a frame whose body is n bytes long if its length exceeds
// Max.
func (f Format) check(typ byte, n uint64) error {
	if f.Layout == LengthFirst {
		n++
	}
	if n > f.Max {
		return fmt.Errorf("%w: frame %q of %d bytes exceeds %d", f.Malformed, typ, n, f.Max)
	}
	return nil
}

// Read reads one frame from r; the body is the caller's to keep. At a
// frame boundary the end of r is io.EOF; within a frame it is
// io.ErrUnexpectedEOF (in a LengthFirst length, io.EOF as binary.ReadUvarint
// reports it).
func (f Format) Read(r *bufio.Reader) (byte, []byte, error) {
	typ, n, err := f.header(r)
	if err != nil {
		return 0, nil, err
	}
	return f.body(r, typ, make([]byte, n))
}

// header reads a frame's type and body length. A LengthFirst frame's type
// is read with its body (body).
func (f Format) header(r *bufio.Reader) (typ byte, n uint64, err error) {
	if f.Layout == LengthFirst {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return 0, 0, err
		}
		if n == 0 || n > f.Max {
			return 0, 0, fmt.Errorf("%w: frame of %d bytes", f.Malformed, n)
		}
		return 0, n, nil
	}
	if typ, err = r.ReadByte(); err != nil {
		return 0, 0, err
	}
	n, err = binary.ReadUvarint(r)
	if errors.Is(err, io.EOF) {
		return 0, 0, io.ErrUnexpectedEOF
	}
	if err != nil {
		return 0, 0, err
	}
	return typ, n, f.check(typ, n)
}

// body reads a frame's body into buf, which has its length.
func (f Format) body(r *bufio.Reader, typ byte, buf []byte) (byte, []byte, error) {
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, err
	}
	if f.Layout == LengthFirst {
		return buf[0], buf[1:], nil
	}
	return typ, buf, nil
}

// Reader reads frames into one buffer it reuses: a body is valid until the
// next call, for a reader done with each body before it reads the next (a
// bundle's walk over a file of many frames).
type Reader struct {
	Format Format
	R      *bufio.Reader
	buf    []byte
}

// Next reads one frame, as Format.Read does.
func (fr *Reader) Next() (byte, []byte, error) {
	typ, n, err := fr.Format.header(fr.R)
	if err != nil {
		return 0, nil, err
	}
	if uint64(cap(fr.buf)) < n {
		fr.buf = make([]byte, n)
	}
	return fr.Format.body(fr.R, typ, fr.buf[:n])
}
