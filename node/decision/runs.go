package decision

import (
	"encoding/binary"
	"errors"
	"fmt"
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
// 'd' entry per decision; a number no run holds is read from there.
const runLen = 16

func runOf(n uint64) uint64 { return (n - 1) / runLen }

// addDecision appends decision n to its run, in the apply transaction.
func (r rules) addDecision(n uint64, raw []byte) error {
	key := runKey(runOf(n))
	run, ok, err := r.get(key)
	if err != nil {
		return err
	}
	if !ok {
		run = binary.AppendUvarint(nil, n)
	} else if first, count, err := runSpan(run); err != nil || first+count != n {
		return errors.Join(err, fmt.Errorf("decision %d does not follow run %d", n, runOf(n)))
	}
	run = binary.AppendUvarint(run, uint64(len(raw)))
	return r.txn.Set(key, append(run, raw...))
}

// decision returns decision n's bytes.
func (r rules) decision(n uint64) ([]byte, bool, error) {
	run, ok, err := r.get(runKey(runOf(n)))
	if err != nil {
		return nil, false, err
	}
	if ok {
		raws, first, err := splitRun(run)
		if err != nil {
			return nil, false, fmt.Errorf("run %d: %w", runOf(n), err)
		}
		if n >= first && n < first+uint64(len(raws)) {
			return raws[n-first], true, nil
		}
	}
	return r.get(decisionKey(n))
}

// decisions returns decisions from through to, reading each run once.
func (r rules) decisions(from, to uint64) ([][]byte, error) {
	var out [][]byte
	for n := from; n <= to; {
		run, ok, err := r.get(runKey(runOf(n)))
		if err != nil {
			return nil, err
		}
		var raws [][]byte
		first := n
		if ok {
			if raws, first, err = splitRun(run); err != nil {
				return nil, fmt.Errorf("run %d: %w", runOf(n), err)
			}
		}
		if n < first || n >= first+uint64(len(raws)) {
			b, ok, err := r.get(decisionKey(n)) // stored before runs
			if err != nil || !ok {
				return nil, errors.Join(err, fmt.Errorf("decision %d not found", n))
			}
			out, n = append(out, b), n+1
			continue
		}
		for ; n <= to && n < first+uint64(len(raws)); n++ {
			out = append(out, raws[n-first])
		}
	}
	return out, nil
}

// runSpan reads a run's first number and counts its decisions.
func runSpan(run []byte) (first, count uint64, err error) {
	raws, first, err := splitRun(run)
	return first, uint64(len(raws)), err
}

// splitRun decodes a run into its decisions' bytes (aliasing run).
func splitRun(run []byte) ([][]byte, uint64, error) {
	first, n := binary.Uvarint(run)
	if n <= 0 || first == 0 {
		return nil, 0, errors.New("bad run header")
	}
	var raws [][]byte
	for rest := run[n:]; len(rest) > 0; {
		size, m := binary.Uvarint(rest)
		if m <= 0 || size > uint64(len(rest)-m) {
			return nil, 0, errors.New("truncated run")
		}
		raws = append(raws, rest[m:m+int(size)])
		rest = rest[m+int(size):]
	}
	return raws, first, nil
}
