package wal

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/hashicorp/raft"
)

// BenchmarkFsync is the disk's floor for a decision: one 4 KiB O_DSYNC
// write in the test dir. A commit needs two in sequence (leader, then a
// follower), so ~1/(2×this) bounds single-client decisions/s.
func BenchmarkFsync(b *testing.B) {
	f, err := os.OpenFile(filepath.Join(b.TempDir(), "fsync"), os.O_CREATE|os.O_WRONLY|syscall.O_DSYNC, 0o600)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 4096)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := f.WriteAt(buf, int64(i%256)*4096); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStoreLog is one 256-byte entry stored as the leader stores it
// before replicating (and a follower before answering): the log store's
// cost on top of BenchmarkFsync's floor, on badger (the store before the
// WAL) and on the WAL the cluster runs on.
func BenchmarkStoreLog(b *testing.B) {
	benchStoreLog(b, func(dir string) (raft.LogStore, io.Closer, error) {
		s, err := OpenLogStore(dir, nil)
		return s, s, err
	})
}

func BenchmarkStoreLogWAL(b *testing.B) {
	benchStoreLog(b, func(dir string) (raft.LogStore, io.Closer, error) {
		s, err := Open(dir, nil, Options{})
		return s, s, err
	})
}

func benchStoreLog(b *testing.B, open func(dir string) (raft.LogStore, io.Closer, error)) {
	s, c, err := open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	data := make([]byte, 256)
	b.ResetTimer()
	for i := uint64(1); b.Loop(); i++ {
		if err := s.StoreLogs([]*raft.Log{{Index: i, Term: 1, Type: raft.LogCommand, Data: data}}); err != nil {
			b.Fatal(err)
		}
	}
}
