package wal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hashicorp/raft"
)

// stableKeys are the keys raft keeps in its stable store (hashicorp/raft
// raft.go: keyCurrentTerm, keyLastVoteTerm, keyLastVoteCand).
var stableKeys = []string{"CurrentTerm", "LastVoteTerm", "LastVoteCand"}

// Migrate copies the badger log store in oldDir, if there is one,
// into a new WAL at walDir: every entry and raft's stable keys. The WAL is
// built aside and renamed into place whole, and only then is oldDir
// removed, so a crash at any point leaves one complete store to start from
// (a leftover oldDir beside a WAL is what a crash after the rename leaves).
func Migrate(oldDir, walDir string, key []byte) error {
	if _, err := os.Stat(oldDir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(walDir); err == nil {
		return removeDurably(oldDir)
	}
	tmp := walDir + ".migrating"
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := copyLogStore(oldDir, tmp, key); err != nil {
		return fmt.Errorf("migrate raft log %s: %w", oldDir, err)
	}
	if err := os.Rename(tmp, walDir); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(walDir)); err != nil {
		return err
	}
	return removeDurably(oldDir)
}

func removeDurably(dir string) error {
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// copyLogStore writes the badger store's entries and stable keys into a
// new WAL at dir; each StoreLogs is synced, and so is every stable write.
func copyLogStore(oldDir, dir string, key []byte) (err error) {
	old, err := OpenLogStore(oldDir, key)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, old.Close()) }()
	w, err := Open(dir, key, Options{})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, w.Close()) }()
	for _, k := range stableKeys {
		v, err := old.Get([]byte(k))
		if errors.Is(err, errNotFound) {
			continue
		}
		if err == nil {
			err = w.Set([]byte(k), v)
		}
		if err != nil {
			return fmt.Errorf("stable key %s: %w", k, err)
		}
	}
	return copyEntries(old, w)
}

// copyEntries copies first..last in batches of up to 1024 entries or
// 4 MiB, each one write and one fdatasync.
func copyEntries(from raft.LogStore, to *Log) error {
	first, _ := from.FirstIndex()
	last, _ := from.LastIndex()
	var batch []*raft.Log
	size := 0
	for i := first; i <= last && i > 0; i++ {
		l := new(raft.Log)
		if err := from.GetLog(i, l); err != nil {
			return fmt.Errorf("log %d: %w", i, err)
		}
		batch, size = append(batch, l), size+len(l.Data)+len(l.Extensions)
		if len(batch) == 1024 || size >= 4<<20 || i == last {
			if err := to.StoreLogs(batch); err != nil {
				return err
			}
			batch, size = batch[:0], 0
		}
	}
	return nil
}
