// Package pgtest starts a throwaway PostgreSQL server for tests
// (node/dwh/pglocal in a temporary directory, fsync off). The server is
// stopped and its directory removed in t.Cleanup, so no test leaves a
// postgres process behind. Without PostgreSQL installed a test fails under
// CI (CI=true) and is skipped elsewhere.
package pgtest

import (
	"os"
	"testing"

	"github.com/sinkron-id/sinkron/node/dwh/pglocal"
)

// Server is one running (or killed) PostgreSQL cluster.
type Server struct {
	t testing.TB
	*pglocal.Server
}

// Start initialises and starts a server.
func Start(t testing.TB) *Server {
	t.Helper()
	if !pglocal.Installed() {
		if os.Getenv("CI") == "true" {
			t.Fatal(pglocal.ErrNotInstalled)
		}
		t.Skip("skipping: " + pglocal.ErrNotInstalled.Error())
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		t.Fatal(err)
	}
	s, err := pglocal.Start(dir, pglocal.Options{Fast: true})
	t.Cleanup(func() {
		if s != nil {
			_ = s.Stop()
		}
		_ = os.RemoveAll(dir)
	})
	if err != nil {
		t.Fatal(err)
	}
	return &Server{t: t, Server: s}
}

// Kill stops the server the way a crash does. A test may call it from
// another goroutine, so a failure is reported, not fatal.
func (s *Server) Kill() {
	s.t.Helper()
	if err := s.Stop(); err != nil {
		s.t.Errorf("kill postgres: %v", err)
	}
}

// Restart starts the server again on the same port and data.
func (s *Server) Restart() {
	s.t.Helper()
	if err := s.Server.Restart(); err != nil {
		s.t.Fatal(err)
	}
}
