package netlab

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// socketName is the control socket's name in the state directory.
const socketName = "netlab.sock"

// SocketPath is where the controller for stateDir listens.
func SocketPath(stateDir string) string { return filepath.Join(stateDir, socketName) }

// Status is the whole lab as the controller reports it.
type Status struct {
	// PID is the controller's process.
	PID     int            `json:"pid"`
	Prefix  string         `json:"prefix"`
	Hub     string         `json:"hub"`
	HubAddr netip.Addr     `json:"hub_addr"`
	Seed    uint64         `json:"seed"`
	Offices []OfficeStatus `json:"offices"`
	Procs   []ProcInfo     `json:"procs"`
}

// Serve builds the lab, runs its links and answers the control API on a
// unix socket in stateDir until ctx ends or a client asks it to shut down;
// either way it tears the lab down before returning. It is meant to be the
// body of a long-lived controller process (e.g. a hidden `sinkron-lab
// testnet serve` that `sinkron-lab testnet up` starts detached with setsid
// and waits for with Client.WaitReady), since the links live in its
// goroutines.
//
// Processes started without a log file log to stateDir/logs/NAME.log.
func Serve(ctx context.Context, spec Spec, stateDir string, opt Options) (err error) {
	if err := os.MkdirAll(filepath.Join(stateDir, "logs"), 0o755); err != nil {
		return fmt.Errorf("netlab: state dir: %w", err)
	}
	sock := SocketPath(stateDir)
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	alive := NewClient(stateDir).Ping(pctx) == nil
	cancel()
	if alive {
		return fmt.Errorf("netlab: a controller already answers on %s", sock)
	}
	// Nobody answers: any socket file is a dead controller's.
	if err := os.Remove(sock); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("netlab: stale socket: %w", err)
	}
	lab, err := Up(ctx, spec, opt)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, lab.Down()) }()
	ln, err := net.Listen("unix", sock)
	if err != nil {
		return fmt.Errorf("netlab: control socket: %w", err)
	}
	defer os.Remove(sock)
	s := &server{lab: lab, stateDir: stateDir, shutdown: make(chan struct{})}
	return s.serve(ctx, ln)
}

// server answers the control API for one lab.
type server struct {
	lab      *Lab
	stateDir string
	shutdown chan struct{} // closed by the shutdown request, after Down
}

// serve runs the HTTP server until ctx ends or shutdown is asked for.
func (s *server) serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	var serveErr error
	select {
	case <-ctx.Done():
	case <-s.shutdown:
	case serveErr = <-errc:
		return fmt.Errorf("netlab: control server: %w", serveErr)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("netlab: control server shutdown: %w", err)
	}
	<-errc // http.ErrServerClosed
	return nil
}

func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/status", s.status)
	mux.HandleFunc("PUT /v1/offices/{office}/link", s.setLink)
	mux.HandleFunc("POST /v1/offices/{office}/cut", s.cut)
	mux.HandleFunc("POST /v1/offices/{office}/heal", s.heal)
	mux.HandleFunc("POST /v1/partition", s.partition)
	mux.HandleFunc("POST /v1/procs", s.start)
	mux.HandleFunc("POST /v1/procs/{name}/{action}", s.act)
	mux.HandleFunc("POST /v1/shutdown", s.stop)
	return mux
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	l := s.lab
	reply(w, Status{
		PID: os.Getpid(), Prefix: l.spec.Prefix, Hub: l.hub, HubAddr: l.HubAddr(),
		Seed: l.spec.Seed, Offices: l.Offices(), Procs: l.Procs(),
	}, nil)
}

func (s *server) setLink(w http.ResponseWriter, r *http.Request) {
	var link Link
	if !decode(w, r, &link) {
		return
	}
	reply(w, nil, s.lab.SetLink(r.PathValue("office"), link))
}

func (s *server) cut(w http.ResponseWriter, r *http.Request) {
	reply(w, nil, s.lab.Cut(r.PathValue("office"), Direction(r.URL.Query().Get("dir"))))
}

func (s *server) heal(w http.ResponseWriter, r *http.Request) {
	reply(w, nil, s.lab.Heal(r.PathValue("office"), Direction(r.URL.Query().Get("dir"))))
}

// partitionRequest is the body of POST /v1/partition.
type partitionRequest struct {
	A  string `json:"a"`
	B  string `json:"b"`
	On bool   `json:"on"`
}

func (s *server) partition(w http.ResponseWriter, r *http.Request) {
	var req partitionRequest
	if !decode(w, r, &req) {
		return
	}
	reply(w, nil, s.lab.Partition(req.A, req.B, req.On))
}

func (s *server) start(w http.ResponseWriter, r *http.Request) {
	var spec ProcSpec
	if !decode(w, r, &spec) {
		return
	}
	if spec.Log == "" && nameRE.MatchString(spec.Name) {
		spec.Log = filepath.Join(s.stateDir, "logs", spec.Name+".log")
	}
	info, err := s.lab.Start(spec)
	reply(w, info, err)
}

func (s *server) act(w http.ResponseWriter, r *http.Request) {
	reply(w, nil, s.lab.Signal(r.PathValue("name"), Action(r.PathValue("action"))))
}

// stop tears the lab down before answering, so the client knows it is gone.
func (s *server) stop(w http.ResponseWriter, r *http.Request) {
	err := s.lab.Down()
	reply(w, nil, err)
	select {
	case <-s.shutdown:
	default:
		close(s.shutdown)
	}
}

// apiError is the body of a failed request.
type apiError struct {
	Error string `json:"error"`
}

// reply writes v as JSON, or err as a 400 (the lab refuses bad requests
// with errors that name the problem; nothing here is an internal fault the
// caller could not act on).
func reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(apiError{Error: err.Error()})
		return
	}
	if v == nil {
		v = struct{}{}
	}
	_ = json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body, answering 400 itself if it cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		reply(w, nil, fmt.Errorf("netlab: request body: %w", err))
		return false
	}
	return true
}
