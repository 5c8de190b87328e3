package testnet_test

import (
	"flag"
	"testing"

	"github.com/sinkron-id/sinkron/testnet/sim"
)

var (
	seeds    = flag.Int("seeds", 8, "how many seeds TestSim plays (CI plays more)")
	seedFrom = flag.Uint64("seed", 1, "the first seed TestSim plays: a failing seed replays with -seed=N -seeds=1")
	simSteps = flag.Int("sim-steps", 40, "workload and fault steps per seed")
)

// TestSim plays seeded runs of a regency under faults (see testnet/sim)
// and fails with the run's story when an invariant breaks:
//
//	go test ./testnet -run Sim -seeds=200
//	go test ./testnet -run Sim -seed=1234 -seeds=1 -v   # replay one
func TestSim(t *testing.T) {
	for s := *seedFrom; s < *seedFrom+uint64(*seeds); s++ {
		rep, err := sim.Run(sim.Config{Seed: s, Steps: *simSteps, Dir: t.TempDir()})
		if err != nil {
			t.Fatalf("seed %d: %v", s, err)
		}
		if rep.Failed() {
			t.Fatalf("seed %d failed; replay with -run Sim -seed=%d -seeds=1\n%s", s, s, rep)
		}
		if testing.Verbose() {
			t.Logf("%s", rep)
		}
	}
}
