package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sinkron-id/sinkron/bench/sourceafis"
	"github.com/sinkron-id/sinkron/biometric/eval"
)

func main() {
	set := flag.String("set", "", "set directory written by `sinkron biometric gen`")
	out := flag.String("out", "", "scores file (default DIR/skor_sourceafis.csv)")
	flag.Parse()
	if err := run(*set, *out); err != nil {
		fmt.Fprintln(os.Stderr, "skor:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	if dir == "" {
		return fmt.Errorf("--set DIR is required")
	}
	if out == "" {
		out = filepath.Join(dir, "skor_sourceafis.csv")
	}
	sourceafis.Init()
	pairs, err := eval.ReadPairs(filepath.Join(dir, eval.PairsFile))
	if err != nil {
		return err
	}
	start := time.Now()
	scores, err := sourceafis.ScorePairs(dir, pairs)
	if err != nil {
		return err
	}
	if err := eval.WriteScores(out, scores); err != nil {
		return err
	}
	fmt.Printf("%d pairs scored by SourceAFIS in %v → %s\n", len(pairs), time.Since(start).Round(time.Millisecond), out)
	return nil
}
