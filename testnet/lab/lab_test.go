package lab

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireLab skips without root, /dev/net/tun and ip, except under
// CI=true, where it fails: CI must run the lab, not skip it (as netlab).
func requireLab(t *testing.T) {
	t.Helper()
	why := ""
	if os.Geteuid() != 0 {
		why = "needs root"
	} else if f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0); err != nil {
		why = fmt.Sprintf("needs /dev/net/tun: %v", err)
	} else {
		f.Close()
		if _, err := exec.LookPath("ip"); err != nil {
			why = "needs iproute2's ip command"
		}
	}
	if why == "" {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("lab test %s; CI must run it, not skip it", why)
	}
	t.Skipf("lab test %s", why)
}

// TestKillsPartitions brings up 3 dinas servers and 2 kecamatan as real
// processes on fast links, runs the kills-partitions scenario (a cut
// kecamatan, a concurrent approve and cancel, SIGKILLs mid-workload and
// restarts, a SIGSTOPped server), checks every invariant after healing,
// and makes sure down leaves no namespace or process behind.
func TestKillsPartitions(t *testing.T) {
	requireLab(t)
	if raceEnabled {
		t.Skip("the nodes are separate processes; the race detector would only slow the driver (run without -race)")
	}
	dir := t.TempDir()
	bin, ctl := filepath.Join(dir, "sinkron"), filepath.Join(dir, "sinkron-lab")
	for path, pkg := range map[string]string{bin: "../../cmd/sinkron", ctl: "../../cmd/sinkron-lab"} {
		if out, err := exec.Command("go", "build", "-o", path, pkg).CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	prefix := fmt.Sprintf("slt%x-", os.Getpid()&0xfffff)
	state := filepath.Join(dir, "state")
	var log bytes.Buffer
	l, err := Up(ctx, Config{Dir: state, Bin: bin, Controller: ctl, Dinas: 3, Kecamatan: 2, Profile: "fiber-dinas", Prefix: prefix,
		SyncInterval: 2 * time.Second, Log: &log})
	if err != nil {
		t.Fatalf("up: %v\n%s", err, log.String())
	}
	defer func() {
		if err := Down(context.Background(), state); err != nil {
			t.Errorf("down: %v", err)
		}
		assertGone(t, prefix)
	}()
	rep, err := Run(ctx, l, "kills-partitions", Options{Others: 12, PhotoBytes: 5_000, Patience: 60 * time.Second,
		Sample: time.Second, Log: &log})
	var out bytes.Buffer
	if rep != nil {
		rep.Print(&out)
	}
	if err != nil {
		t.Fatalf("run: %v\n%s%s", err, log.String(), out.String())
	}
	if !rep.OK() {
		t.Fatalf("invariants broken:\n%s%s\nnode logs in %s/logs", log.String(), out.String(), state)
	}
	if got := len(rep.Ledger.Requests()); got < 20 {
		t.Errorf("only %d requests acknowledged", got)
	}
	if len(rep.Ledger.NIKs()) == 0 || len(rep.Ledger.Conflicts()) != 1 {
		t.Errorf("scenario did not exercise NIKs (%d) and a conflict (%d)", len(rep.Ledger.NIKs()), len(rep.Ledger.Conflicts()))
	}
	assertPrinted(t, rep.Ledger)
	if err := rep.WriteCSV(filepath.Join(dir, "report")); err != nil {
		t.Error(err)
	}
	t.Log("\n" + out.String())
}

// assertPrinted checks the print room did each kind of job the scenario
// promises: replacements, a resend with one key, two prints at once, a
// print through a follower, one sent to a killed server, a used blank.
func assertPrinted(t *testing.T, g *Ledger) {
	t.Helper()
	jobs := map[string]int{}
	replaced := 0
	for _, c := range g.Cards() {
		jobs[c.Job]++
		if c.Revoked != 0 {
			replaced++
		}
	}
	for _, j := range []string{jobResend, jobTwice, jobFollower, jobKilled} {
		if jobs[j] == 0 {
			t.Errorf("no card printed by job %s (printed: %v)", j, jobs)
		}
	}
	if replaced == 0 {
		t.Errorf("no replacement card among %d", len(g.Cards()))
	}
	if g.BlanksRefused == 0 {
		t.Error("no print on a used blank was tried and refused")
	}
}

// assertGone checks that no namespace of the lab is left.
func assertGone(t *testing.T, prefix string) {
	t.Helper()
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, prefix) {
			t.Errorf("namespace left after down: %s", line)
		}
	}
}
