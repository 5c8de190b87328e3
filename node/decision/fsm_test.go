package decision

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/dgraph-io/badger/v4"
	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"
	"pgregory.net/rapid"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

func openFSM(t interface {
	Fatal(...any)
	Cleanup(func())
}) *FSM {
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil).WithMemTableSize(8 << 20))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	f, err := NewFSM(db)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var regions = []string{"180601", "180602"}
var nodes = []string{"kecA", "kecB"}

// command draws a random command; keys repeat sometimes (re-proposals).
func command(t *rapid.T, i int) *eventpb.Command {
	key := fmt.Sprintf("k%d", rapid.IntRange(0, i).Draw(t, "key"))
	c := &eventpb.Command{Key: key, TimeMs: int64(1_700_000_000_000 + i)}
	region := rapid.SampledFrom(regions).Draw(t, "region")
	node := rapid.SampledFrom(nodes).Draw(t, "node")
	switch rapid.IntRange(0, 5).Draw(t, "op") {
	case 0: // subjects repeat under new keys too: a retried `decide nik`
		subject := fmt.Sprintf("s%d", rapid.IntRange(0, i).Draw(t, "subject"))
		c.Op = &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: region, BirthDate: "1990-08-17", Female: rapid.Bool().Draw(t, "f"), Subject: subject}}
	case 1:
		c.Op = &eventpb.Command_LeaseNikSlots{LeaseNikSlots: &eventpb.LeaseNIKSlots{Node: node, Region: region, Count: uint32(rapid.IntRange(1, 5).Draw(t, "count"))}}
	case 2:
		serial := rapid.IntRange(9980, 9999).Draw(t, "serial")
		subject := fmt.Sprintf("s%d", rapid.IntRange(0, i).Draw(t, "subject"))
		c.Op = &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: fmt.Sprintf("%s170890%04d", region, serial), Node: node, Subject: subject}}
	case 3:
		c.Op = &eventpb.Command_AllocateBlankSerials{AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "dinas", Count: 3}}
	case 4:
		c.Op = &eventpb.Command_IssueCard{IssueCard: &eventpb.IssueCard{Nik: fmt.Sprintf("1806011708900%03d", rapid.IntRange(1, 3).Draw(t, "nik")), BlankSerial: uint64(rapid.IntRange(1, 12).Draw(t, "blank"))}}
	case 5: // the leader closing the open block
		return &eventpb.Command{Op: &eventpb.Command_Seal{Seal: &eventpb.Seal{}}}
	}
	return c
}

func logs(t *rapid.T) []*raft.Log {
	n := rapid.IntRange(1, 60).Draw(t, "n")
	out := make([]*raft.Log, n)
	for i := range out {
		b, _ := proto.Marshal(command(t, i))
		out[i] = &raft.Log{Index: uint64(i + 1), Type: raft.LogCommand, Data: b}
	}
	return out
}

// applyIn applies logs in random batches, replaying some, as restarts do.
func applyIn(t *rapid.T, f *FSM, ls []*raft.Log, label string) {
	for i := 0; i < len(ls); {
		n := rapid.IntRange(1, len(ls)-i).Draw(t, label)
		f.ApplyBatch(ls[i : i+n])
		if rapid.Bool().Draw(t, label+"-replay") { // a restart replays the tail
			f.ApplyBatch(ls[max(0, i-2) : i+n])
		}
		i += n
	}
}

func TestSameLogSameState(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ls := logs(t)
		a, b := openFSM(t), openFSM(t)
		applyIn(t, a, ls, "a")
		applyIn(t, b, ls, "b")
		ha, _ := a.StateHash()
		hb, _ := b.StateHash()
		if ha != hb {
			t.Fatal("two replicas of the same log differ")
		}
		checkInvariants(t, a)
	})
}

// checkInvariants: no serial (so no NIK) given to two subjects, a subject
// asked for again is answered with the NIK it was given first, no blank
// used twice, each NIK's active card is a blank issued to it; the blocks
// hold every sealed decision once, in order.
func checkInvariants(t *rapid.T, f *FSM) {
	checkBlocks(t, f)
	blanks := map[uint64]string{}
	niks := map[string]string{}  // NIK → the subject it was given to
	holds := map[string]string{} // subject → the NIK it was given first
	_, total := f.Counts()
	ds, err := f.Decisions(1, total)
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range ds {
		if d.Number != uint64(i+1) {
			t.Fatalf("decision %d read as number %d", i+1, d.Number)
		}
		if d.Refused != "" {
			continue
		}
		switch d.Command.Op.(type) {
		case *eventpb.Command_AssignNik, *eventpb.Command_ConfirmNik:
			subject := d.GetCommand().GetAssignNik().GetSubject() + d.GetCommand().GetConfirmNik().GetSubject()
			if holder, ok := niks[d.Nik]; ok && holder != subject && d.GetCommand().GetConfirmNik() == nil {
				t.Fatalf("NIK %s assigned to %s and %s", d.Nik, holder, subject)
			}
			if first, ok := holds[subject]; ok && first != d.Nik && d.GetCommand().GetAssignNik() != nil {
				t.Fatalf("subject %s given NIK %s after %s", subject, d.Nik, first)
			}
			if _, ok := niks[d.Nik]; !ok {
				niks[d.Nik] = subject
			}
			if _, ok := holds[subject]; !ok {
				holds[subject] = d.Nik
			}
		case *eventpb.Command_IssueCard:
			if prev, ok := blanks[d.SerialFrom]; ok {
				t.Fatalf("blank %d used for %s and %s", d.SerialFrom, prev, d.Nik)
			}
			blanks[d.SerialFrom] = d.Nik
		}
	}
}

// checkBlocks: blocks 1..n are non-empty, consecutive and within the caps,
// and together hold decisions 1..sealed.
func checkBlocks(t *rapid.T, f *FSM) {
	blocks, sealed := f.Blocks()
	next := uint64(1)
	for n := uint64(1); n <= blocks; n++ {
		ds, err := f.Block(n)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) == 0 || len(ds) > maxBlockDecisions {
			t.Fatalf("block %d holds %d decisions", n, len(ds))
		}
		for _, d := range ds {
			if d.Number != next {
				t.Fatalf("block %d holds decision %d, want %d", n, d.Number, next)
			}
			next++
		}
	}
	if next-1 != sealed {
		t.Fatalf("blocks hold decisions 1..%d, want 1..%d", next-1, sealed)
	}
}

func TestBlocksCloseAtTheCap(t *testing.T) {
	f := openFSM(t)
	for i := range maxBlockDecisions + 10 {
		cmd := &eventpb.Command{Key: fmt.Sprintf("k%d", i), TimeMs: 1, Op: &eventpb.Command_AllocateBlankSerials{AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "s", Count: 1}}}
		b, _ := proto.Marshal(cmd)
		f.ApplyBatch([]*raft.Log{{Index: uint64(i + 1), Type: raft.LogCommand, Data: b}})
	}
	if blocks, sealed := f.Blocks(); blocks != 1 || sealed != maxBlockDecisions {
		t.Fatalf("after %d decisions without a seal: %d blocks of %d decisions, want 1 of %d", maxBlockDecisions+10, blocks, sealed, maxBlockDecisions)
	}
	seal, _ := proto.Marshal(&eventpb.Command{Op: &eventpb.Command_Seal{Seal: &eventpb.Seal{}}})
	idx := uint64(maxBlockDecisions + 11)
	for range 2 { // a second seal with nothing open closes nothing
		f.ApplyBatch([]*raft.Log{{Index: idx, Type: raft.LogCommand, Data: seal}})
		idx++
	}
	if blocks, sealed := f.Blocks(); blocks != 2 || sealed != maxBlockDecisions+10 {
		t.Fatalf("after the seals: %d blocks of %d decisions, want 2 of %d", blocks, sealed, maxBlockDecisions+10)
	}
}

func TestRepeatedKeyReturnsFirstDecision(t *testing.T) {
	f := openFSM(t)
	cmd := &eventpb.Command{Key: "ev/1", TimeMs: 1, Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: "1990-08-17", Female: true, Subject: "p1"}}}
	b, _ := proto.Marshal(cmd)
	first := f.ApplyBatch([]*raft.Log{{Index: 1, Type: raft.LogCommand, Data: b}})[0].([]byte)
	again := f.ApplyBatch([]*raft.Log{{Index: 2, Type: raft.LogCommand, Data: b}})[0].([]byte)
	var d1, d2 eventpb.Decision
	proto.Unmarshal(first, &d1)
	proto.Unmarshal(again, &d2)
	if d1.Nik != "1806015708900001" || d2.Nik != d1.Nik || d2.Number != 1 {
		t.Fatalf("first %v, again %v", d1.Nik, d2.Nik)
	}
	if _, n := f.Counts(); n != 1 {
		t.Fatalf("%d decisions for one key", n)
	}
}

// applier applies one command at a time at the given log index.
func applier(f *FSM) func(i uint64, c *eventpb.Command) *eventpb.Decision {
	return func(i uint64, c *eventpb.Command) *eventpb.Decision {
		b, _ := proto.Marshal(c)
		var d eventpb.Decision
		proto.Unmarshal(f.ApplyBatch([]*raft.Log{{Index: i, Type: raft.LogCommand, Data: b}})[0].([]byte), &d)
		return &d
	}
}

func TestOfflineLeaseNeverCollidesWithCentral(t *testing.T) {
	apply := applier(openFSM(t))
	lease := apply(1, &eventpb.Command{Key: "l", Op: &eventpb.Command_LeaseNikSlots{LeaseNikSlots: &eventpb.LeaseNIKSlots{Node: "kecA", Region: "180601", Count: 10}}})
	if lease.SerialFrom != 9990 || lease.SerialTo != 9999 {
		t.Fatalf("lease %d-%d", lease.SerialFrom, lease.SerialTo)
	}
	offline := apply(2, &eventpb.Command{Key: "c", Op: &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: "1806011708909990", Node: "kecA", Subject: "p1"}}})
	stolen := apply(3, &eventpb.Command{Key: "c2", Op: &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: "1806011708909991", Node: "kecB", Subject: "p2"}}})
	central := apply(4, &eventpb.Command{Key: "a", Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: "1990-08-17", Subject: "p3"}}})
	if offline.Refused != "" || stolen.Refused == "" || central.Nik != "1806011708900001" {
		t.Fatalf("offline %q/%q, other node's serial %q, central %s", offline.Nik, offline.Refused, stolen.Refused, central.Nik)
	}
}

// Residents registered from existing records (SIAK) already hold their
// NIKs: a reservation without a lease holds the NIK, central assignment
// skips it, and a NIK held by someone else is refused.
func TestRegisteredNIKsAreNeverAssignedAgain(t *testing.T) {
	apply := applier(openFSM(t))
	reserve := func(i uint64, nik, subject string) *eventpb.Decision {
		return apply(i, &eventpb.Command{Key: fmt.Sprintf("r%d", i), Op: &eventpb.Command_ConfirmNik{ConfirmNik: &eventpb.ConfirmNIK{Nik: nik, Subject: subject}}})
	}
	for i, nik := range []string{"1806015708900001", "1806015708900002", "1806015708900004"} {
		if d := reserve(uint64(i+1), nik, "penduduk/"+nik); d.Refused != "" || d.Nik != nik {
			t.Fatalf("reserve %s: %q %q", nik, d.Nik, d.Refused)
		}
	}
	if d := reserve(4, "1806015708900001", "penduduk/1806015708900001"); d.Refused != "" {
		t.Fatalf("the same resident registered again is refused: %s", d.Refused)
	}
	if d := reserve(5, "1806015708900002", "someone-else"); d.Refused == "" {
		t.Fatal("a NIK held by a resident was reserved for another")
	}
	var got []string
	for i := range 3 {
		d := apply(uint64(6+i), &eventpb.Command{Key: fmt.Sprintf("a%d", i), Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: "1990-08-17", Female: true, Subject: fmt.Sprintf("new%d", i)}}})
		got = append(got, d.Nik)
	}
	if fmt.Sprint(got) != "[1806015708900003 1806015708900005 1806015708900006]" {
		t.Fatalf("central assignment gave %v", got)
	}
}

type memSink struct {
	bytes.Buffer
}

func (m *memSink) ID() string    { return "mem" }
func (m *memSink) Cancel() error { return nil }
func (m *memSink) Close() error  { return nil }

func applyN(f *FSM, from, to int) {
	for i := from; i <= to; i++ {
		b, _ := proto.Marshal(&eventpb.Command{Key: fmt.Sprintf("k%d", i), Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: "1990-08-17", Subject: fmt.Sprintf("s%d", i)}}})
		f.ApplyBatch([]*raft.Log{{Index: uint64(i), Type: raft.LogCommand, Data: b}})
	}
}

// A lagging replica installs a snapshot and reaches the same state; a
// replica already past the snapshot (restarted with its own state) keeps
// its state, and the log replayed after the snapshot changes nothing.
func TestSnapshotRestore(t *testing.T) {
	leader := openFSM(t)
	applyN(leader, 1, 20)
	snap, _ := leader.Snapshot()
	sink := &memSink{}
	if err := snap.Persist(sink); err != nil {
		t.Fatal(err)
	}
	snap.Release()
	snapBytes := sink.Bytes()

	lagging := openFSM(t)
	applyN(lagging, 1, 3)
	if err := lagging.Restore(io.NopCloser(bytes.NewReader(snapBytes))); err != nil {
		t.Fatal(err)
	}
	if a, _ := lagging.Counts(); a != 20 {
		t.Fatalf("applied after restore %d", a)
	}
	want, _ := leader.StateHash()
	if got, _ := lagging.StateHash(); got != want {
		t.Fatal("restored state differs from the snapshot's")
	}

	ahead := openFSM(t)
	applyN(ahead, 1, 30)
	before, _ := ahead.StateHash()
	if err := ahead.Restore(io.NopCloser(bytes.NewReader(snapBytes))); err != nil {
		t.Fatal(err)
	}
	applyN(ahead, 21, 30) // raft replays the log after the snapshot
	if after, _ := ahead.StateHash(); after != before {
		t.Fatal("an old snapshot or the replayed log changed a newer state")
	}
	applyN(leader, 21, 30)
	leaderHash, _ := leader.StateHash()
	if leaderHash != before {
		t.Fatal("replicas of the same log differ")
	}
}

// A subject asked for again, under a new key (a retried `sinkron decide
// nik`), with other details or after an upgrade from a state without the
// subject table, is answered with the NIK it holds: no second number.
func TestSameSubjectKeepsItsNIK(t *testing.T) {
	assignNIK := func(key, subject, birth string) *eventpb.Command {
		return &eventpb.Command{Key: key, Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: birth, Subject: subject}}}
	}
	const first = "1806011708900001"
	tests := []struct {
		name   string
		before func(*badger.DB) error // state written by an older server
		again  *eventpb.Command
		want   string
	}{
		{name: "retry under a new key", again: assignNIK("k2", "warga-1", "1990-08-17"), want: first},
		{name: "other birth date", again: assignNIK("k2", "warga-1", "1991-01-01"), want: first},
		{name: "another subject", again: assignNIK("k2", "warga-2", "1990-08-17"), want: "1806011708900002"},
		{name: "no subject is never matched", again: assignNIK("k2", "", "1990-08-17"), want: "1806011708900002"},
		{name: "state from before the subject table", again: assignNIK("k2", "warga-1", "1990-08-17"), want: first,
			before: func(db *badger.DB) error {
				return db.Update(func(txn *badger.Txn) error {
					if err := txn.Set(nikKey(first), []byte("warga-1")); err != nil {
						return err
					}
					return txn.Set(centralNextKey("180601170890"), u64(2))
				})
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil).WithMemTableSize(8 << 20))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			i := uint64(1)
			if tc.before != nil {
				if err := tc.before(db); err != nil {
					t.Fatal(err)
				}
			}
			f, err := NewFSM(db)
			if err != nil {
				t.Fatal(err)
			}
			apply := applier(f)
			if tc.before == nil {
				if d := apply(i, assignNIK("k1", "warga-1", "1990-08-17")); d.Nik != first {
					t.Fatalf("first NIK %s %q", d.Nik, d.Refused)
				}
				i++
			}
			d := apply(i, tc.again)
			if d.Nik != tc.want || d.Refused != "" || d.Key != tc.again.Key {
				t.Fatalf("again: NIK %s (refused %q, key %s), want %s", d.Nik, d.Refused, d.Key, tc.want)
			}
		})
	}
}

// A snapshot from a server before the subject table restores with the
// table built: its subjects keep their NIKs too.
func TestRestoreOldSnapshotIndexesSubjects(t *testing.T) {
	var snap bytes.Buffer
	w := bufio.NewWriter(&snap)
	writeKV(w, keyApplied, tally{applied: 5, decisions: 1}.marshal())
	writeKV(w, nikKey("1806011708900001"), []byte("warga-1"))
	writeKV(w, centralNextKey("180601170890"), u64(2))
	w.Flush()
	f := openFSM(t)
	if err := f.Restore(io.NopCloser(&snap)); err != nil {
		t.Fatal(err)
	}
	d := applier(f)(6, &eventpb.Command{Key: "again", Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: "1990-08-17", Subject: "warga-1"}}})
	if d.Nik != "1806011708900001" {
		t.Fatalf("after restoring an old snapshot warga-1 got %s %q", d.Nik, d.Refused)
	}
}
