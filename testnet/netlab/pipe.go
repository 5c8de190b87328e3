package netlab

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sync"
	"time"
)

// maxInFlight bounds the packets a direction holds (in its buffer or in
// delay), so an unlimited-rate link with a long delay cannot eat memory.
const maxInFlight = 8192

// readBuf is large enough for any packet a TUN device hands over.
const readBuf = 65536

// pipe is one direction of a link: it reads packets from src, shapes them
// and writes them to dst when they are due.
type pipe struct {
	src   io.Reader // one packet per Read, as a TUN device gives them
	dst   io.Writer // one packet per Write
	clock Clock
	// blocked, if set, reports packets to drop as cut by destination
	// (partitions between two offices); it is called under mu.
	blocked func(pkt []byte) bool

	mu    sync.Mutex
	sh    *shaper
	queue packetHeap
	seq   uint64
	wake  chan struct{} // a packet was queued or the conditions changed
}

func newPipe(src io.Reader, dst io.Writer, c Conditions, rng *rand.Rand, clock Clock) *pipe {
	return &pipe{src: src, dst: dst, clock: clock, sh: newShaper(c, rng), wake: make(chan struct{}, 1)}
}

// run forwards until src fails (close it to stop) and ctx is done; the
// reader cannot be interrupted any other way, the writer can.
func (p *pipe) run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.writeLoop(ctx)
	}()
	err := p.readLoop()
	cancel()
	<-done
	if errors.Is(err, io.EOF) || errors.Is(err, errClosed) {
		return nil
	}
	return err
}

// readLoop admits packets as they arrive.
func (p *pipe) readLoop() error {
	buf := make([]byte, readBuf)
	for {
		n, err := p.src.Read(buf)
		if err != nil {
			return classifyReadErr(err)
		}
		p.admit(buf[:n])
	}
}

// admit shapes one packet and queues it if it is to be delivered.
func (p *pipe) admit(pkt []byte) {
	now := p.clock.Now()
	p.mu.Lock()
	blocked := p.blocked != nil && p.blocked(pkt)
	at, v := p.sh.admit(now, len(pkt), blocked)
	if v == deliver && len(p.queue) >= maxInFlight {
		p.sh.stats.DropQueue++
		v = dropQueue
	}
	if v == deliver {
		p.seq++
		heap.Push(&p.queue, packet{at: at, seq: p.seq, data: append([]byte(nil), pkt...)})
	}
	p.mu.Unlock()
	if v == deliver {
		p.poke()
	}
}

// poke wakes the writer without blocking.
func (p *pipe) poke() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// writeLoop sends packets when they are due, until ctx is done.
func (p *pipe) writeLoop(ctx context.Context) {
	for {
		pkt, wait, ok := p.next()
		if ok {
			p.send(pkt)
			continue
		}
		var timer <-chan time.Time
		stop := func() {}
		if wait > 0 {
			timer, stop = p.clock.After(wait)
		}
		select {
		case <-ctx.Done():
			stop()
			return
		case <-p.wake:
		case <-timer:
		}
		stop()
	}
}

// next pops a due packet, or says how long until one is due (0: none
// queued).
func (p *pipe) next() (packet, time.Duration, bool) {
	now := p.clock.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.queue) == 0 {
		return packet{}, 0, false
	}
	if head := p.queue[0]; head.at.After(now) {
		return packet{}, head.at.Sub(now), false
	}
	return heap.Pop(&p.queue).(packet), 0, true
}

// send writes a due packet unless the direction was cut while it was in
// flight, as a cable cut loses what is on the wire.
func (p *pipe) send(pkt packet) {
	p.mu.Lock()
	cut := p.sh.cond.Cut
	if cut {
		p.sh.stats.DropCut++
	}
	p.mu.Unlock()
	if cut {
		return
	}
	_, err := p.dst.Write(pkt.data)
	p.mu.Lock()
	if err != nil {
		p.sh.stats.WriteErrors++
	} else {
		p.sh.stats.SentPackets++
		p.sh.stats.SentBytes += uint64(len(pkt.data))
	}
	p.mu.Unlock()
}

// setConditions changes the shaping from the next packet on.
func (p *pipe) setConditions(c Conditions) {
	p.mu.Lock()
	p.sh.setConditions(c)
	p.mu.Unlock()
	p.poke()
}

func (p *pipe) conditions() Conditions {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sh.cond
}

func (p *pipe) stats() DirStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sh.stats
}

// errClosed marks a reader that was closed on purpose.
var errClosed = errors.New("netlab: link closed")

// classifyReadErr turns the error of a closed source into errClosed so run
// can tell a stop from a failure.
func classifyReadErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, os.ErrClosed) {
		return errClosed
	}
	return fmt.Errorf("netlab: read packet: %w", err)
}

// packet is a packet waiting to be delivered.
type packet struct {
	at   time.Time
	seq  uint64 // arrival order, to break ties in at
	data []byte
}

// packetHeap orders packets by delivery time, then arrival.
type packetHeap []packet

func (h packetHeap) Len() int { return len(h) }
func (h packetHeap) Less(i, j int) bool {
	if !h[i].at.Equal(h[j].at) {
		return h[i].at.Before(h[j].at)
	}
	return h[i].seq < h[j].seq
}
func (h packetHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *packetHeap) Push(x any)   { *h = append(*h, x.(packet)) }
func (h *packetHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = packet{}
	*h = old[:len(old)-1]
	return x
}
