package netlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Namespaces are handled with iproute2's ip command rather than a netlink
// library: ip is on every Debian machine, its named namespaces
// (/run/netns/NAME) are what an operator inspects with `ip netns` anyway,
// `ip netns exec` is the simplest correct way to start a process inside
// one, and it adds no dependency. The few things ip cannot do from outside
// (creating a TUN device, writing a per-namespace sysctl, opening a socket)
// happen in a thread that has entered the namespace (inNetns).

// netnsDir is where ip keeps named namespaces.
const netnsDir = "/var/run/netns"

// ip runs the ip command and returns its output, with stderr in the error.
func ip(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "ip", args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("netlab: ip %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// listNetns returns the named namespaces that start with prefix.
func listNetns(ctx context.Context, prefix string) ([]string, error) {
	out, err := ip(ctx, "netns", "list")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, line := range strings.Split(out, "\n") {
		// Lines read "NAME" or "NAME (id: N)".
		fields := strings.Fields(line)
		if len(fields) > 0 && strings.HasPrefix(fields[0], prefix) {
			names = append(names, fields[0])
		}
	}
	return names, nil
}

// netnsPids lists the processes inside a namespace.
func netnsPids(ctx context.Context, name string) ([]int, error) {
	out, err := ip(ctx, "netns", "pids", name)
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(out) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("netlab: netns pids %s: %q: %w", name, f, err)
		}
		pids = append(pids, pid)
	}
	return pids, nil
}

// inNetns runs fn on an OS thread that has entered the named namespace.
// Sockets and TUN devices opened in fn stay in that namespace after it
// returns. The thread goes back to its namespace afterwards; if it cannot,
// it stays locked so the runtime discards it rather than reuse it in the
// wrong namespace.
func inNetns(name string, fn func() error) error {
	target, err := os.Open(filepath.Join(netnsDir, name))
	if err != nil {
		return fmt.Errorf("netlab: netns %s: %w", name, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	// A fresh goroutine, so a thread that cannot go back is thrown away
	// when it exits instead of locking up the caller's goroutine.
	go func() {
		runtime.LockOSThread()
		errc <- enterAndRun(int(target.Fd()), name, fn)
	}()
	return <-errc
}

// enterAndRun is inNetns's work on the locked thread; it unlocks the
// thread only when it is back in its own namespace.
func enterAndRun(target int, name string, fn func() error) error {
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	orig, err := os.Open(self)
	if err != nil {
		return fmt.Errorf("netlab: own netns: %w", err)
	}
	defer orig.Close()
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		runtime.UnlockOSThread()
		return fmt.Errorf("netlab: enter netns %s: %w", name, err)
	}
	fnErr := fn()
	if err := unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET); err != nil {
		return errors.Join(fnErr, fmt.Errorf("netlab: leave netns %s: %w", name, err))
	}
	runtime.UnlockOSThread()
	return fnErr
}

// writeSysctl sets a sysctl of the calling thread's namespace (call it in
// inNetns): /proc/sys/net follows the thread's namespace.
func writeSysctl(key, value string) error {
	path := "/proc/sys/" + strings.ReplaceAll(key, ".", "/")
	if err := os.WriteFile(path, []byte(value), 0); err != nil {
		return fmt.Errorf("netlab: sysctl %s=%s: %w", key, value, err)
	}
	return nil
}

// quietIPv6 turns IPv6 off in a namespace so the kernel's router
// solicitations and MLD reports do not cross the links and muddy the
// statistics; the lab is IPv4 only. Kernels without IPv6 have nothing to
// turn off.
func quietIPv6() error {
	for _, key := range []string{"net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6"} {
		if err := writeSysctl(key, "1"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}
