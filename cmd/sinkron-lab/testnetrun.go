package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sinkron-id/sinkron/testnet/lab"
)

// testnetRun runs a scenario on the lab that is up and prints its report;
// it fails if an invariant broke.
func testnetRun(ctx context.Context, args []string, out io.Writer) error {
	fs, dir := testnetFlags("run")
	csvDir := fs.String("csv", "", "write the report as CSV files and lag.png into this directory")
	days := fs.Int("hari", 5, "offline-week: working days filed while cut off")
	perDay := fs.Int("per-hari", 300, "requests per kecamatan per working day")
	others := fs.Int("lain", 20, "requests at each other kecamatan (kills-partitions: at every kecamatan)")
	photoKB := fs.Int("foto-kb", 30, "size of each photo in kB (two per request)")
	waitPhotos := fs.Bool("tunggu-foto", false, "fail unless every photo reaches the dinas within --sabar")
	patience := fs.Duration("sabar", 10*time.Minute, "how long to wait for the dinas and for convergence after healing")
	seed := fs.Uint64("seed", 1, "seed of the workload")
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("testnet run SCENARIO: one of %v", lab.Scenarios())
	}
	l, err := lab.Open(ctx, *dir)
	if err != nil {
		return err
	}
	defer l.Close()
	rep, err := lab.Run(ctx, l, pos[0], lab.Options{PerDay: *perDay, Days: *days, Others: *others,
		PhotoBytes: *photoKB * 1000, WaitPhotos: *waitPhotos, Patience: *patience, Seed: *seed, Log: out})
	if rep != nil {
		rep.Print(out)
		if *csvDir != "" {
			if werr := rep.WriteCSV(*csvDir); werr != nil {
				err = errors.Join(err, werr)
			} else {
				fmt.Fprintf(out, "\nlaporan: %s (samples.csv, marks.csv, figures.csv, invariants.csv, lag.png)\n", *csvDir)
			}
		}
	}
	if err != nil {
		return err
	}
	if !rep.OK() {
		return fmt.Errorf("skenario %s: invarian dilanggar", pos[0])
	}
	return nil
}
