package wal

import (
	"bytes"
	"errors"
	"testing"

	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/internal/testdisk"
)

// A compacted prefix is gone for Raft at once, and from the disk once the
// background trimmer is done (Close waits for it); a conflicting tail is
// deleted before DeleteRange returns, so new entries can take its place.
func TestDeleteRangePrefixAndTail(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenLogStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var logs []*raft.Log
	for i := uint64(1); i <= 5000; i++ {
		logs = append(logs, &raft.Log{Index: i, Term: 1, Type: raft.LogCommand, Data: []byte("x")})
	}
	if err := s.StoreLogs(logs); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteRange(1, 4000); err != nil {
		t.Fatal(err)
	}
	var l raft.Log
	if first, _ := s.FirstIndex(); first != 4001 {
		t.Fatalf("first index %d after compacting to 4000, want 4001", first)
	}
	if err := s.GetLog(10, &l); !errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("compacted entry 10: %v, want not found", err)
	}
	if err := s.DeleteRange(4901, 5000); err != nil { // a deposed leader's tail
		t.Fatal(err)
	}
	if last, _ := s.LastIndex(); last != 4900 {
		t.Fatalf("last index %d after truncating the tail, want 4900", last)
	}
	if err := s.GetLog(4950, &l); !errors.Is(err, raft.ErrLogNotFound) {
		t.Fatalf("truncated entry 4950: %v, want not found", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenLogStore(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, _ := s.FirstIndex()
	last, _ := s.LastIndex()
	if first != 4001 || last != 4900 {
		t.Fatalf("after reopening: entries %d-%d on disk, want 4001-4900", first, last)
	}
	if err := s.GetLog(4001, &l); err != nil || string(l.Data) != "x" {
		t.Fatalf("entry 4001: %v", err)
	}
}

// Badger's encryption covers everything the log store writes (value log,
// memtable WAL, tables): a command's bytes never reach the disk in clear.
// Without a key they do, which shows the scan would find them.
func TestLogStoreEncryption(t *testing.T) {
	marker := []byte("NIK-1806015708900003-BIODATA")
	for _, tc := range []struct {
		name      string
		key       []byte
		wantClear bool
	}{
		{"clear", nil, true},
		{"encrypted", testKey, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := OpenLogStore(dir, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			logs := []*raft.Log{
				{Index: 1, Term: 1, Type: raft.LogCommand, Data: marker},
				{Index: 2, Term: 1, Type: raft.LogCommand, Data: bytes.Repeat(marker, 50_000)}, // to the value log
			}
			if err := s.StoreLogs(logs); err != nil {
				t.Fatal(err)
			}
			found := testdisk.FilesContaining(t, dir, marker)
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			found = append(found, testdisk.FilesContaining(t, dir, marker)...)
			if (len(found) > 0) != tc.wantClear {
				t.Fatalf("marker found in %v", found)
			}
			s, err = OpenLogStore(dir, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			var l raft.Log
			err = s.GetLog(1, &l)
			s.Close()
			if err != nil || !bytes.Equal(l.Data, marker) {
				t.Fatalf("reopened: %q, %v", l.Data, err)
			}
		})
	}
}
