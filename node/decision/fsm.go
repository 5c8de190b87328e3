package decision

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// FSM applies dinas commands. It implements raft.BatchingFSM: a batch of
// entries is decided and committed in one badger transaction.
//
// The machine's state is derived data: the Raft log (fsynced) and its
// snapshots are the record. So the state lives in a badger of its own whose
// writes are not fsynced (OpenDB), as etcd's backend is: a power cut may
// lose the last applied batches, but the applied index rolls back with them
// (same transaction), and Raft applies those entries again on restart, or
// restores a snapshot when the state fell behind it. Keeping the fsync off
// the apply path halves the disk flushes per decision.
type FSM struct {
	db *badger.DB
	// Applied is told after every committed batch (the publisher wakes).
	Applied func()

	mu sync.Mutex // guards t against readers
	t  tally
}

// tally is the machine's counters, stored under keyApplied in the same
// transaction as the state they count.
type tally struct {
	applied   uint64 // the last applied Raft index
	decisions uint64 // decisions taken, numbered 1..decisions
	sealed    uint64 // decisions 1..sealed are in closed blocks
	blocks    uint64 // closed blocks, numbered 1..blocks
	open      uint64 // bytes of the decisions after sealed
}

func (t tally) marshal() []byte {
	b := make([]byte, 0, 40)
	for _, v := range []uint64{t.applied, t.decisions, t.sealed, t.blocks, t.open} {
		b = binary.BigEndian.AppendUint64(b, v)
	}
	return b
}

func parseTally(b []byte) (tally, bool) {
	if len(b) != 40 {
		return tally{}, false
	}
	u := func(i int) uint64 { return binary.BigEndian.Uint64(b[8*i:]) }
	return tally{applied: u(0), decisions: u(1), sealed: u(2), blocks: u(3), open: u(4)}, true
}

// OpenDB opens the machine's state store in dir: badger without synced
// writes (see FSM), encrypted with key when it is set. Its memtables are
// 64 MiB, about 60,000 decisions: with 4 MiB ones a burst of decisions
// filled level 0 faster than two busy cores compacted it, and badger held
// every write (so every decision) until it had, which was the p99 of the
// 256-client benchmark (190-340 ms against 54-93 ms with 64 MiB). Two of
// them bound the memory to what one flushes while the other fills.
func OpenDB(dir string, key []byte) (*badger.DB, error) {
	opt := badger.DefaultOptions(dir).WithSyncWrites(false).WithLogger(nil).
		WithNumVersionsToKeep(1).WithMemTableSize(64 << 20).WithNumMemtables(2).WithValueThreshold(256 << 10).WithValueLogFileSize(64 << 20).
		WithBlockCacheSize(16 << 20).WithIndexCacheSize(8 << 20).
		WithNumCompactors(2).WithDetectConflicts(false)
	if len(key) > 0 {
		opt = opt.WithEncryptionKey(key)
	}
	db, err := badger.Open(opt)
	if err != nil {
		return nil, fmt.Errorf("open decision state %s: %w", dir, err)
	}
	return db, nil
}

// NewFSM opens the machine's state in db.
func NewFSM(db *badger.DB) (*FSM, error) {
	f := &FSM{db: db}
	err := db.View(func(txn *badger.Txn) error {
		v, ok, err := rules{txn}.get(keyApplied)
		if ok {
			if f.t, ok = parseTally(v); !ok {
				return fmt.Errorf("decision state: bad counters (%d bytes)", len(v))
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return f, indexSubjects(db)
}

// Counts returns the last applied Raft index and the number of decisions.
func (f *FSM) Counts() (applied, decisions uint64) {
	t := f.tally()
	return t.applied, t.decisions
}

// Blocks returns the number of closed blocks and of the decisions in them.
func (f *FSM) Blocks() (blocks, sealed uint64) {
	t := f.tally()
	return t.blocks, t.sealed
}

func (f *FSM) tally() tally {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// Apply implements raft.FSM.
func (f *FSM) Apply(l *raft.Log) any { return f.ApplyBatch([]*raft.Log{l})[0] }

// ApplyBatch implements raft.BatchingFSM. Each response is the decision's
// bytes, or an error for a command that could not be decoded or stored.
func (f *FSM) ApplyBatch(logs []*raft.Log) []any {
	out := make([]any, len(logs))
	t := f.tally()
	applied := t.applied
	txn := f.db.NewTransaction(true)
	defer txn.Discard()
	for i, l := range logs {
		if l.Type != raft.LogCommand {
			continue
		}
		out[i] = f.applyOne(txn, l, applied, &t)
	}
	t.applied = logs[len(logs)-1].Index
	if t.applied <= applied {
		return out // replayed after a restart: the effects are already here
	}
	if err := txn.Set(keyApplied, t.marshal()); err != nil {
		return fill(out, err)
	}
	if err := txn.Commit(); err != nil {
		return fill(out, fmt.Errorf("commit decisions: %w", err))
	}
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
	if f.Applied != nil {
		f.Applied()
	}
	return out
}

func fill(out []any, err error) []any {
	for i := range out {
		out[i] = err
	}
	return out
}

// applyOne decides one command, or returns the decision its key already
// has: a re-proposal after a leader change decides nothing twice.
func (f *FSM) applyOne(txn *badger.Txn, l *raft.Log, applied uint64, t *tally) any {
	cmd := &eventpb.Command{}
	if err := proto.Unmarshal(l.Data, cmd); err != nil {
		return fmt.Errorf("bad command at index %d: %v", l.Index, err)
	}
	if cmd.GetSeal() != nil {
		if l.Index <= applied {
			return nil
		}
		return sealBlock(txn, t)
	}
	if cmd.Key == "" {
		return fmt.Errorf("bad command at index %d: no key", l.Index)
	}
	r := rules{txn}
	if n, ok, err := r.get(keyOf(cmd.Key)); err != nil || ok {
		if err != nil {
			return err
		}
		b, _, err := r.decision(binary.BigEndian.Uint64(n))
		if err != nil {
			return err
		}
		return b
	}
	if l.Index <= applied {
		return fmt.Errorf("entry %d applied before but its key %q is unknown", l.Index, cmd.Key)
	}
	t.decisions++
	d := &eventpb.Decision{Number: t.decisions, Key: cmd.Key, TimeMs: cmd.TimeMs, Command: cmd}
	if err := r.decide(cmd, d); err != nil {
		return err
	}
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(d)
	if err != nil {
		return err
	}
	if err := r.addDecision(d.Number, b); err != nil {
		return err
	}
	if err := txn.Set(keyOf(cmd.Key), u64(d.Number)); err != nil {
		return err
	}
	if t.open += uint64(len(b)); t.decisions-t.sealed >= maxBlockDecisions || t.open >= maxBlockBytes {
		if err := sealBlock(txn, t); err != nil {
			return err
		}
	}
	return b
}

// A block closes at these sizes even without a Seal, so a published event
// stays well under event.MaxPayload.
const (
	maxBlockDecisions = 256
	maxBlockBytes     = 64 << 10
)

// sealBlock closes a block of every decision not yet in one, if any.
func sealBlock(txn *badger.Txn, t *tally) error {
	if t.decisions == t.sealed {
		return nil
	}
	t.blocks++
	t.sealed, t.open = t.decisions, 0
	return txn.Set(blockKey(t.blocks), u64(t.sealed))
}

// Block returns the decisions of closed block n, in number order.
func (f *FSM) Block(n uint64) ([]*eventpb.Decision, error) {
	raws, err := f.BlockRaw(n)
	if err != nil {
		return nil, err
	}
	return decodeAll(raws)
}

// BlockRaw returns the stored bytes of closed block n's decisions.
func (f *FSM) BlockRaw(n uint64) ([][]byte, error) {
	var out [][]byte
	err := f.db.View(func(txn *badger.Txn) error {
		r := rules{txn}
		to, err := r.getU64(blockKey(n), 0)
		if err != nil || to == 0 {
			return errors.Join(err, fmt.Errorf("block %d not found", n))
		}
		from, err := r.getU64(blockKey(n-1), 0)
		if err != nil {
			return err
		}
		out, err = r.decisions(from+1, to)
		return err
	})
	return out, err
}

// Decisions returns decisions from through to, in number order, read in
// one transaction.
func (f *FSM) Decisions(from, to uint64) ([]*eventpb.Decision, error) {
	var raws [][]byte
	err := f.db.View(func(txn *badger.Txn) error {
		var err error
		raws, err = rules{txn}.decisions(from, to)
		return err
	})
	if err != nil {
		return nil, err
	}
	return decodeAll(raws)
}

func decodeAll(raws [][]byte) ([]*eventpb.Decision, error) {
	out := make([]*eventpb.Decision, len(raws))
	for i, b := range raws {
		out[i] = &eventpb.Decision{}
		if err := proto.Unmarshal(b, out[i]); err != nil {
			return nil, fmt.Errorf("decision: %w", err)
		}
	}
	return out, nil
}

// Snapshot implements raft.FSM: a consistent read view of the machine's
// keys, streamed while applies go on.
func (f *FSM) Snapshot() (raft.FSMSnapshot, error) {
	return &snapshot{txn: f.db.NewTransaction(false)}, nil
}

type snapshot struct{ txn *badger.Txn }

// Persist writes the state at half speed at most: a snapshot of a year's
// decisions is hundreds of thousands of keys, and at full speed it took a
// core from the decisions being applied meanwhile (a latency spike on each
// snapshot). Raft keeps its log until the snapshot is done, so a slower one
// costs nothing but log space.
func (s *snapshot) Persist(sink raft.SnapshotSink) error {
	w := bufio.NewWriter(sink)
	it := s.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}, PrefetchValues: true})
	defer it.Close()
	chunk, n := time.Now(), 0
	for it.Rewind(); it.Valid(); it.Next() {
		if n++; n%4096 == 0 {
			time.Sleep(time.Since(chunk))
			chunk = time.Now()
		}
		v, err := it.Item().ValueCopy(nil)
		if err != nil {
			sink.Cancel()
			return err
		}
		writeKV(w, it.Item().Key(), v)
	}
	if err := w.Flush(); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (s *snapshot) Release() { s.txn.Discard() }

func writeKV(w *bufio.Writer, key, val []byte) {
	w.Write(binary.AppendUvarint(nil, uint64(len(key))))
	w.Write(key)
	w.Write(binary.AppendUvarint(nil, uint64(len(val))))
	w.Write(val)
}

// Restore implements raft.FSM. A node whose own state is already at or past
// the snapshot (restarted, not lagging) keeps it.
func (f *FSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	kvs, err := readKVs(bufio.NewReader(rc))
	if err != nil {
		return fmt.Errorf("restore decisions: %w", err)
	}
	var snap tally
	for _, kv := range kvs {
		if string(kv[0]) == string(keyApplied) {
			var ok bool
			if snap, ok = parseTally(kv[1]); !ok {
				return fmt.Errorf("restore decisions: bad counters (%d bytes)", len(kv[1]))
			}
		}
	}
	if applied, _ := f.Counts(); applied >= snap.applied {
		return nil
	}
	if err := f.db.DropPrefix([]byte{prefix}); err != nil {
		return err
	}
	wb := f.db.NewWriteBatch()
	for _, kv := range kvs {
		if err := wb.Set(kv[0], kv[1]); err != nil {
			wb.Cancel()
			return err
		}
	}
	if err := wb.Flush(); err != nil {
		return err
	}
	if err := indexSubjects(f.db); err != nil {
		return err
	}
	f.mu.Lock()
	f.t = snap
	f.mu.Unlock()
	if f.Applied != nil {
		f.Applied()
	}
	return nil
}

func readKVs(r *bufio.Reader) ([][2][]byte, error) {
	var out [][2][]byte
	for {
		var kv [2][]byte
		for i := range kv {
			n, err := binary.ReadUvarint(r)
			if errors.Is(err, io.EOF) && i == 0 {
				return out, nil
			}
			if err != nil || n > 64<<20 {
				return nil, fmt.Errorf("corrupt snapshot (%v)", err)
			}
			kv[i] = make([]byte, n)
			if _, err := io.ReadFull(r, kv[i]); err != nil {
				return nil, err
			}
		}
		out = append(out, kv)
	}
}
