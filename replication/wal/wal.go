package wal

import (
	"crypto/cipher"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/hashicorp/raft"
)

// Log is Raft's log and stable store in plain files (raft.LogStore,
// raft.MonotonicLogStore and raft.StableStore): the log in segment files
// of about 64 MiB, each StoreLogs batch one write and one fdatasync (a
// leader's left to its syncer, sync.go) into space preallocated when the
// segment was made, so the sync has no file size to journal. It replaces
// LogStore (badger), whose write path cost a stored entry 1.5 to 2 times a
// bare synced write, on the latency of every decision: the leader's and a
// follower's StoreLogs run in sequence.
//
// With a key every record and the stable file are sealed with AES-GCM
// under a key derived from it; the meta file says which, so a log opens
// only with the setting it was created with. See segment.go for the
// formats.
type Log struct {
	dir     string
	aead    cipher.AEAD // nil in clear
	segSize int64

	wmu    sync.Mutex // serialises the writers (StoreLogs, DeleteRange, Close)
	broken error      // after a failed write the files are unknown until a reopen
	closed bool

	mu          sync.RWMutex // guards the view GetLog reads, changed under wmu too
	segs        []*segment
	first, last uint64 // 0, 0 when the log is empty

	smu    sync.Mutex // guards the stable store
	stable map[string][]byte

	// The leader's deferred sync (sync.go): leads, dirty and gen are
	// under wmu.
	leads      func() bool
	beforeSync func()
	dirty      []*segment // written since their last sync
	gen        uint64     // bumped when the tail is cut
	dur        durability
	syncReq    chan struct{}
	syncDone   chan struct{}

	removals chan removal // compacted prefixes to persist and delete (remover)
	pending  sync.WaitGroup
	done     chan struct{}
	bgErr    error // the remover's first failure, reported by Close
}

// File names in a WAL's directory besides the segments.
const (
	walMetaFile   = "meta"   // format, and whether and with what key it is sealed
	walFirstFile  = "first"  // the log's first index, 0 when it is empty
	walStableFile = "stable" // raft's stable keys
)

// ErrClosed is what a call on a closed log, and a wait for its durable
// mark that Close ended, return.
var ErrClosed = errors.New("raft wal closed")

// Options tune a log; the zero value is what a node runs.
type Options struct {
	// SegmentSize is the size segment files are made with (default
	// DefaultSegmentSize); tests want small ones.
	SegmentSize int64
	// BeforeSync, if set, runs in the syncer before each flush: a test
	// holds it to see a leader whose disk lags its log.
	BeforeSync func()
}

// Open opens or creates the log in dir, sealed with key (16, 24 or 32
// bytes) when it is set: the entries are decisions with NIKs and biodata.
// A log created with a key opens only with that key, and one created
// without a key does not open with one. A torn last write is dropped;
// any other damage is an error.
func Open(dir string, key []byte, opt Options) (*Log, error) {
	if opt.SegmentSize == 0 {
		opt.SegmentSize = DefaultSegmentSize
	}
	w, err := loadWAL(dir, key, opt)
	if err != nil {
		return nil, fmt.Errorf("open raft wal %s: %w", dir, err)
	}
	go w.remover()
	go w.syncer()
	return w, nil
}

func loadWAL(dir string, key []byte, opt Options) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	aead, err := openMeta(dir, key)
	if err != nil {
		return nil, err
	}
	w := &Log{dir: dir, aead: aead, segSize: opt.SegmentSize, beforeSync: opt.BeforeSync,
		removals: make(chan removal, 16), done: make(chan struct{}),
		syncReq: make(chan struct{}, 1), syncDone: make(chan struct{})}
	w.dur.changed = sync.NewCond(&w.dur.mu)
	if w.stable, err = readStable(dir, aead); err != nil {
		return nil, err
	}
	if err := w.loadLog(); err != nil {
		w.closeSegments()
		return nil, err
	}
	// A leader killed before its syncer ran left writes in the page cache
	// that this open reads as the log: they are made durable here, before
	// anything is applied from them.
	if err := syncSegments(w.segs); err != nil {
		w.closeSegments()
		return nil, err
	}
	w.dur.index = w.last
	return w, nil
}

// loadLog finds the log in the segment files and makes the tail writable.
func (w *Log) loadLog() error {
	first, ok, err := readFirst(w.dir)
	if err != nil {
		return err
	}
	bases, err := listSegments(w.dir)
	if err != nil {
		return err
	}
	if !ok && len(bases) > 0 {
		return fmt.Errorf("%w: segments without a %s file", ErrCorrupt, walFirstFile)
	}
	if first == 0 {
		// Leftovers of a log deleted whole, or of a first write that never
		// returned (first is written once it is synced).
		return removeSegments(w.dir, bases)
	}
	// Segments wholly below first are a compaction the crash interrupted.
	k := 0
	for k+1 < len(bases) && bases[k+1] <= first {
		k++
	}
	if len(bases) == 0 || bases[k] > first {
		return fmt.Errorf("%w: no segment holds the first index %d", ErrCorrupt, first)
	}
	if err := w.scanSegments(bases[k:]); err != nil {
		return err
	}
	tail := w.segs[len(w.segs)-1]
	if tail.last() < first {
		return fmt.Errorf("%w: the log ends at %d, before its first index %d", ErrCorrupt, tail.last(), first)
	}
	w.first, w.last = first, tail.last()
	// Zero what follows the tail, so later writes never leave old bytes
	// behind them for a reopen to read as records.
	if err := cutSegment(tail, tail.end, w.segSize); err != nil {
		return err
	}
	return removeSegments(w.dir, bases[:k])
}

// scanSegments opens and reads the segments, which must continue each
// other; only the last may end in a torn write.
func (w *Log) scanSegments(bases []uint64) error {
	for i, base := range bases {
		seg, err := openSegmentFile(w.dir, base)
		if err != nil {
			return err
		}
		w.segs = append(w.segs, seg)
		if i > 0 && w.segs[i-1].last()+1 != base {
			return fmt.Errorf("%w: %s follows a segment ending at %d", ErrCorrupt, segmentName(base), w.segs[i-1].last())
		}
		if err := scanSegment(seg, i == len(bases)-1); err != nil {
			return err
		}
	}
	return nil
}

func removeSegments(dir string, bases []uint64) error {
	for _, b := range bases {
		if err := os.Remove(filepath.Join(dir, segmentName(b))); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if len(bases) == 0 {
		return nil
	}
	return syncDir(dir)
}

// Close waits for the removal of compacted segments and closes the files.
func (w *Log) Close() error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if w.closed {
		return nil
	}
	w.closed = true
	close(w.removals)
	<-w.done
	// The syncer's last round takes wmu: let it run.
	close(w.syncReq)
	w.wmu.Unlock()
	<-w.syncDone
	w.wmu.Lock()
	err := w.syncNow(nil)
	if err == nil {
		w.setDurable(w.last, false)
	}
	w.failDurable(ErrClosed)
	w.mu.Lock()
	defer w.mu.Unlock()
	err = errors.Join(err, w.closeSegments())
	w.segs, w.first, w.last = nil, 0, 0
	return errors.Join(w.bgErr, err)
}

func (w *Log) closeSegments() error {
	var errs []error
	for _, s := range w.segs {
		errs = append(errs, s.f.Close())
	}
	return errors.Join(errs...)
}

// FirstIndex implements raft.LogStore.
func (w *Log) FirstIndex() (uint64, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.first, nil
}

// LastIndex implements raft.LogStore.
func (w *Log) LastIndex() (uint64, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.last, nil
}

// GetLog implements raft.LogStore.
func (w *Log) GetLog(index uint64, out *raft.Log) error {
	rec, err := w.readRecord(index)
	if err != nil {
		return err
	}
	got, body, err := checkRecord(rec)
	if err == nil && got != index {
		err = fmt.Errorf("record %d found for %d", got, index)
	}
	if err == nil {
		body, err = w.openBody(index, body)
	}
	if err != nil {
		return fmt.Errorf("raft wal: log %d: %w", index, err)
	}
	return decodeLog(index, body, out)
}

// readRecord reads index's record. The read lock keeps its file open.
func (w *Log) readRecord(index uint64) ([]byte, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if index < w.first || index > w.last || w.first == 0 {
		return nil, raft.ErrLogNotFound
	}
	k := sort.Search(len(w.segs), func(i int) bool { return w.segs[i].base > index }) - 1
	seg := w.segs[k]
	off, end := seg.extent(index)
	rec := make([]byte, end-off)
	if _, err := seg.f.ReadAt(rec, off); err != nil {
		return nil, fmt.Errorf("raft wal: read log %d: %w", index, err)
	}
	return rec, nil
}

// IsMonotonic implements raft.MonotonicLogStore: the log has no gaps, so
// after installing a snapshot raft must empty it (DeleteRange of all of
// it) and start again after the snapshot, rather than keep old entries
// and append past a gap, which StoreLogs refuses.
func (w *Log) IsMonotonic() bool { return true }

// StoreLog implements raft.LogStore.
func (w *Log) StoreLog(l *raft.Log) error { return w.StoreLogs([]*raft.Log{l}) }

// StoreLogs implements raft.LogStore: the batch is on disk, in one write
// and one fdatasync, before it returns, except a leader's commands, whose
// sync the syncer does (sync.go). It must continue the log, or, on an
// empty log, may start at any index (after a snapshot was installed).
func (w *Log) StoreLogs(logs []*raft.Log) error {
	if len(logs) == 0 {
		return nil
	}
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if err := w.writable(); err != nil {
		return err
	}
	if err := w.checkAppend(logs); err != nil {
		return err
	}
	buf, rel, err := w.encodeBatch(logs)
	if err != nil {
		return err
	}
	if err := w.appendBatch(logs[0].Index, buf, rel, !w.defers(logs)); err != nil {
		w.broken = err
		w.failDurable(err)
		return err
	}
	return nil
}

func (w *Log) writable() error {
	if w.closed {
		return ErrClosed
	}
	if w.broken != nil {
		return fmt.Errorf("raft wal %s failed earlier, reopen it: %w", w.dir, w.broken)
	}
	return nil
}

func (w *Log) checkAppend(logs []*raft.Log) error {
	next := w.last + 1
	if w.last == 0 {
		next = max(logs[0].Index, 1) // an empty log starts anywhere but 0
	}
	for i, l := range logs {
		if l.Index != next+uint64(i) {
			return fmt.Errorf("raft wal: store log %d: the log needs %d next", l.Index, next+uint64(i))
		}
	}
	return nil
}

// encodeBatch returns the batch's records and where each starts in them.
func (w *Log) encodeBatch(logs []*raft.Log) ([]byte, []uint32, error) {
	var buf []byte
	rel := make([]uint32, len(logs))
	for i, l := range logs {
		rel[i] = uint32(len(buf))
		buf = appendRecord(buf, l.Index, i == 0, func(b []byte) []byte {
			return w.sealBody(b, l.Index, encodeLog(l))
		})
		if len(buf) > walRecMaxLen {
			return nil, nil, fmt.Errorf("raft wal: store logs %d-%d: batch over %d bytes", logs[0].Index, l.Index, walRecMaxLen)
		}
	}
	return buf, rel, nil
}

// appendBatch writes buf at the tail, synced or left to the syncer, then
// shows its records.
func (w *Log) appendBatch(index uint64, buf []byte, rel []uint32, synced bool) error {
	seg, fresh, err := w.tailFor(index, int64(len(buf)))
	if err != nil {
		return fmt.Errorf("raft wal: new segment at %d: %w", index, err)
	}
	_, err = seg.f.WriteAt(buf, seg.end)
	if err == nil && synced {
		err = w.syncNow(seg)
	}
	if err == nil && w.last == 0 {
		err = writeFirst(w.dir, index) // after the entries, see loadLog
	}
	if err != nil {
		if fresh {
			seg.f.Close()
		}
		return fmt.Errorf("raft wal: store logs from %d: %w", index, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if fresh {
		w.segs = append(w.segs, seg)
	}
	for _, r := range rel {
		seg.offs = append(seg.offs, uint32(seg.end)+r)
	}
	seg.end += int64(len(buf))
	if w.first == 0 {
		w.first = index
	}
	w.last = index + uint64(len(rel)) - 1
	if synced {
		w.setDurable(w.last, false)
	} else {
		w.markDirty(seg)
	}
	return nil
}

// tailFor returns the segment n bytes for index go to: the last one,
// unless they would overflow it.
func (w *Log) tailFor(index uint64, n int64) (seg *segment, fresh bool, err error) {
	if k := len(w.segs); k > 0 {
		seg = w.segs[k-1]
		if seg.end == 0 || seg.end+n <= w.segSize {
			return seg, false, nil
		}
	}
	seg, err = createSegment(w.dir, index, w.segSize)
	return seg, err == nil, err
}

// sealBody appends plain, sealed when the log has a key: a fresh random
// nonce per record, and the index as additional data, so a record moved
// to another place in the log does not open.
func (w *Log) sealBody(buf []byte, index uint64, plain []byte) []byte {
	if w.aead == nil {
		return append(buf, plain...)
	}
	return sealWith(w.aead, buf, plain, binary.BigEndian.AppendUint64(nil, index))
}

func (w *Log) openBody(index uint64, body []byte) ([]byte, error) {
	if w.aead == nil {
		return body, nil
	}
	plain, err := openWith(w.aead, body, binary.BigEndian.AppendUint64(nil, index))
	if err != nil {
		return nil, fmt.Errorf("unseal: %w", err)
	}
	return plain, nil
}

// DeleteRange implements raft.LogStore. Raft deletes a prefix after a
// snapshot, a conflicting tail a new leader overwrites, or everything
// before it installs a snapshot; a range in the middle is refused.
func (w *Log) DeleteRange(from, to uint64) error {
	w.wmu.Lock()
	defer w.wmu.Unlock()
	if err := w.writable(); err != nil {
		return err
	}
	lo, hi := max(from, w.first), min(to, w.last)
	var err error
	switch {
	case w.last == 0 || lo > hi:
		return nil
	case lo == w.first && hi == w.last:
		err = w.cut(w.reset, 0)
	case lo == w.first:
		w.compact(hi)
	case hi == w.last:
		err = w.cut(func() error { return w.truncate(lo) }, lo-1)
	default:
		return fmt.Errorf("raft wal: delete logs %d-%d: only a prefix or a suffix of %d-%d", from, to, w.first, w.last)
	}
	if err != nil {
		w.broken = err
		return fmt.Errorf("raft wal: delete logs %d-%d: %w", from, to, err)
	}
	return nil
}

// cut runs a deletion of the log's tail, after which the log ends at
// last. Everything written is synced first, so the mark is exact after it
// and a syncer round that started before it (gen) counts for nothing.
func (w *Log) cut(del func() error, last uint64) error {
	if err := w.syncNow(nil); err != nil {
		return err
	}
	w.gen++
	if err := del(); err != nil {
		return err
	}
	w.setDurable(last, true)
	return nil
}

// removal is a compacted prefix for the remover: the new first index to
// persist, then the segments wholly below it to delete.
type removal struct {
	first uint64
	segs  []*segment
}

// compact drops the entries up to hi at once for Raft; persisting the new
// first index and deleting the files (a few fsyncs) is left to the remover,
// so StoreLogs does not wait behind it. A crash before it finishes shows
// the old prefix again, which the next compaction deletes.
func (w *Log) compact(hi uint64) {
	w.mu.Lock()
	w.first = hi + 1
	k := 0
	for k+1 < len(w.segs) && w.segs[k+1].base <= w.first {
		k++
	}
	gone := w.segs[:k:k]
	w.segs = w.segs[k:]
	w.mu.Unlock()
	w.pending.Add(1)
	w.removals <- removal{first: hi + 1, segs: gone}
}

func (w *Log) remover() {
	defer close(w.done)
	for r := range w.removals {
		if err := w.removeCompacted(r); err != nil && w.bgErr == nil {
			w.bgErr = fmt.Errorf("raft wal: compact to %d: %w", r.first, err)
		}
		w.pending.Done()
	}
}

// removeCompacted persists the first index before the files go: a reopen
// must not look for it in a deleted segment.
func (w *Log) removeCompacted(r removal) error {
	var errs []error
	for _, s := range r.segs {
		errs = append(errs, s.f.Close())
	}
	if err := writeFirst(w.dir, r.first); err != nil {
		return errors.Join(append(errs, err)...) // the files stay, for the first index on disk
	}
	bases := make([]uint64, len(r.segs))
	for i, s := range r.segs {
		bases[i] = s.base
	}
	return errors.Join(append(errs, removeSegments(w.dir, bases))...)
}

// truncate deletes the tail from lo on, durably before it returns: the
// next StoreLogs writes over it, and a reopen must find neither the old
// tail nor a mix. Later segments go last first, so a crash leaves a prefix
// of the old log; the segment holding lo is cut there.
func (w *Log) truncate(lo uint64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	k := sort.Search(len(w.segs), func(i int) bool { return w.segs[i].base > lo }) - 1
	for len(w.segs) > k+1 {
		s := w.segs[len(w.segs)-1]
		w.segs = w.segs[:len(w.segs)-1]
		s.f.Close()
		if err := removeSegments(w.dir, []uint64{s.base}); err != nil {
			return err
		}
	}
	seg := w.segs[k]
	n := lo - seg.base
	off := seg.end
	if n < uint64(len(seg.offs)) {
		off = int64(seg.offs[n])
	}
	seg.offs = seg.offs[:n]
	w.last = lo - 1
	return cutSegment(seg, off, w.segSize)
}

// reset empties the log; the next StoreLogs may start at any index. The
// empty first index is persisted before the files go, so a crash between
// leaves segments that the reopen deletes rather than a log with holes.
func (w *Log) reset() error {
	w.pending.Wait() // the remover writes the first index too
	if err := writeFirst(w.dir, 0); err != nil {
		return err
	}
	w.mu.Lock()
	segs := w.segs
	w.segs, w.first, w.last = nil, 0, 0
	w.mu.Unlock()
	bases := make([]uint64, len(segs))
	for i, s := range segs {
		s.f.Close()
		bases[i] = s.base
	}
	return removeSegments(w.dir, bases)
}
