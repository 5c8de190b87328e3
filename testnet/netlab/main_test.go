package netlab

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sync/atomic"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// The test binary doubles as the processes the lab tests run in
// namespaces: these variables pick a helper role instead of the tests.
const (
	envServe = "NETLAB_TEST_SERVE" // a controller: Serve(spec from env) in dir
	envSpec  = "NETLAB_TEST_SPEC"
	envEcho  = "NETLAB_TEST_ECHO" // a TCP echo server on this address
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(envServe); dir != "" {
		os.Exit(serveHelper(dir, os.Getenv(envSpec)))
	}
	if addr := os.Getenv(envEcho); addr != "" {
		os.Exit(echoHelper(addr))
	}
	goleak.VerifyTestMain(m)
}

func serveHelper(dir, specJSON string) int {
	var spec Spec
	if err := json.Unmarshal([]byte(specJSON), &spec); err != nil {
		fmt.Fprintln(os.Stderr, "serve helper:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	if err := Serve(ctx, spec, dir, Options{}); err != nil {
		fmt.Fprintln(os.Stderr, "serve helper:", err)
		return 1
	}
	return 0
}

func echoHelper(addr string) int {
	ln, err := net.Listen("tcp4", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "echo helper:", err)
		return 1
	}
	fmt.Println("echo helper listening on", ln.Addr())
	for {
		c, err := ln.Accept()
		if err != nil {
			return 1
		}
		go func() {
			defer c.Close()
			_, _ = io.Copy(c, c)
		}()
	}
}

// requireLab skips a test that needs root, /dev/net/tun and ip when they
// are missing, except under CI=true, where a skip would hide that the lab
// was never tested: there it fails.
func requireLab(t *testing.T) {
	t.Helper()
	why := labMissing()
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("netlab lab test %s; CI must run it, not skip it", why)
	}
	t.Skipf("netlab lab test %s", why)
}

// labMissing says what the machine lacks for a lab, or "".
func labMissing() string {
	if os.Geteuid() != 0 {
		return "needs root"
	}
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return fmt.Sprintf("needs /dev/net/tun: %v", err)
	}
	f.Close()
	if _, err := exec.LookPath("ip"); err != nil {
		return "needs iproute2's ip command"
	}
	return ""
}

// labSeq makes each test lab's prefix unique within this process, and the
// PID makes it unique among test processes running at once.
var labSeq atomic.Int32

func testPrefix() string {
	return fmt.Sprintf("nlt%x%d-", os.Getpid()&0xfffff, labSeq.Add(1))
}
