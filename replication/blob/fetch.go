package blob

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/sinkron-id/sinkron/replication/event"
)

// Protocol is the libp2p protocol ID for chunk transfer.
//
// Request: hash[32] ‖ uvarint from-chunk. Response: status byte (0 found,
// 1 not found, 2 busy serving another peer) ‖ uvarint size ‖ chunks as
// (uvarint idx ‖ uvarint len ‖ bytes).
const Protocol protocol.ID = "/sinkron/blob/1"

// Fetcher serves this node's blobs and fetches wanted ones from peers.
type Fetcher struct {
	h      host.Host
	st     *Store
	log    *slog.Logger
	allows func(peer.ID) bool
	mu     sync.Mutex
	busy   map[peer.ID]bool
	wg     sync.WaitGroup
	ctx    context.Context
	cancel context.CancelFunc
	// Fetched counts documents completed from peers.
	Fetched func(event.Hash)
	// yieldTo, if set (SetYield), reports that the replicated log is
	// syncing; guarded by mu.
	yieldTo func() bool
	// serving is the one peer served at a time: the three dinas servers
	// asking one kecamatan for the same photos get them once over its
	// uplink, the others then from each other over the dinas LAN.
	serving chan struct{}
}

// ErrBusy means the peer is serving another peer; fetch elsewhere or later.
var ErrBusy = errors.New("peer busy serving another office's documents")

const yieldMax = 10 * time.Second

// NewFetcher registers the protocol on h.
func NewFetcher(h host.Host, st *Store, allows func(peer.ID) bool, log *slog.Logger) *Fetcher {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Fetcher{h: h, st: st, log: log, allows: allows, busy: map[peer.ID]bool{}, ctx: ctx, cancel: cancel,
		serving: make(chan struct{}, 1)}
	h.SetStreamHandler(Protocol, f.serve)
	return f
}

// Close stops fetches in flight. The cancel happens under the lock that
// FetchFrom checks it under, so no fetch can start after the Wait begins.
func (f *Fetcher) Close() {
	f.h.RemoveStreamHandler(Protocol)
	f.mu.Lock()
	f.cancel()
	f.mu.Unlock()
	f.wg.Wait()
}

func (f *Fetcher) serve(s network.Stream) {
	defer s.Close()
	if !f.allows(s.Conn().RemotePeer()) || !f.track() {
		s.Reset()
		return
	}
	defer f.wg.Done()
	stop := context.AfterFunc(f.ctx, func() { s.Reset() }) // Close cuts a slow transfer
	defer stop()
	_ = s.SetDeadline(time.Now().Add(time.Minute))
	r := bufio.NewReader(s)
	var h event.Hash
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return
	}
	from, err := binary.ReadUvarint(r)
	if err != nil {
		return
	}
	w := bufio.NewWriterSize(s, ChunkSize+32)
	defer w.Flush()
	in, err := f.st.Stat(h)
	if err != nil || !in.Complete {
		w.WriteByte(1)
		return
	}
	select {
	case f.serving <- struct{}{}:
		defer func() { <-f.serving }()
	default:
		w.WriteByte(2)
		return
	}
	// The document is read whole (at most MaxSize) and the read ends before
	// the first byte goes out: a read kept open across minutes of a slow
	// link would pin the store's files, and outlive a restart.
	doc, err := f.st.Get(h)
	if err != nil {
		w.WriteByte(1)
		return
	}
	w.Write(binary.AppendUvarint([]byte{0}, uint64(in.Size)))
	for idx := uint64(from); idx*ChunkSize < uint64(len(doc)); idx++ {
		f.yield()
		if f.ctx.Err() != nil {
			return
		}
		b := doc[idx*ChunkSize : min(uint64(len(doc)), (idx+1)*ChunkSize)]
		_ = s.SetWriteDeadline(time.Now().Add(time.Minute))
		w.Write(binary.AppendUvarint(binary.AppendUvarint(nil, idx), uint64(len(b))))
		if _, err := w.Write(b); err != nil {
			return
		}
	}
}

// track counts a serving goroutine in wg unless the fetcher is closing,
// so Close waits for every one.
func (f *Fetcher) track() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx.Err() != nil {
		return false
	}
	f.wg.Add(1)
	return true
}

// FetchFrom fetches every wanted blob p has, one at a time, resuming
// partial ones. It runs in the background; a second call while one runs for
// the same peer is ignored.
func (f *Fetcher) FetchFrom(p peer.ID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy[p] || f.ctx.Err() != nil {
		return
	}
	f.busy[p] = true
	f.wg.Go(func() {
		defer func() { f.mu.Lock(); delete(f.busy, p); f.mu.Unlock() }()
		wanted, err := f.st.Wanted()
		if err != nil {
			return
		}
		for _, h := range wanted {
			if f.ctx.Err() != nil {
				return
			}
			err := f.fetch(p, h)
			if errors.Is(err, ErrBusy) {
				return // the next sync with p, or with a sibling, tries again
			}
			if err != nil && !errors.Is(err, ErrNotFound) {
				f.log.Debug("document fetch", "peer", p.String(), "doc", h.String(), "err", err)
			}
		}
	})
}

func (f *Fetcher) fetch(p peer.ID, h event.Hash) error {
	from, err := f.st.Next(h)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	s, err := f.h.NewStream(network.WithNoDial(ctx, "blob"), p, Protocol)
	if err != nil {
		return err
	}
	defer s.Close()
	go func() { <-ctx.Done(); s.Reset() }()
	req := binary.AppendUvarint(append([]byte(nil), h[:]...), uint64(from))
	if _, err := s.Write(req); err != nil {
		return err
	}
	_ = s.CloseWrite()
	// A slow link is fine (a chunk at 256 kbit/s takes 2 s); a silent one is not.
	alive := func() { _ = s.SetReadDeadline(time.Now().Add(time.Minute)) }
	alive()
	return f.receive(bufio.NewReaderSize(s, ChunkSize+32), h, alive)
}

// SetYield gives the test of "the replicated log is moving events":
// serving pauses between chunks meanwhile (up to yieldMax a chunk), so the
// small events cross a thin uplink before the photos that share it.
func (f *Fetcher) SetYield(syncing func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.yieldTo = syncing
}

func (f *Fetcher) yield() {
	f.mu.Lock()
	syncing := f.yieldTo
	f.mu.Unlock()
	if syncing == nil {
		return
	}
	for deadline := time.Now().Add(yieldMax); syncing() && time.Now().Before(deadline) && f.ctx.Err() == nil; {
		time.Sleep(50 * time.Millisecond)
	}
}

func (f *Fetcher) receive(r *bufio.Reader, h event.Hash, alive func()) error {
	status, err := r.ReadByte()
	if err != nil {
		return err
	}
	switch status {
	case 0:
	case 2:
		return ErrBusy
	default:
		return ErrNotFound
	}
	size, err := binary.ReadUvarint(r)
	if err != nil || size == 0 || size > MaxSize {
		return fmt.Errorf("blob %s: bad size", h)
	}
	buf := make([]byte, ChunkSize)
	for {
		idx, err := binary.ReadUvarint(r)
		if errors.Is(err, io.EOF) {
			return nil
		}
		n, err2 := binary.ReadUvarint(r)
		if err != nil || err2 != nil || n > ChunkSize {
			return fmt.Errorf("blob %s: bad chunk header", h)
		}
		if _, err := io.ReadFull(r, buf[:n]); err != nil {
			return err
		}
		alive()
		done, err := f.st.WriteChunk(h, int64(size), uint32(idx), buf[:n])
		if err != nil {
			return err
		}
		if done {
			if f.Fetched != nil {
				f.Fetched(h)
			}
			return nil
		}
	}
}
