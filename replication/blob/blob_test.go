package blob

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/replication/event"
)

func openDB(t *testing.T) *badger.DB {
	db, err := badger.Open(badger.DefaultOptions("").WithInMemory(true).WithLogger(nil).WithMemTableSize(8 << 20))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestChunkedTransferResumesAndVerifies(t *testing.T) {
	src, dst := New(openDB(t)), New(openDB(t))
	content := make([]byte, 3*ChunkSize+100)
	rand.Read(content)
	h, err := src.Put(content)
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.db.Update(func(txn *badger.Txn) error { return Want(txn, h) }); err != nil {
		t.Fatal(err)
	}
	copyFrom := func(from uint32, upto int) {
		src.Chunks(h, from, func(idx uint32, b []byte) error {
			if int(idx) >= upto {
				return errStop
			}
			_, err := dst.WriteChunk(h, int64(len(content)), idx, b)
			return err
		})
	}
	copyFrom(0, 2) // link drops after two chunks
	if next, _ := dst.Next(h); next != 2 {
		t.Fatalf("resume from %d, want 2", next)
	}
	if w, _ := dst.Wanted(); len(w) != 1 {
		t.Fatalf("wanted %v", w)
	}
	next, _ := dst.Next(h)
	copyFrom(next, 99)
	got, err := dst.Get(h)
	if err != nil || !bytes.Equal(got, content) {
		t.Fatalf("get after resume: %v", err)
	}
	if w, _ := dst.Wanted(); len(w) != 0 {
		t.Fatalf("still wanted %v", w)
	}
}

func TestCorruptChunksAreDropped(t *testing.T) {
	dst := New(openDB(t))
	content := bytes.Repeat([]byte("x"), ChunkSize+10)
	h := event.Hash(sha256.Sum256(content))
	dst.WriteChunk(h, int64(len(content)), 0, content[:ChunkSize])
	bad := []byte("yyyyyyyyyy")
	if _, err := dst.WriteChunk(h, int64(len(content)), 1, bad); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("want ErrCorrupt, got %v", err)
	}
	if next, _ := dst.Next(h); next != 0 {
		t.Fatalf("corrupt chunks kept: next %d", next)
	}
	if _, err := dst.Get(h); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get: %v", err)
	}
}
