package decision

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Decisions are stored in runs of runLen consecutive numbers, one badger
// entry per run, rewritten as the run fills: run c holds decisions
// c·runLen+1 … (c+1)·runLen. One entry per decision cost badger a write (and
// an AES key schedule in its encrypted memtable log) per decision on every
// dinas server, and the entries a decision writes set the cluster's speed
// under load. A run's bounds follow from the numbers alone, so every replica
// stores the same bytes whatever its Raft batches were.
//
// A run's value is the number of its first decision (uvarint), then each
// decision as uvarint length ‖ bytes. States from before runs keep one
// 'd' entry per decision; a number no run holds is read from there. The
// other way does not work: a server from before runs that installs a
// snapshot taken since cannot read its decisions, so upgrade every dinas
// server before a lagging one needs a snapshot.
//
// Eight, because a lone client's decisions rewrite their run one at a time:
// with 16 the rewrites made 26 % more garbage per decision than one entry
// each (BenchmarkApply, batch=1), with 8 about 3 %, while a loaded
// leader's batch of 256 writes 32 runs in place of 256 entries.
const runLen = 8

func runOf(n uint64) uint64 { return (n - 1) / runLen }

// addDecision appends decision n to its run, in the apply transaction. It
// allocates the new value once: a lone client's decisions rewrite their
// run one by one, and the garbage showed in its latency.
func (r rules) addDecision(n uint64, raw []byte) error {
	key := runKey(runOf(n))
	var run []byte
	item, err := r.txn.Get(key)
	switch {
	case errors.Is(err, badger.ErrKeyNotFound):
		run = binary.AppendUvarint(make([]byte, 0, 2*binary.MaxVarintLen64+len(raw)), n)
	case err != nil:
		return err
	default:
		err = item.Value(func(v []byte) error {
			if first, count, err := walkRun(v, nil); err != nil || first+count != n {
				return errors.Join(err, fmt.Errorf("decision %d does not follow run %d", n, runOf(n)))
			}
			run = append(make([]byte, 0, len(v)+binary.MaxVarintLen64+len(raw)), v...)
			return nil
		})
		if err != nil {
			return err
		}
	}
	run = binary.AppendUvarint(run, uint64(len(raw)))
	return r.txn.Set(key, append(run, raw...))
}

// decision returns decision n's bytes.
func (r rules) decision(n uint64) ([]byte, bool, error) {
	raws, first, err := r.run(runOf(n))
	if err != nil {
		return nil, false, err
	}
	if n >= first && n < first+uint64(len(raws)) {
		return raws[n-first], true, nil
	}
	return r.get(decisionKey(n)) // stored before runs
}

// decisions returns decisions from through to, reading each run once.
func (r rules) decisions(from, to uint64) ([][]byte, error) {
	var out [][]byte
	var raws [][]byte
	var first uint64
	for n, c := from, ^uint64(0); n <= to; n++ {
		if runOf(n) != c {
			c = runOf(n)
			var err error
			if raws, first, err = r.run(c); err != nil {
				return nil, err
			}
		}
		if n >= first && n < first+uint64(len(raws)) {
			out = append(out, raws[n-first])
			continue
		}
		b, ok, err := r.get(decisionKey(n)) // stored before runs
		if err != nil || !ok {
			return nil, errors.Join(err, fmt.Errorf("decision %d not found", n))
		}
		out = append(out, b)
	}
	return out, nil
}

// run returns run c's decisions and the number of its first; none when no
// run c is stored.
func (r rules) run(c uint64) ([][]byte, uint64, error) {
	run, ok, err := r.get(runKey(c))
	if err != nil || !ok {
		return nil, 0, err
	}
	raws, first, err := splitRun(run)
	if err != nil {
		return nil, 0, fmt.Errorf("run %d: %w", c, err)
	}
	return raws, first, nil
}

// splitRun decodes a run into its decisions' bytes (aliasing run).
func splitRun(run []byte) ([][]byte, uint64, error) {
	var raws [][]byte
	first, _, err := walkRun(run, func(raw []byte) { raws = append(raws, raw) })
	if err != nil {
		return nil, 0, err
	}
	return raws, first, nil
}

// walkRun reads a run's first number and calls fn, if set, with each
// decision's bytes in turn; it returns how many there are.
func walkRun(run []byte, fn func([]byte)) (first, count uint64, err error) {
	first, n := binary.Uvarint(run)
	if n <= 0 || first == 0 {
		return 0, 0, errors.New("bad run header")
	}
	for rest := run[n:]; len(rest) > 0; count++ {
		size, m := binary.Uvarint(rest)
		if m <= 0 || size > uint64(len(rest)-m) {
			return 0, 0, errors.New("truncated run")
		}
		if fn != nil {
			fn(rest[m : m+int(size)])
		}
		rest = rest[m+int(size):]
	}
	return first, count, nil
}
