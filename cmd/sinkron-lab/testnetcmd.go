package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/sinkron-id/sinkron/testnet/lab"
	"github.com/sinkron-id/sinkron/testnet/netlab"
)

const testnetUsage = `usage: sinkron-lab testnet COMMAND [--dir STATE] …
  up [--kecamatan 5] [--dinas 3] [--profile 3g-kecamatan] [--prefix sk-] [--seed N] [--sinkron PATH]
  down | status
  cut OFFICE [--arah naik|turun|dua] | heal OFFICE [--arah …]
  degrade OFFICE PROFILE            (` + "3g-kecamatan, vsat, fiber-dinas, down" + `)
  pause OFFICE | resume OFFICE | kill OFFICE | start OFFICE
  run SCENARIO [--csv DIR] …        (offline-week, hari-penuh, kills-partitions)
STATE defaults to $SINKRON_TESTNET_DIR or ./testnet-state; every command needs root.
The nodes run the sinkron binary beside sinkron-lab, or --sinkron PATH.`

// testnetCmd runs `sinkron-lab testnet …`: a regency of real node processes in
// network namespaces (testnet/lab over testnet/netlab).
func testnetCmd(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New(testnetUsage)
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "up":
		return testnetUp(ctx, rest, out)
	case "serve": // hidden: the controller `up` starts
		fs, dir := testnetFlags("serve")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return lab.Serve(ctx, *dir)
	case "down":
		fs, dir := testnetFlags("down")
		if err := fs.Parse(rest); err != nil {
			return err
		}
		return lab.Down(ctx, *dir)
	case "status":
		return withLab(ctx, "status", rest, 0, func(l *lab.Lab, _ []string) error { return testnetStatus(ctx, l, out) })
	case "cut", "heal":
		return testnetCut(ctx, cmd, rest)
	case "degrade":
		return withLab(ctx, cmd, rest, 2, func(l *lab.Lab, a []string) error { return l.Degrade(ctx, a[0], a[1]) })
	case "pause", "resume", "kill", "start":
		return withLab(ctx, cmd, rest, 1, func(l *lab.Lab, a []string) error { return nodeAction(ctx, l, cmd, a[0]) })
	case "run":
		return testnetRun(ctx, rest, out)
	}
	return fmt.Errorf("unknown testnet command %q\n%s", cmd, testnetUsage)
}

// testnetFlags is a flag set with --dir.
func testnetFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("testnet "+name, flag.ContinueOnError)
	def := os.Getenv("SINKRON_TESTNET_DIR")
	if def == "" {
		def = "testnet-state"
	}
	dir := fs.String("dir", def, "state directory of the lab")
	return fs, dir
}

// parseInterleaved parses flags that may come after positional arguments.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// withLab opens the lab and runs fn with exactly n positional arguments.
func withLab(ctx context.Context, name string, args []string, n int, fn func(*lab.Lab, []string) error) error {
	fs, dir := testnetFlags(name)
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != n {
		return fmt.Errorf("testnet %s: want %d argument(s)\n%s", name, n, testnetUsage)
	}
	l, err := lab.Open(ctx, *dir)
	if err != nil {
		return err
	}
	defer l.Close()
	return fn(l, pos)
}

func testnetUp(ctx context.Context, args []string, out io.Writer) error {
	fs, dir := testnetFlags("up")
	kec := fs.Int("kecamatan", 5, "number of kecamatan offices")
	dinas := fs.Int("dinas", 3, "number of dinas servers (the Raft group)")
	profile := fs.String("profile", "3g-kecamatan", "link profile of the kecamatan")
	prefix := fs.String("prefix", netlab.DefaultPrefix, "name prefix of the lab's namespaces")
	seed := fs.Uint64("seed", 1, "seed of the links' random drops")
	sinkron := fs.String("sinkron", "", "the sinkron binary the nodes run (default: the one beside sinkron-lab, else on $PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ctl, err := os.Executable()
	if err != nil {
		return err
	}
	bin, err := nodeBinary(*sinkron, ctl)
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	start := time.Now()
	l, err := lab.Up(ctx, lab.Config{Dir: abs, Bin: bin, Controller: ctl, Dinas: *dinas, Kecamatan: *kec, Profile: *profile,
		Prefix: *prefix, Seed: *seed, Log: out})
	if err != nil {
		return err
	}
	defer l.Close()
	fmt.Fprintf(out, "lab up in %.1f s, state in %s\n", time.Since(start).Seconds(), abs)
	return testnetStatus(ctx, l, out)
}

// nodeBinary finds the sinkron binary the lab's nodes run: the one given,
// else the one beside this binary (as a release ships them), else the one
// on $PATH; as an absolute path, since the nodes start in other
// namespaces from the controller.
func nodeBinary(given, self string) (string, error) {
	if given == "" {
		beside := filepath.Join(filepath.Dir(self), "sinkron")
		if st, err := os.Stat(beside); err == nil && !st.IsDir() {
			given = beside
		} else if given, err = exec.LookPath("sinkron"); err != nil {
			return "", fmt.Errorf("no sinkron binary beside %s or on $PATH (go build -o %s ./cmd/sinkron, or --sinkron PATH)", self, beside)
		}
	}
	return filepath.Abs(given)
}

func testnetCut(ctx context.Context, cmd string, args []string) error {
	fs, dir := testnetFlags(cmd)
	arah := fs.String("arah", "dua", "arah: naik (yang dikirim kantor), turun (yang diterima) atau dua")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("testnet %s OFFICE [--arah naik|turun|dua]", cmd)
	}
	d, ok := map[string]netlab.Direction{"naik": netlab.DirUp, "turun": netlab.DirDown, "dua": netlab.DirBoth}[*arah]
	if !ok {
		return fmt.Errorf("--arah %q: pilih naik, turun atau dua", *arah)
	}
	l, err := lab.Open(ctx, *dir)
	if err != nil {
		return err
	}
	defer l.Close()
	if cmd == "cut" {
		return l.Cut(ctx, pos[0], d)
	}
	return l.Heal(ctx, pos[0], d)
}

func nodeAction(ctx context.Context, l *lab.Lab, cmd, office string) error {
	switch cmd {
	case "pause":
		return l.Pause(ctx, office)
	case "resume":
		return l.Resume(ctx, office)
	case "kill":
		return l.Kill(ctx, office)
	}
	return l.StartNode(ctx, office)
}

// testnetStatus prints each office: address, link, node process, and
// what its node reports.
func testnetStatus(ctx context.Context, l *lab.Lab, out io.Writer) error {
	snap, err := lab.TakeSnapshot(ctx, l, false)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OFFICE\tAPI\tLINK\tNODE\tEVENTS\tBEHIND\tPHOTOS MISSING\tUP KB\tDOWN KB")
	for _, o := range snap.Offices {
		node := fmt.Sprint(o.Events)
		if o.Err != "" {
			node = "—"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", o.Name, o.API, o.Link, o.Proc, node,
			snap.Behind(o.Name), o.BlobsMissing, o.BytesUp/1024, o.BytesDown/1024)
	}
	tw.Flush()
	fmt.Fprintf(out, "\nadmin: user adb, password in %s/lab.json; officers: kasi, info, opdin (dinas), loket-OFFICE, op-OFFICE (kecamatan)\n", l.State.Dir)
	return nil
}
