package netlab

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// killPatience is how long Cleanup waits for killed processes to leave a
// namespace before it gives up on them.
const killPatience = 5 * time.Second

// Cleanup removes every namespace whose name starts with prefix, after
// killing the processes inside. It needs nothing but the prefix, so it also
// cleans up after a controller that crashed: the TUN devices died with the
// controller's files, the processes and namespaces are found by name.
func Cleanup(ctx context.Context, prefix string) error {
	if err := checkPrefix(prefix); err != nil {
		return err
	}
	names, err := listNetns(ctx, prefix)
	if err != nil {
		return err
	}
	var errs []error
	for _, ns := range names {
		if err := killNetnsProcs(ctx, ns); err != nil {
			errs = append(errs, err)
		}
		if _, err := ip(ctx, "netns", "del", ns); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// killNetnsProcs SIGKILLs everything in a namespace and waits until it is
// gone (a process can only be listed while it still runs there).
func killNetnsProcs(ctx context.Context, ns string) error {
	deadline := time.Now().Add(killPatience)
	for {
		pids, err := netnsPids(ctx, ns)
		if err != nil || len(pids) == 0 {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("netlab: processes %v in %s survive SIGKILL", pids, ns)
		}
		for _, pid := range pids {
			if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("netlab: kill %d in %s: %w", pid, ns, err)
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("netlab: waiting for %s to empty: %w", ns, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}
