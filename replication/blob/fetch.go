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

// Protocol is the libp2p protocol ID for document transfer.
//
// One stream carries a pipeline: the fetcher writes requests, hash[32] ‖
// uvarint from-chunk, while earlier ones are still being answered, and
// closes its side when it asks no more. The server answers each in order
// with a status byte (0 found, 1 not found, 2 busy serving another peer)
// and, if found, uvarint size ‖ the chunks from `from` to the last, each
// uvarint idx ‖ uvarint len ‖ bytes. A busy answer ends the stream.
// (Version 1 took one request per stream, so each document waited a whole
// round trip before its first byte: on 3G, 300 ms before a 1 s photo.)
const Protocol protocol.ID = "/sinkron/blob/2"

// Window is how many documents a fetcher asks for ahead of the one it is
// receiving. Two cover a round trip on 3G or VSAT (a 30 kB photo takes
// about 1 s at 256 kbit/s) while keeping what is queued ahead of the
// events, once they must move, to a photo or two.
const Window = 2

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
	// sending and receiving, if set (SetYield), say that the replicated
	// log is moving events over the link to the peer served, or from the
	// peer fetched from; guarded by mu.
	sending, receiving func(peer.ID) bool
	// yieldMax bounds each pause for events, so documents are slowed by a
	// long catch-up but never stopped by it.
	yieldMax time.Duration
	// serving is the one peer served at a time: the three dinas servers
	// asking one kecamatan for the same photos get them once over its
	// uplink, the others then from each other over the dinas LAN.
	serving chan struct{}
	// onAsk, if set, is told how many requests are in flight to a peer
	// each time one more is written (tests count round trips with it).
	onAsk func(p peer.ID, inFlight int)
}

// ErrBusy means the peer is serving another peer; fetch elsewhere or later.
var ErrBusy = errors.New("peer busy serving another office's documents")

// idleTimeout is how long a document stream may sit silent. A slow link is
// fine (a chunk at 256 kbit/s takes 2 s); a silent one is not.
const idleTimeout = time.Minute

// NewFetcher registers the protocol on h.
func NewFetcher(h host.Host, st *Store, allows func(peer.ID) bool, log *slog.Logger) *Fetcher {
	ctx, cancel := context.WithCancel(context.Background())
	f := &Fetcher{h: h, st: st, log: log, allows: allows, busy: map[peer.ID]bool{}, ctx: ctx, cancel: cancel,
		serving: make(chan struct{}, 1), yieldMax: 10 * time.Second}
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

// SetYield gives the tests of "the replicated log is moving events over
// the link documents would take": sending(to) pauses serving `to` between
// chunks, receiving(from) holds new requests to `from`, each pause up to
// yieldMax, so the small events cross a thin uplink before the photos that
// share it. The node knows which links are thin; this package does not.
func (f *Fetcher) SetYield(sending, receiving func(peer.ID) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sending, f.receiving = sending, receiving
}

// yieldWhile waits while moving() holds, up to yieldMax, or until Close.
func (f *Fetcher) yieldWhile(moving func() bool) {
	for deadline := time.Now().Add(f.yieldMax); moving() && time.Now().Before(deadline) && f.ctx.Err() == nil; {
		time.Sleep(50 * time.Millisecond)
	}
}

// moving returns the tests of SetYield bound to peer p.
func (f *Fetcher) moving(p peer.ID) (sending, receiving func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	bind := func(test func(peer.ID) bool) func() bool {
		if test == nil {
			return func() bool { return false }
		}
		return func() bool { return test(p) }
	}
	return bind(f.sending), bind(f.receiving)
}

// track counts a goroutine in wg unless the fetcher is closing, so Close
// waits for every one.
func (f *Fetcher) track() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ctx.Err() != nil {
		return false
	}
	f.wg.Add(1)
	return true
}

// FetchFrom fetches every wanted blob p has, resuming partial ones, over
// one stream with up to Window requests in flight. It runs in the
// background; a second call while one runs for the same peer is ignored.
func (f *Fetcher) FetchFrom(p peer.ID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy[p] || f.ctx.Err() != nil {
		return
	}
	f.busy[p] = true
	f.wg.Go(func() {
		defer func() { f.mu.Lock(); delete(f.busy, p); f.mu.Unlock() }()
		// Busy: the next sync with p, or with a sibling, tries again.
		if err := f.fetchFrom(p); err != nil && !errors.Is(err, ErrBusy) && f.ctx.Err() == nil {
			f.log.Debug("document fetch", "peer", p.String(), "err", err)
		}
	})
}

// request is one document asked for and not yet wholly received.
type request struct {
	h    event.Hash
	from uint32
}

// fetchFrom runs one stream to p: ask writes requests ahead while collect
// receives the answers in order. A slot is taken per request written and
// given back once its answer is in, so at most Window are in flight.
func (f *Fetcher) fetchFrom(p peer.ID) error {
	ctx, cancel := context.WithCancel(f.ctx)
	defer cancel()
	s, err := f.h.NewStream(network.WithNoDial(ctx, "blob"), p, Protocol)
	if err != nil {
		return fmt.Errorf("open document stream to %s: %w", p, err)
	}
	defer s.Close()
	stop := context.AfterFunc(ctx, func() { s.Reset() }) // Close cuts a slow transfer
	defer stop()
	inFlight := make(chan request, Window)
	slots := make(chan struct{}, Window)
	asked := make(chan error, 1)
	go func() {
		err := f.ask(ctx, s, p, inFlight, slots)
		switch {
		case ctx.Err() != nil:
			err = nil // cut by Close or by collect, which says why
		case err != nil:
			cancel() // collect would wait for an answer never asked
		}
		asked <- err
	}()
	if err = f.collect(s, inFlight, slots); err != nil {
		cancel() // stops the asking
	}
	return errors.Join(err, <-asked)
}

// ask writes a request for each wanted document not asked yet, listing the
// wanted ones again when done (events keep bringing new ones), then closes
// the stream's write side. Before each request it waits for a slot, and
// while p's events are arriving: they share p's uplink with the answer.
func (f *Fetcher) ask(ctx context.Context, s network.Stream, p peer.ID, inFlight chan<- request, slots chan struct{}) error {
	defer close(inFlight)
	_, receiving := f.moving(p)
	asked := map[event.Hash]bool{}
	for {
		wanted, err := f.st.Wanted()
		if err != nil {
			return fmt.Errorf("list wanted documents: %w", err)
		}
		fresh := 0
		for _, h := range wanted {
			if asked[h] {
				continue
			}
			asked[h], fresh = true, fresh+1
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			f.yieldWhile(receiving)
			if err := f.write(s, p, h, inFlight, len(slots)); err != nil {
				return err
			}
		}
		if fresh == 0 {
			_ = s.CloseWrite()
			return nil
		}
	}
}

// write sends one request, from the first chunk not held yet, and queues
// it for collect (before writing, so its answer always finds it queued).
func (f *Fetcher) write(s network.Stream, p peer.ID, h event.Hash, inFlight chan<- request, n int) error {
	from, err := f.st.Next(h)
	if err != nil {
		return fmt.Errorf("document %s: resume point: %w", h, err)
	}
	inFlight <- request{h: h, from: from}
	if f.onAsk != nil {
		f.onAsk(p, n)
	}
	_ = s.SetWriteDeadline(time.Now().Add(idleTimeout))
	if _, err := s.Write(binary.AppendUvarint(append([]byte(nil), h[:]...), uint64(from))); err != nil {
		return fmt.Errorf("ask for document %s: %w", h, err)
	}
	return nil
}

// collect receives the answers in the order asked. Not found is fine (p
// lacks it; a sibling may have it); busy or a broken stream ends the run.
func (f *Fetcher) collect(s network.Stream, inFlight <-chan request, slots <-chan struct{}) error {
	r := bufio.NewReaderSize(s, ChunkSize+32)
	for req := range inFlight {
		err := f.receive(s, r, req)
		<-slots
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// receive reads one answer: its status, then each chunk from req.from to
// the last, stored as it lands. Each read may take the idle timeout.
func (f *Fetcher) receive(s network.Stream, r *bufio.Reader, req request) error {
	alive := func() { _ = s.SetReadDeadline(time.Now().Add(idleTimeout)) }
	alive()
	status, err := r.ReadByte()
	if err != nil {
		return fmt.Errorf("document %s: %w", req.h, err)
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
		return fmt.Errorf("document %s: bad size", req.h)
	}
	if req.from >= chunks(int64(size)) { // all held, never sealed
		return f.sealed(req.h, int64(size))
	}
	buf := make([]byte, ChunkSize)
	for idx := req.from; idx < chunks(int64(size)); idx++ {
		got, err := binary.ReadUvarint(r)
		n, err2 := binary.ReadUvarint(r)
		if err != nil || err2 != nil || got != uint64(idx) || n > ChunkSize {
			return fmt.Errorf("document %s: bad chunk header", req.h)
		}
		if _, err := io.ReadFull(r, buf[:n]); err != nil {
			return fmt.Errorf("document %s, chunk %d: %w", req.h, idx, err)
		}
		alive()
		done, err := f.st.WriteChunk(req.h, int64(size), idx, buf[:n])
		if err != nil {
			return err
		}
		if done && f.Fetched != nil {
			f.Fetched(req.h)
		}
	}
	return nil
}

// sealed completes a document whose chunks were all stored before, when
// its check was cut short.
func (f *Fetcher) sealed(h event.Hash, size int64) error {
	done, err := f.st.seal(h, size)
	if done && err == nil && f.Fetched != nil {
		f.Fetched(h)
	}
	return err
}
