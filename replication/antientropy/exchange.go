package antientropy

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Stats describes one exchange with a peer.
type Stats struct {
	EventsSent, EventsReceived uint64
	BytesSent, BytesReceived   uint64
	// PeerLacked and WeLacked are what each side was missing at the start.
	PeerLacked, WeLacked uint64
	ClockSkew            time.Duration
	Rejected             []event.Rejection
	// Deferred: what the peer lacks was more than a bulk send and another
	// exchange had the bulk turn; the peer is synced again when it frees.
	Deferred bool
	// Repeats counts events received that this side already held: another
	// exchange brought them first, and the link carried them twice.
	Repeats uint64
	// Unheld counts events received that could not be stored yet: an
	// earlier event of their origin, or a dep, had not arrived (it was on
	// its way in another exchange). The ACK says so, and they come again.
	Unheld uint64
}

// counter counts what crosses the stream and keeps its deadlines moving
// with the bytes: each read and each 16 KiB written may take IdleTimeout,
// so a slow link that keeps moving (a kecamatan's 3G uplink shared by
// several sessions, where one batch frame takes minutes) is fine and only a
// silent one is cut.
type counter struct {
	s      network.Stream
	idle   time.Duration
	in, on uint64
}

func (c *counter) Read(p []byte) (int, error) {
	_ = c.s.SetReadDeadline(time.Now().Add(c.idle))
	n, err := c.s.Read(p)
	c.in += uint64(n)
	return n, err
}

func (c *counter) Write(p []byte) (int, error) {
	const piece = 16 << 10
	written := 0
	for written < len(p) {
		_ = c.s.SetWriteDeadline(time.Now().Add(c.idle))
		n, err := c.s.Write(p[written:min(len(p), written+piece)])
		written += n
		c.on += uint64(n)
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// session is one side of one exchange.
type session struct {
	svc  *Service
	s    network.Stream
	c    *counter
	r    *bufio.Reader
	w    *bufio.Writer
	st   Stats
	peer peer.ID
	// upto is where each origin's range to send ends: what this side held
	// when it said what it would send, less what other exchanges carry to
	// the peer (claims). It sends no more, so what it counted and claimed
	// is what crosses; events written meanwhile go in the next exchange,
	// which their Nudge starts.
	upto vv.Vector
	// held is the peer's position on the origins it lags in (leaveToHub).
	held uint64
	// claimed ends this exchange's claims, telling whether the peer got
	// what was sent.
	claimed func(delivered bool)
	// partial: the peer's ACK said it could not store all it was sent.
	partial bool
}

func (svc *Service) newSession(s network.Stream) *session {
	c := &counter{s: s, idle: svc.opt.IdleTimeout}
	return &session{svc: svc, s: s, c: c, r: bufio.NewReaderSize(c, 64<<10), w: bufio.NewWriterSize(c, 64<<10), peer: s.Conn().RemotePeer()}
}

// run runs one side of the exchange and returns its figures, byte counts
// included (they are final only once the stream is closed).
func (x *session) run(side func() (Stats, error)) (Stats, error) {
	_, err := side()
	if x.claimed != nil {
		x.claimed(err == nil && !x.st.Deferred && !x.partial)
	}
	x.finish()
	return x.st, err
}

// initiate runs the dialer's side.
func (x *session) initiate() (Stats, error) {
	local := x.svc.opt.Store.Vector()
	body := binary.AppendUvarint(nil, uint64(x.svc.opt.Now().UnixMilli()))
	if err := frames.Write(x.w, frameHello, appendEntries(body, x.svc.tags.entries(local))); err != nil {
		return x.st, err
	}
	if err := x.w.Flush(); err != nil {
		return x.st, err
	}
	typ, body, err := frames.Read(x.r)
	if err != nil {
		return x.st, err
	}
	if typ != frameReply {
		return x.st, fmt.Errorf("%w: want REPLY, got %q", ErrProtocol, typ)
	}
	vals, want, err := parseHeader(body, 2)
	if err != nil {
		return x.st, err
	}
	x.st.ClockSkew = x.skew(vals[0])
	x.st.WeLacked = vals[1]
	since := local.Clone()
	for _, e := range want {
		if o, ok := x.svc.tags.origin(e.Tag); ok && e.Seq > 0 {
			since[o] = min(since[o], e.Seq-1)
		}
	}
	x.plan(since, local)
	if len(want) == 0 && x.st.WeLacked == 0 {
		// Equal: one round trip and done. The listener goes on when it
		// asked for events, although claims may leave this side nothing to
		// send: it then gets DONE at once.
		return x.st, nil
	}
	return x.st, x.both(since)
}

// respond runs the listener's side.
func (x *session) respond() (Stats, error) {
	typ, body, err := frames.Read(x.r)
	if err != nil {
		return x.st, err
	}
	if typ != frameHello {
		return x.st, fmt.Errorf("%w: want HELLO, got %q", ErrProtocol, typ)
	}
	vals, theirs, err := parseHeader(body, 1)
	if err != nil {
		return x.st, err
	}
	x.st.ClockSkew = x.skew(vals[0])
	local := x.svc.opt.Store.Vector()
	since, want := x.svc.tags.compare(local, theirs)
	if !x.svc.asks(x.peer) {
		want = nil // the home brings it
	}
	x.plan(since, local)
	for _, w := range want {
		if o, ok := x.svc.tags.origin(w.Tag); ok {
			x.st.WeLacked += theirSeq(theirs, w.Tag) - local[o]
		}
	}
	reply := binary.AppendUvarint(nil, uint64(x.svc.opt.Now().UnixMilli()))
	reply = binary.AppendUvarint(reply, x.st.PeerLacked)
	if err := frames.Write(x.w, frameReply, appendEntries(reply, want)); err != nil {
		return x.st, err
	}
	if x.st.PeerLacked == 0 && len(want) == 0 {
		return x.st, x.w.Flush()
	}
	return x.st, x.both(since)
}

// plan fixes what this side sends: the events after since up to local, the
// vector it held when it read what the peer has, less what other exchanges
// carry to the peer (claims), which it claims in turn until the exchange
// ends.
func (x *session) plan(since, local vv.Vector) {
	x.held = since.Total()
	x.upto, x.claimed = x.svc.claims.claim(x.peer, since, local)
	x.st.PeerLacked = x.upto.Count(since)
}

func theirSeq(es []Entry, t Tag) uint64 {
	for _, e := range es {
		if e.Tag == t {
			return e.Seq
		}
	}
	return 0
}

func (x *session) skew(theirMillis uint64) time.Duration {
	return time.Duration(int64(theirMillis)-x.svc.opt.Now().UnixMilli()) * time.Millisecond
}

// both streams what the peer lacks (everything after `since`) while
// receiving and committing what it sends. Each side then sends ACK once all
// it received is committed, so an exchange that returns without error means
// both replicas hold what was sent.
func (x *session) both(since vv.Vector) error {
	defer x.svc.moving(x.peer, x.st.PeerLacked > 0, x.st.WeLacked > 0)()
	sent := make(chan error, 1)
	received := make(chan error, 1)
	go func() { sent <- x.send(since) }()
	go func() { received <- x.receive() }()
	var err error
	select {
	case err = <-sent:
		if err == nil {
			err = x.keepAlive(received)
		} else {
			x.s.Reset()
			<-received
		}
	case err = <-received:
		if err != nil {
			x.s.Reset()
			<-sent
		} else {
			err = <-sent
		}
	}
	if err != nil {
		return err
	}
	var ackBody []byte
	if x.st.Unheld > 0 {
		ackBody = []byte{ackPartial}
	}
	if err := frames.Write(x.w, frameAck, ackBody); err != nil {
		return err
	}
	if err := x.w.Flush(); err != nil {
		return err
	}
	// The peer's ACK is read while our side closes: on a transport whose
	// CloseWrite waits for the peer to drain what we wrote (libp2p's
	// in-memory mocknet, pipes), both sides closing first would deadlock.
	ack := make(chan error, 1)
	go func() { ack <- x.readAck() }()
	_ = x.s.CloseWrite()
	return <-ack
}

// keepAlive sends ALIVE frames, our sending being done, until what the
// peer sends is all received and committed (or failed).
func (x *session) keepAlive(received <-chan error) error {
	tick := time.NewTicker(max(x.svc.opt.IdleTimeout/3, time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case err := <-received:
			return err
		case <-tick.C:
			if err := frames.Write(x.w, frameAlive, nil); err == nil {
				_ = x.w.Flush() // a failed write shows in the receive too
			}
		}
	}
}

// readAck waits for the peer's ACK, past its ALIVE frames.
func (x *session) readAck() error {
	for {
		typ, body, err := frames.Read(x.r)
		switch {
		case err != nil:
			return err
		case typ == frameAlive:
			continue
		case typ != frameAck:
			return fmt.Errorf("%w: want ACK, got %q", ErrProtocol, typ)
		case len(body) > 1 || len(body) == 1 && body[0] != ackPartial:
			return fmt.Errorf("%w: ACK of %x", ErrProtocol, body)
		}
		x.partial = len(body) == 1
		return nil
	}
}

func (x *session) send(since vv.Vector) error {
	bulk := x.st.PeerLacked > uint64(x.svc.opt.BulkEvents)
	switch {
	case x.st.PeerLacked == 0:
		x.svc.caughtUp(x.peer)
	case x.svc.leaveToHub(x.peer, x.held) || bulk && !x.svc.takeBulk(x.peer):
		x.st.Deferred = true
		if err := frames.Write(x.w, frameDone, nil); err != nil {
			return err
		}
		return x.w.Flush()
	case bulk:
		defer x.svc.releaseBulk()
	}
	b := &batcher{w: x.w, maxBytes: x.svc.opt.BatchBytes, maxCount: x.svc.opt.BatchEvents}
	err := x.svc.opt.Store.ScanRange(since, x.upto, func(raw []byte) error {
		return b.add(raw)
	})
	if err == nil {
		err = b.flush()
	}
	x.st.EventsSent = b.sent
	if err == nil {
		err = frames.Write(x.w, frameDone, nil)
	}
	if err == nil {
		err = x.w.Flush()
	}
	return err
}

// receive reads batches and pipelines them: decoding here, verification and
// commit in a second goroutine, so the next batch is read and decoded while
// the previous one is verified and written.
func (x *session) receive() error {
	batches := make(chan []*event.Event, 2)
	verified := make(chan checked, 2)
	applyErr := make(chan error, 1)
	go func() {
		st := x.svc.opt.Store
		for evs := range batches {
			vec := st.Vector() // only grows, so held stays held until Apply
			ok, rej := st.Verifier().VerifyBatchHeld(evs, func(e *event.Event) bool { return vec.Has(e.Origin, e.Seq) })
			verified <- checked{ok, rej}
		}
		close(verified)
	}()
	go func() { applyErr <- x.apply(verified) }()
	err := x.readBatches(batches)
	close(batches)
	if aerr := <-applyErr; err == nil {
		err = aerr
	}
	return err
}

// checked is a batch after signature verification.
type checked struct {
	ok  event.Verified
	rej []event.Rejection
}

func (x *session) readBatches(out chan<- []*event.Event) error {
	for {
		typ, body, err := frames.Read(x.r)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("%w: stream ended before DONE", ErrProtocol)
			}
			return err
		}
		switch typ {
		case frameDone:
			return nil
		case frameAlive:
			continue
		case frameBatch:
			evs, err := parseBatch(body)
			if err != nil {
				return err
			}
			out <- evs
		default:
			return fmt.Errorf("%w: unexpected frame %q", ErrProtocol, typ)
		}
	}
}

func (x *session) apply(in <-chan checked) error {
	var firstErr error
	for c := range in {
		if firstErr != nil {
			continue // drain so the reader never blocks
		}
		ok, rej := c.ok, c.rej
		res, err := x.svc.opt.Store.Apply(ok)
		if err != nil {
			firstErr = fmt.Errorf("apply batch from %s: %w", x.peer, err)
			continue
		}
		x.st.EventsReceived += uint64(len(res.Applied))
		x.st.Unheld += uint64(res.Deferred)
		x.st.Repeats += uint64(res.Duplicates)
		x.st.Rejected = append(x.st.Rejected, append(rej, res.Rejected...)...)
	}
	return firstErr
}

func (x *session) finish() {
	x.st.BytesSent, x.st.BytesReceived = x.c.on, x.c.in
	for _, r := range x.st.Rejected {
		x.svc.opt.Logger.Warn("event refused", "peer", x.peer.String(), "event", r.ID.String(), "err", r.Err)
	}
	_ = x.s.Close()
}
