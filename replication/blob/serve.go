package blob

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/sinkron-id/sinkron/replication/event"
)

// serve answers one peer's pipeline of requests, in order, until it asks
// no more. The peer holds the node's one serving turn for the whole
// stream: others hear busy and fetch from a sibling or later.
func (f *Fetcher) serve(s network.Stream) {
	defer s.Close()
	p := s.Conn().RemotePeer()
	if !f.allows(p) || !f.track() {
		s.Reset()
		return
	}
	defer f.wg.Done()
	stop := context.AfterFunc(f.ctx, func() { s.Reset() }) // Close cuts a slow transfer
	defer stop()
	r := bufio.NewReader(s)
	w := bufio.NewWriterSize(s, ChunkSize+32)
	h, from, err := readRequest(s, r)
	if err != nil {
		return
	}
	select {
	case f.serving <- struct{}{}:
		defer func() { <-f.serving }()
	default:
		_ = w.WriteByte(2)
		_ = w.Flush()
		return
	}
	sending, _ := f.moving(p)
	for {
		if err := f.answer(s, w, h, from, sending); err != nil {
			f.log.Debug("serving document", "peer", p.String(), "doc", h.String(), "err", err)
			return
		}
		if h, from, err = readRequest(s, r); err != nil {
			return // io.EOF: the peer asks no more
		}
	}
}

// readRequest reads the next request; the peer may take a while to send
// it (it holds its requests while events move), not longer than the idle
// timeout.
func readRequest(s network.Stream, r *bufio.Reader) (event.Hash, uint32, error) {
	_ = s.SetReadDeadline(time.Now().Add(idleTimeout))
	var h event.Hash
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return h, 0, err
	}
	from, err := binary.ReadUvarint(r)
	if err != nil || from > uint64(chunks(MaxSize)) {
		return h, 0, errors.Join(err, fmt.Errorf("document request: bad from-chunk %d", from))
	}
	return h, uint32(from), nil
}

// answer sends document h from chunk `from`, pausing before each chunk
// while this node's events are leaving, and flushes it all: the peer may
// ask for nothing more until it has this one.
func (f *Fetcher) answer(s network.Stream, w *bufio.Writer, h event.Hash, from uint32, sending func() bool) error {
	// The document is read whole (at most MaxSize) and the read ends before
	// the first byte goes out: a read kept open across minutes of a slow
	// link would pin the store's files, and outlive a restart.
	doc, err := f.st.Get(h)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			f.log.Warn("reading a document to serve", "doc", h.String(), "err", err)
		}
		_ = w.WriteByte(1)
		return w.Flush()
	}
	_, _ = w.Write(binary.AppendUvarint([]byte{0}, uint64(len(doc))))
	for idx := uint64(from); idx*ChunkSize < uint64(len(doc)); idx++ {
		f.yieldWhile(sending)
		if f.ctx.Err() != nil {
			return f.ctx.Err()
		}
		b := doc[idx*ChunkSize : min(uint64(len(doc)), (idx+1)*ChunkSize)]
		_ = s.SetWriteDeadline(time.Now().Add(idleTimeout))
		_, _ = w.Write(binary.AppendUvarint(binary.AppendUvarint(nil, idx), uint64(len(b))))
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return w.Flush()
}
