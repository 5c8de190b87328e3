package wal

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/hashicorp/raft"
	"golang.org/x/sys/unix"
)

// The leader's deferred sync.
//
// hashicorp/raft's leader stores a batch before it sends it to the
// followers, so with every StoreLogs synced a decision waits for two disk
// flushes in sequence: the leader's, then a follower's. etcd's leader
// writes its log while the followers write theirs (Raft thesis, §10.2.1).
// The WAL does the same under raft: while the node leads, StoreLogs of
// commands writes the batch and returns, and the syncer goroutine flushes
// it, so raft sends the batch at once. Raft then counts the leader in the
// quorum for entries not yet on its disk; durable.go keeps that from being
// seen (the leader applies, and tells followers a commit index, only up to
// what its disk holds). Followers, configuration changes, no-ops, barriers
// and the first entries of an empty log are synced before StoreLogs
// returns, as before.

// durability is what the WAL's disk is known to hold.
type durability struct {
	mu      sync.Mutex
	changed *sync.Cond
	index   uint64 // every entry up to index is on disk
	err     error  // why no more will be (a failed sync, or the WAL closed)
}

// SetLeading gives the WAL the test for whether the node leads: while it
// returns true, StoreLogs defers the sync of a batch of commands. Raft
// stores both as leader (dispatchLogs) and as follower (appendEntries,
// after stepping down) from its main goroutine, which is also the one that
// changes its state, so the state at the call tells the two apart.
func (w *Log) SetLeading(leads func() bool) {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	w.leads = leads
}

// defers reports whether StoreLogs may leave logs unsynced.
func (w *Log) defers(logs []*raft.Log) bool {
	if w.leads == nil || w.last == 0 || !w.leads() {
		return false
	}
	for _, l := range logs {
		if l.Type != raft.LogCommand {
			return false
		}
	}
	return true
}

// Durable returns the last index known to be on disk.
func (w *Log) Durable() uint64 {
	w.dur.mu.Lock()
	defer w.dur.mu.Unlock()
	return w.dur.index
}

// WaitDurable waits until the entries up to index are on disk. It fails
// when a sync failed (the log is then unknown until a reopen) or the WAL
// closed before they were.
func (w *Log) WaitDurable(index uint64) error {
	d := &w.dur
	d.mu.Lock()
	defer d.mu.Unlock()
	for d.index < index && d.err == nil {
		d.changed.Wait()
	}
	if d.index >= index {
		return nil
	}
	return d.err
}

// setDurable records index as durable, or, with lower, as the new mark
// after a cut of the log's tail. Called under wmu.
func (w *Log) setDurable(index uint64, lower bool) {
	d := &w.dur
	d.mu.Lock()
	if lower || index > d.index {
		d.index = index
	}
	d.mu.Unlock()
	d.changed.Broadcast()
}

// failDurable stops every wait with err. Called under wmu.
func (w *Log) failDurable(err error) {
	d := &w.dur
	d.mu.Lock()
	if d.err == nil {
		d.err = err
	}
	d.mu.Unlock()
	d.changed.Broadcast()
}

// markDirty notes seg has a write to sync and wakes the syncer.
func (w *Log) markDirty(seg *segment) {
	if n := len(w.dirty); n == 0 || w.dirty[n-1] != seg {
		w.dirty = append(w.dirty, seg)
	}
	select {
	case w.syncReq <- struct{}{}:
	default: // a round is asked for already; it takes this write too
	}
}

// syncNow syncs the dirty segments and seg under wmu, for a synced
// StoreLogs, a cut of the tail, or Close.
func (w *Log) syncNow(seg *segment) error {
	segs := w.dirty
	if seg != nil && (len(segs) == 0 || segs[len(segs)-1] != seg) {
		segs = append(segs, seg)
	}
	if err := syncSegments(segs); err != nil {
		return err
	}
	w.dirty = nil
	return nil
}

// syncer flushes what deferred StoreLogs wrote, a round at a time: the
// writes that arrive during a flush go in the next, so under load one
// flush covers many batches. A round whose log was cut meanwhile (gen)
// leaves the mark to the cut, which synced everything first.
func (w *Log) syncer() {
	defer close(w.syncDone)
	for range w.syncReq {
		w.wmu.Lock()
		segs, target, gen := w.dirty, w.last, w.gen
		w.dirty = nil
		w.wmu.Unlock()
		if len(segs) == 0 {
			continue
		}
		if w.beforeSync != nil {
			w.beforeSync()
		}
		err := syncSegments(segs)
		w.wmu.Lock()
		switch {
		case w.gen != gen:
		case err != nil:
			w.broken = fmt.Errorf("raft wal: sync to %d: %w", target, err)
			w.failDurable(w.broken)
		default:
			w.setDurable(target, false)
		}
		w.wmu.Unlock()
	}
}

// syncSegments fdatasyncs each file. Control keeps the descriptor open
// while it is used, should a cut close the file meanwhile.
func syncSegments(segs []*segment) error {
	var errs []error
	for _, s := range segs {
		errs = append(errs, fdatasync(s.f))
	}
	return errors.Join(errs...)
}

func fdatasync(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = unix.Fdatasync(int(fd)) }); err != nil {
		return err
	}
	if serr != nil {
		return fmt.Errorf("fdatasync %s: %w", f.Name(), serr)
	}
	return nil
}
