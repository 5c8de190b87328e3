package netlab

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestServeClient(t *testing.T) {
	requireLab(t)
	dir := t.TempDir()
	spec := Spec{Prefix: testPrefix(), Seed: 7, Offices: []OfficeSpec{{Name: "dinas"}, {Name: "wonosobo"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- Serve(ctx, spec, dir, Options{}) }()
	c := NewClient(dir)
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	// wait returns Serve's result once, however often it is called.
	var serveErr error
	waited := false
	wait := func() error {
		if !waited {
			waited, serveErr = true, <-served
		}
		return serveErr
	}
	defer func() {
		// Down whatever the test left, even when it failed midway.
		cancel()
		wait()
	}()

	if err := c.SetProfile(ctx, "wonosobo", "vsat"); err != nil {
		t.Fatal(err)
	}
	if err := c.Cut(ctx, "wonosobo", DirUp); err != nil {
		t.Fatal(err)
	}
	if err := c.Cut(ctx, "nowhere", DirUp); err == nil || !strings.Contains(err.Error(), "no office") {
		t.Errorf("cut of an unknown office: %v", err)
	}
	if err := c.Partition(ctx, "dinas", "wonosobo", true); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w := st.Offices[1]
	if w.Name != "wonosobo" || w.Link.Profile != "vsat" || !w.Link.Up.Cut || w.Link.Down.Cut ||
		w.Link.Down.RateKbit != 1024 || len(w.PartitionedFrom) != 1 || st.Prefix != spec.Prefix {
		t.Errorf("status after vsat, one-way cut, partition: %+v", w)
	}
	if err := c.Heal(ctx, "wonosobo", DirBoth); err != nil {
		t.Fatal(err)
	}
	if err := c.Partition(ctx, "dinas", "wonosobo", false); err != nil {
		t.Fatal(err)
	}
	if err := c.SetLink(ctx, "wonosobo", Link{}); err != nil {
		t.Fatal(err)
	}

	// A real process in wonosobo's namespace, reached from dinas's.
	addr := st.Offices[1].Addr.String() + ":7000"
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Start(ctx, ProcSpec{Name: "echo", Office: "wonosobo", Args: []string{self}, Env: []string{envEcho + "=" + addr}})
	if err != nil {
		t.Fatal(err)
	}
	if info.State != Running || info.Log == "" {
		t.Errorf("started %+v", info)
	}
	dialEcho := func(timeout time.Duration) error {
		return inNetns(st.Offices[0].Namespace, func() error { return echoOnce(addr, timeout) })
	}
	waitFor(t, func() bool { return dialEcho(200*time.Millisecond) == nil })

	if err := c.Signal(ctx, "echo", Pause); err != nil {
		t.Fatal(err)
	}
	if err := dialEcho(300 * time.Millisecond); err == nil {
		t.Error("a paused echo server answered")
	}
	if err := c.Signal(ctx, "echo", Resume); err != nil {
		t.Fatal(err)
	}
	if err := dialEcho(2 * time.Second); err != nil {
		t.Errorf("resumed echo server: %v", err)
	}
	if err := c.Signal(ctx, "echo", Kill); err != nil {
		t.Fatal(err)
	}
	st, err = c.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p := st.Procs[0]; p.State != Exited || !strings.Contains(p.Exit, "killed") {
		t.Errorf("after kill: %+v", p)
	}
	log, _ := os.ReadFile(info.Log)
	if !strings.Contains(string(log), "listening on "+addr) {
		t.Errorf("process log %q lacks its output", log)
	}

	if err := c.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if err := wait(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	if left, _ := listNetns(ctx, spec.Prefix); len(left) > 0 {
		t.Errorf("namespaces left after shutdown: %v", left)
	}
	if err := c.Ping(ctx); !NotRunning(err) {
		t.Errorf("after shutdown the client gets %v, want not running", err)
	}
}

// echoOnce checks a TCP echo server answers within timeout.
func echoOnce(addr string, timeout time.Duration) error {
	c, err := net.DialTimeout("tcp4", addr, timeout)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))
	if _, err := c.Write([]byte("x")); err != nil {
		return err
	}
	_, err = c.Read(make([]byte, 1))
	return err
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatal("condition not reached within 5s")
}

func TestControllerCrashCleanup(t *testing.T) {
	requireLab(t)
	dir := t.TempDir()
	spec := Spec{Prefix: testPrefix(), Offices: []OfficeSpec{{Name: "p"}, {Name: "q"}}}
	specJSON, err := json.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	ctl := exec.Command(os.Args[0], "-test.run=^$")
	ctl.Env = append(os.Environ(), envServe+"="+dir, envSpec+"="+string(specJSON))
	ctl.Stderr = os.Stderr
	if err := ctl.Start(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := NewClient(dir)
	if err := c.WaitReady(ctx); err != nil {
		ctl.Process.Kill()
		ctl.Wait()
		t.Fatal(err)
	}
	info, err := c.Start(ctx, ProcSpec{Name: "sleeper", Office: "q", Args: []string{"sleep", "60"}})
	if err != nil {
		t.Fatal(err)
	}
	ctl.Process.Kill()
	ctl.Wait()
	if !alive(info.PID) {
		t.Fatalf("process %d died with its controller; the crash test needs it orphaned", info.PID)
	}
	if left, _ := listNetns(ctx, spec.Prefix); len(left) != 3 {
		t.Fatalf("after the crash %v are left, want hub and two offices", left)
	}
	if err := Teardown(ctx, dir, spec.Prefix); err != nil {
		t.Fatal(err)
	}
	if left, _ := listNetns(ctx, spec.Prefix); len(left) > 0 {
		t.Errorf("namespaces left after teardown: %v", left)
	}
	if alive(info.PID) {
		t.Errorf("orphaned process %d survived teardown", info.PID)
	}
	if _, err := os.Stat(SocketPath(dir)); !os.IsNotExist(err) {
		t.Errorf("socket left: %v", err)
	}
}
