package netlab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// ProcSpec is a command to run in an office's namespace.
type ProcSpec struct {
	// Name labels the process for later signals (e.g. the office's name);
	// it must be unique among live processes.
	Name   string   `json:"name"`
	Office string   `json:"office"`
	Args   []string `json:"args"`
	// Env is added to the controller's environment.
	Env []string `json:"env,omitempty"`
	Dir string   `json:"dir,omitempty"`
	// Log receives stdout and stderr, appended; empty discards them.
	Log string `json:"log,omitempty"`
}

// ProcState is where a process is in its life.
type ProcState string

// Process states.
const (
	Running ProcState = "running"
	Paused  ProcState = "paused"
	Exited  ProcState = "exited"
)

// ProcInfo reports a process.
type ProcInfo struct {
	ProcSpec
	PID   int       `json:"pid"`
	State ProcState `json:"state"`
	// Exit is how it ended ("exit status 1", "signal: killed"), once Exited.
	Exit string `json:"exit,omitempty"`
}

// Action is what to do to a running process.
type Action string

// Actions. Signals go to the process group, so children follow.
const (
	Stop   Action = "stop"   // SIGTERM, then SIGKILL after a grace period
	Kill   Action = "kill"   // SIGKILL: a crash or power cut
	Pause  Action = "pause"  // SIGSTOP: a hung machine
	Resume Action = "resume" // SIGCONT
)

// stopGrace is how long Stop waits after SIGTERM before SIGKILL.
const stopGrace = 5 * time.Second

// proc is one started process.
type proc struct {
	spec ProcSpec
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has been reaped

	mu    sync.Mutex
	state ProcState
	exit  string
}

func (p *proc) info() ProcInfo {
	p.mu.Lock()
	defer p.mu.Unlock()
	return ProcInfo{ProcSpec: p.spec, PID: p.cmd.Process.Pid, State: p.state, Exit: p.exit}
}

// procTable holds a lab's processes by name.
type procTable struct {
	mu    sync.Mutex
	procs map[string]*proc
}

func newProcTable() *procTable { return &procTable{procs: map[string]*proc{}} }

// Start runs a command in an office's namespace through `ip netns exec`,
// which execs it in place, so the PID is the command's own. The process
// gets its own process group so signals reach its children too.
func (l *Lab) Start(spec ProcSpec) (ProcInfo, error) {
	o, err := l.office(spec.Office)
	if err != nil {
		return ProcInfo{}, err
	}
	if !nameRE.MatchString(spec.Name) || len(spec.Args) == 0 {
		return ProcInfo{}, fmt.Errorf("netlab: process %q: want a name of a-z, 0-9 and - (at most 32) and a command", spec.Name)
	}
	p, err := l.procs.start(spec, o.ns)
	if err != nil {
		return ProcInfo{}, fmt.Errorf("netlab: start %s in %s: %w", spec.Name, spec.Office, err)
	}
	return p.info(), nil
}

func (t *procTable) start(spec ProcSpec, ns string) (*proc, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if old, ok := t.procs[spec.Name]; ok && old.info().State != Exited {
		return nil, fmt.Errorf("a process named %q is still running", spec.Name)
	}
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, spec.Args...)...)
	cmd.Env = append(os.Environ(), spec.Env...)
	cmd.Dir = spec.Dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if spec.Log != "" {
		f, err := os.OpenFile(spec.Log, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, fmt.Errorf("log: %w", err)
		}
		// The child has its own copy once started.
		defer f.Close()
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &proc{spec: spec, cmd: cmd, done: make(chan struct{}), state: Running}
	go p.wait()
	t.procs[spec.Name] = p
	return p, nil
}

// wait reaps the process and records how it ended.
func (p *proc) wait() {
	err := p.cmd.Wait()
	p.mu.Lock()
	p.state = Exited
	if p.cmd.ProcessState != nil {
		p.exit = p.cmd.ProcessState.String()
	} else if err != nil {
		p.exit = err.Error()
	}
	p.mu.Unlock()
	close(p.done)
}

// Signal acts on a process started with Start.
func (l *Lab) Signal(name string, a Action) error {
	p, err := l.procs.get(name)
	if err != nil {
		return err
	}
	if err := p.act(a); err != nil {
		return fmt.Errorf("netlab: %s %s: %w", a, name, err)
	}
	return nil
}

// Procs reports every process started, live or not, sorted by name.
func (l *Lab) Procs() []ProcInfo {
	l.procs.mu.Lock()
	defer l.procs.mu.Unlock()
	out := make([]ProcInfo, 0, len(l.procs.procs))
	for _, p := range l.procs.procs {
		out = append(out, p.info())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (t *procTable) get(name string) (*proc, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.procs[name]
	if !ok {
		return nil, fmt.Errorf("netlab: no process %q", name)
	}
	return p, nil
}

// act carries out an action. Stopping or killing what has exited is not an
// error, so a CLI can repeat itself.
func (p *proc) act(a Action) error {
	exited := p.info().State == Exited
	switch a {
	case Kill:
		if exited {
			return nil
		}
		return p.killWait(stopGrace)
	case Stop:
		if exited {
			return nil
		}
		return p.stop(stopGrace)
	case Pause, Resume:
		if exited {
			return errors.New("process has exited")
		}
		return p.pauseResume(a)
	}
	return fmt.Errorf("unknown action %q (want stop, kill, pause or resume)", string(a))
}

// signal sends sig to the process group.
func (p *proc) signal(sig unix.Signal) error {
	err := unix.Kill(-p.cmd.Process.Pid, sig)
	if errors.Is(err, unix.ESRCH) {
		return nil // already gone
	}
	return err
}

func (p *proc) pauseResume(a Action) error {
	sig, state := unix.SIGSTOP, Paused
	if a == Resume {
		sig, state = unix.SIGCONT, Running
	}
	if err := p.signal(sig); err != nil {
		return err
	}
	p.mu.Lock()
	if p.state != Exited {
		p.state = state
	}
	p.mu.Unlock()
	return nil
}

// stop asks politely, then kills.
func (p *proc) stop(grace time.Duration) error {
	if err := p.signal(unix.SIGTERM); err != nil {
		return err
	}
	// A paused process cannot act on SIGTERM until it runs again.
	if err := p.signal(unix.SIGCONT); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		return p.killWait(grace)
	}
}

// killWait SIGKILLs the group and waits for the process to be reaped.
func (p *proc) killWait(patience time.Duration) error {
	if err := p.signal(unix.SIGKILL); err != nil {
		return err
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(patience):
		return errors.New("still running after SIGKILL")
	}
}

// killAll kills every live process, for Down.
func (t *procTable) killAll() error {
	t.mu.Lock()
	procs := make([]*proc, 0, len(t.procs))
	for _, p := range t.procs {
		procs = append(procs, p)
	}
	t.mu.Unlock()
	var errs []error
	for _, p := range procs {
		if p.info().State == Exited {
			continue
		}
		if err := p.killWait(killPatience); err != nil {
			errs = append(errs, fmt.Errorf("netlab: kill %s: %w", p.spec.Name, err))
		}
	}
	return errors.Join(errs...)
}
