// Package pglocal runs a PostgreSQL server of this machine's installation
// in a directory of the caller's: initdb, then pg_ctl on a free loopback
// port, as the postgres user when running as root (PostgreSQL refuses to
// run as root). The demo runs the regency's warehouse on it, and tests
// (node/dwh/pgtest) a throwaway one.
package pglocal

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNotInstalled: no PostgreSQL server binaries on this machine.
var ErrNotInstalled = errors.New("PostgreSQL is not installed (apt-get install -y postgresql)")

// Server is one PostgreSQL cluster in a directory of its own.
type Server struct {
	bin  string
	dir  string
	Port int
}

// Options tune a server.
type Options struct {
	// Fast turns fsync and full-page writes off: for tests and a demo,
	// whose data need not survive a power cut.
	Fast bool
}

// Installed reports whether this machine has PostgreSQL's server programs.
func Installed() bool { return binDir() != "" }

// binDir finds the newest Debian PostgreSQL installation.
func binDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(dirs) == 0 {
		if p, err := exec.LookPath("initdb"); err == nil {
			return filepath.Dir(p)
		}
		return ""
	}
	sort.Strings(dirs)
	return filepath.Dir(dirs[len(dirs)-1])
}

// Start initialises a cluster in dir (created; it must not hold one) and
// starts it. Stop it with Stop.
func Start(dir string, opt Options) (*Server, error) {
	bin := binDir()
	if bin == "" {
		return nil, ErrNotInstalled
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin, dir: dir, Port: port}
	if err := chownToPostgres(dir); err != nil {
		return nil, err
	}
	if out, err := s.run("initdb", "-D", s.data(), "-A", "trust", "-U", "postgres",
		"--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\nmax_connections = 200\n", s.Port, dir)
	if opt.Fast {
		conf += "fsync = off\nfull_page_writes = off\n"
	}
	if err := appendFile(filepath.Join(s.data(), "postgresql.conf"), conf); err != nil {
		return nil, err
	}
	return s, s.Restart()
}

// DSN is the connection string of the server's postgres database.
func (s *Server) DSN() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", s.Port)
}

// Stop stops the server the way a crash does: no checkpoint, no goodbye to
// clients (pg_ctl's immediate mode sends SIGQUIT to every backend).
func (s *Server) Stop() error { return s.pgctl("stop", "-m", "immediate", "-w") }

// Restart starts the server again on the same port and data; it recovers
// from its WAL as after a crash.
func (s *Server) Restart() error {
	if err := s.pgctl("start", "-w", "-l", filepath.Join(s.dir, "log")); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
		return fmt.Errorf("start postgres: %w\n%s", err, log)
	}
	return nil
}

func (s *Server) data() string { return filepath.Join(s.dir, "data") }

func (s *Server) pgctl(args ...string) error {
	out, err := s.run("pg_ctl", append([]string{"-D", s.data()}, args...)...)
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// run runs a PostgreSQL program, as the postgres user when we are root.
func (s *Server) run(prog string, args ...string) ([]byte, error) {
	path := filepath.Join(s.bin, prog)
	var cmd *exec.Cmd
	if os.Geteuid() == 0 {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

func chownToPostgres(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("running as root needs a postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return os.Chown(dir, uid, gid)
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
