package bundle

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// ImportOptions configure Import.
type ImportOptions struct {
	// Admit reports whether an origin is on the roster: pass the store's
	// own, so that an event the store would refuse refuses the bundle before
	// anything is written. Nil admits every origin.
	Admit func(peer.ID) bool
	// SpoolDir is where the bundle is staged while it is checked; a node
	// passes its own data directory so residents' data never lands in a
	// shared temp folder. Empty means os.TempDir().
	SpoolDir string
}

// ImportStats say what an import did.
type ImportStats struct {
	// Applied events are newly stored; Duplicates were already held.
	Applied, Duplicates int
	// Blobs are documents newly stored (ones already complete are skipped).
	Blobs int
	// From and Created come from the bundle's header.
	From    peer.ID
	Created time.Time
}

// Limits on one store transaction: badger refuses too large a one, and a
// frame may legally carry more than a store batch should. The store refolds
// every touched entity through an iterator that sorts the transaction's
// pending writes, so a batch costs about its size squared, while on disk
// each batch is an fsync; 128 events was fastest for 10k events on disk.
const (
	applyBytes  = 256 << 10
	applyEvents = 128
)

// Import reads a whole bundle from r and applies it to dst and blobs. It
// spools r to a temp file, checks the file and every event and document in
// it against dst, and only then writes, so a refused bundle changes nothing.
// blobs may be nil, and then documents are checked but not stored.
//
// Only a failure while writing (a disk error, a roster changed meanwhile)
// leaves part of a bundle applied; that is reported as ErrInterrupted, and
// importing the same file again completes it.
func Import(r io.Reader, dst Target, blobs Blobs, opt ImportOptions) (ImportStats, error) {
	sp, err := spool(r, opt.SpoolDir)
	if err != nil {
		return ImportStats{}, fmt.Errorf("import bundle: %w", err)
	}
	defer sp.close()
	hdr, err := verify(sp, dst, opt)
	st := ImportStats{From: hdr.Origin, Created: hdr.Created}
	if err != nil {
		return st, fmt.Errorf("import bundle: %w", err)
	}
	a := &applier{dst: dst, blobs: blobs, st: &st}
	if _, err := walk(sp.stream(), visitor{events: a.events, chunk: a.chunk}); err != nil {
		return st, fmt.Errorf("import bundle: %w after %d events and %d documents: %w",
			ErrInterrupted, st.Applied, st.Blobs, err)
	}
	return st, nil
}

// heldEvents is implemented by *store.Store. With it, an event the bundle
// shares with dst is compared before writing, so an equivocating origin
// refuses the bundle rather than one batch of it.
type heldEvents interface {
	Event(event.ID) (*event.Event, error)
}

// verify is the first pass: walk's checks of the file, then signatures,
// roster and, simulated against dst's vector, that every event would apply.
func verify(sp *spooled, dst Target, opt ImportOptions) (header, error) {
	have := dst.Vector()
	sim := maps.Clone(have)
	if sim == nil {
		sim = vv.Vector{}
	}
	c := &checker{ver: dst.Verifier(), admit: opt.Admit, have: have, sim: sim, last: vv.Vector{}}
	c.held, _ = dst.(heldEvents)
	return walk(sp.stream(), visitor{events: c.events})
}

type checker struct {
	ver   *event.Verifier
	admit func(peer.ID) bool
	held  heldEvents
	// have is dst before the import, sim dst after the bundle so far, last
	// each origin's latest sequence in the bundle.
	have, sim, last vv.Vector
}

func (c *checker) events(evs []*event.Event) error {
	if _, rej := c.ver.VerifyBatch(evs); len(rej) > 0 {
		return fmt.Errorf("%w: %v", ErrForged, rej[0].Err)
	}
	for _, e := range evs {
		if err := c.check(e); err != nil {
			return err
		}
	}
	return nil
}

// check mirrors the store's admission so that Apply will neither reject
// nor defer anything: each event is held already, or is its origin's next
// with every dep held or earlier in the bundle.
func (c *checker) check(e *event.Event) error {
	id := e.ID()
	if c.admit != nil && !c.admit(e.Origin) {
		return fmt.Errorf("%w: event %s", ErrNotAdmitted, id)
	}
	if e.Seq <= c.last[e.Origin] {
		return fmt.Errorf("%w: event %s out of sequence", ErrCorrupt, id)
	}
	c.last[e.Origin] = e.Seq
	if e.Seq <= c.have[e.Origin] {
		return c.same(e)
	}
	if e.Seq != c.sim[e.Origin]+1 {
		return fmt.Errorf("%w: event %s, but this node holds that office's events only up to %d",
			ErrGap, id, c.sim[e.Origin])
	}
	for _, d := range e.Deps {
		if !c.sim.Has(d.Origin, d.Seq) {
			return fmt.Errorf("%w: event %s needs %s, held neither here nor earlier in the bundle", ErrGap, id, d)
		}
	}
	c.sim[e.Origin] = e.Seq
	return nil
}

func (c *checker) same(e *event.Event) error {
	if c.held == nil {
		return nil
	}
	held, err := c.held.Event(e.ID())
	if err != nil {
		return fmt.Errorf("read held event %s: %w", e.ID(), err)
	}
	if !bytes.Equal(held.Marshal(), e.Marshal()) {
		return fmt.Errorf("%w: event %s differs from the copy this node holds: %w",
			ErrForged, e.ID(), store.ErrEquivocation)
	}
	return nil
}

// applier is the second pass: it writes what verify accepted.
type applier struct {
	dst   Target
	blobs Blobs
	st    *ImportStats
	// skip is set while passing over a document dst already holds.
	skip bool
}

func (a *applier) events(evs []*event.Event) error {
	for len(evs) > 0 {
		n := batchLen(evs)
		if err := a.apply(evs[:n]); err != nil {
			return err
		}
		evs = evs[n:]
	}
	return nil
}

// batchLen is how many of evs fit one store transaction.
func batchLen(evs []*event.Event) int {
	size := 0
	for i, e := range evs {
		size += len(e.Payload) + 256 // envelope, keys, index
		if i > 0 && (size > applyBytes || i >= applyEvents) {
			return i
		}
	}
	return len(evs)
}

// apply verifies again, because only VerifyBatch makes the Verified the
// store takes, and anything refused now means dst changed since verify.
func (a *applier) apply(evs []*event.Event) error {
	ok, rej := a.dst.Verifier().VerifyBatch(evs)
	if len(rej) > 0 {
		return fmt.Errorf("%w: %v", ErrForged, rej[0].Err)
	}
	res, err := a.dst.Apply(ok)
	if err != nil {
		return err
	}
	a.st.Applied += len(res.Applied)
	a.st.Duplicates += res.Duplicates
	if len(res.Rejected) > 0 {
		return fmt.Errorf("event %s refused: %w", res.Rejected[0].ID, res.Rejected[0].Err)
	}
	if res.Deferred > 0 {
		return fmt.Errorf("%w: %d events could not be applied in order", ErrGap, res.Deferred)
	}
	return nil
}

func (a *applier) chunk(c chunk) error {
	if a.blobs == nil {
		return nil
	}
	if c.Idx == 0 {
		info, err := a.blobs.Stat(c.Hash)
		if err != nil {
			return fmt.Errorf("document %s: %w", c.Hash, err)
		}
		a.skip = info.Complete
	}
	if a.skip {
		return nil
	}
	done, err := a.blobs.WriteChunk(c.Hash, c.Size, c.Idx, c.Data)
	if errors.Is(err, blob.ErrCorrupt) {
		return fmt.Errorf("%w: %w", ErrForged, err)
	}
	if err != nil {
		return fmt.Errorf("document %s: %w", c.Hash, err)
	}
	if done {
		a.st.Blobs++
	}
	return nil
}
