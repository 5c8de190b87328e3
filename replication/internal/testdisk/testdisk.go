// Package testdisk holds what the consensus and wal tests need of the
// disk: which files hold a marker (a NIK, biodata) in clear, to check that
// data at rest is sealed, and a gate that holds a log's flush, to see a
// leader whose disk lags its log.
package testdisk

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
)

// Gate holds whoever calls Wait while it is shut (wal.Options.BeforeSync:
// the syncer before each flush) until Open.
type Gate struct {
	shut    atomic.Bool
	release chan struct{}
}

// NewGate returns an open gate; Shut shuts it.
func NewGate() *Gate { return &Gate{release: make(chan struct{})} }

// Shut makes Wait block until Open; once opened, a gate holds no one.
func (g *Gate) Shut() { g.shut.Store(true) }

// Wait blocks while the gate is shut.
func (g *Gate) Wait() {
	if g.shut.Load() {
		<-g.release
	}
}

// Open releases the waiters and lets everyone through from now on.
func (g *Gate) Open() {
	if g.shut.Swap(false) {
		close(g.release)
	}
}

// FilesContaining lists the files under dir whose bytes contain marker.
// The node may be running: a file it removes during the walk (a WAL
// segment dropped after a snapshot) holds nothing on disk any more.
func FilesContaining(tb testing.TB, dir string, marker []byte) []string {
	tb.Helper()
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if bytes.Contains(b, marker) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return found
}
