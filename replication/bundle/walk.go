package bundle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/frame"
)

// visitor receives a bundle's parts as walk decodes them; nil fields skip.
type visitor struct {
	events func([]*event.Event) error
	// chunk is called for each chunk in order; a document's hash can only
	// be checked after its last chunk, which is why writes wait for a
	// complete verify pass.
	chunk func(chunk) error
}

// walk decodes a frame stream and checks everything that needs no node
// state: frame order and limits, event form, that documents are referenced,
// whole and match their hashes, the end frame's counts, and that nothing
// follows. Verify and apply both use it, so both see the same bundle.
func walk(r io.Reader, v visitor) (header, error) {
	z, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxWindow(maxWindow), zstd.WithDecoderMaxMemory(maxWindow))
	if err != nil {
		return header{}, err
	}
	defer z.Close()
	w := &walker{v: v, fr: frame.Reader{Format: frames, R: bufio.NewReaderSize(z, 64<<10)}, refs: map[event.Hash]bool{}, done: map[event.Hash]bool{}}
	err = w.run()
	var pe passErr
	if errors.As(err, &pe) {
		return w.hdr, pe.error
	}
	if err != nil {
		err = classify(err)
	}
	return w.hdr, err
}

// passErr carries a visitor's error through walk unclassified: it is about
// the node, not the file.
type passErr struct{ error }

func (p passErr) Unwrap() error { return p.error }

func pass(err error) error {
	if err == nil {
		return nil
	}
	return passErr{err}
}

// classify maps a decoding failure to the sentinel an officer sees: running
// out of input is truncation, anything else not already ours corruption.
func classify(err error) error {
	switch {
	case errors.Is(err, ErrCorrupt), errors.Is(err, ErrTruncated), errors.Is(err, ErrForged):
		return err
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return fmt.Errorf("%w: stream ends before its end frame", ErrTruncated)
	default:
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
}

// Where walk is in the fixed frame order.
const (
	wantHeader = iota
	inEvents
	inBlobs
)

type walker struct {
	v     visitor
	fr    frame.Reader
	hdr   header
	phase int
	seen  counts
	// refs are the documents the bundle's events refer to, done those
	// already carried whole.
	refs map[event.Hash]bool
	done map[event.Hash]bool
	cur  *blobProgress
}

// blobProgress follows the document whose chunks are being read.
type blobProgress struct {
	hash event.Hash
	size int64
	next uint32
	sum  hash.Hash
}

func (w *walker) run() error {
	for {
		typ, body, err := w.fr.Next()
		if err != nil {
			return err
		}
		switch {
		case typ == frameHeader && w.phase == wantHeader:
			err = w.header(body)
		case typ == frameEvents && w.phase == inEvents:
			err = w.events(body)
		case typ == frameBlob && w.phase != wantHeader:
			w.phase = inBlobs
			err = w.chunk(body)
		case typ == frameEnd && w.phase != wantHeader:
			return w.end(body)
		default:
			return fmt.Errorf("%w: unexpected frame %q", ErrCorrupt, typ)
		}
		if err != nil {
			return err
		}
	}
}

func (w *walker) header(body []byte) error {
	h, err := parseHeader(body)
	if err != nil {
		return err
	}
	w.hdr, w.phase = h, inEvents
	return nil
}

func (w *walker) events(body []byte) error {
	evs, err := parseEvents(body)
	if err != nil {
		return err
	}
	for _, e := range evs {
		for _, h := range e.Blobs {
			if len(w.refs) < MaxDocuments { // past it, documents are refused
				w.refs[h] = true
			}
		}
	}
	w.seen.Events += uint64(len(evs))
	if w.v.events != nil {
		return pass(w.v.events(evs))
	}
	return nil
}

// chunk checks one blob frame against the document in progress, and a
// finished document against its hash.
func (w *walker) chunk(body []byte) error {
	c, err := parseChunk(body)
	if err != nil {
		return err
	}
	if err := w.follow(c); err != nil {
		return err
	}
	w.seen.Chunks++
	if w.v.chunk != nil {
		if err := w.v.chunk(c); err != nil {
			return pass(err)
		}
	}
	if w.cur.next < chunkCount(c.Size) {
		return nil
	}
	if !bytes.Equal(w.cur.sum.Sum(nil), c.Hash[:]) {
		return fmt.Errorf("%w: document %s does not match its address", ErrForged, c.Hash)
	}
	w.done[c.Hash], w.cur = true, nil
	w.seen.Blobs++
	return nil
}

// follow advances the document in progress by c, starting one at chunk 0.
func (w *walker) follow(c chunk) error {
	if w.cur == nil {
		switch {
		case c.Idx != 0:
			return fmt.Errorf("%w: document %s starts at chunk %d", ErrCorrupt, c.Hash, c.Idx)
		case !w.refs[c.Hash]:
			return fmt.Errorf("%w: document %s is not referenced by the bundle's events (or beyond the first %d)",
				ErrCorrupt, c.Hash, MaxDocuments)
		case w.done[c.Hash]:
			return fmt.Errorf("%w: document %s appears twice", ErrCorrupt, c.Hash)
		}
		w.cur = &blobProgress{hash: c.Hash, size: c.Size, sum: sha256.New()}
	}
	if c.Hash != w.cur.hash || c.Size != w.cur.size || c.Idx != w.cur.next {
		return fmt.Errorf("%w: document %s: chunk %d out of order", ErrCorrupt, c.Hash, c.Idx)
	}
	w.cur.sum.Write(c.Data)
	w.cur.next++
	return nil
}

// end checks the end frame against what was read and that nothing follows.
func (w *walker) end(body []byte) error {
	declared, err := parseCounts(body)
	if err != nil {
		return err
	}
	if w.cur != nil {
		return fmt.Errorf("%w: document %s ends after chunk %d", ErrCorrupt, w.cur.hash, w.cur.next)
	}
	if declared != w.seen {
		return fmt.Errorf("%w: end frame declares %+v, bundle holds %+v", ErrCorrupt, declared, w.seen)
	}
	if _, err := w.fr.R.ReadByte(); err == nil {
		return fmt.Errorf("%w: data after the end frame", ErrCorrupt)
	} else if !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}
