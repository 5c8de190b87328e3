package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/testnet"
)

// Config is one simulated run.
type Config struct {
	Seed uint64
	// Kecamatan offices beside the dinas (default 3).
	Kecamatan int
	// Steps of workload and faults before the final heal (default 40).
	Steps int
	// Dir holds the offices' data directories.
	Dir    string
	Logger *slog.Logger
}

// Report is what a run did and found.
type Report struct {
	Seed  uint64
	Trace []string // one line per step, to read a failing seed's story
	// Acked counts the writes an office acknowledged; Conflicts the
	// concurrent edits made on purpose.
	Acked, Conflicts int
	// Violations are the broken invariants; empty means the run passed.
	Violations []string
}

// Failed reports whether an invariant broke.
func (r *Report) Failed() bool { return len(r.Violations) > 0 }

func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d: %d steps, %d acknowledged writes, %d concurrent edits\n", r.Seed, len(r.Trace), r.Acked, r.Conflicts)
	for _, t := range r.Trace {
		fmt.Fprintf(&b, "  %s\n", t)
	}
	for _, v := range r.Violations {
		fmt.Fprintf(&b, "VIOLATION: %s\n", v)
	}
	return b.String()
}

// world is the run's state: the regency, the clock, and what was promised.
type world struct {
	cfg    Config
	rng    *rand.Rand
	nw     *testnet.Network
	clock  *clock
	report *Report
	step   int

	acked      map[ref][]string  // entity → officer tags of its acknowledged changes
	conflicts  map[ref]bool      // entities edited concurrently on purpose; true once resolved
	backups    map[int]string    // office → copy of its data directory
	expecting  bool              // the changes being made are a planned conflict
	niks       map[string]string // NIK given → to whom
	leasedNIKs []lease           // NIKs given from leases, for the dinas to confirm
	cards      cards             // blanks allocated and cards printed at the dinas
	filings    map[string]filing // filing key → the filing, for a counter's retries
	backedUp   map[int]int       // office → the step its backup was taken
}

// ref names an entity the workload changed: a request or a resident.
type ref struct{ kind, id string }

const (
	kindRequest  = "permohonan"
	kindResident = "penduduk"
)

// Run plays one seed and checks the invariants. An error means the
// simulator itself could not run (a node would not start); a broken
// invariant is a Violation in the report.
func Run(cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	w := &world{
		cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed)),
		clock:  newClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC), cfg.Kecamatan+1),
		report: &Report{Seed: cfg.Seed}, acked: map[ref][]string{}, conflicts: map[ref]bool{}, backups: map[int]string{},
		niks: map[string]string{}, filings: map[string]filing{}, backedUp: map[int]int{},
	}
	nw, err := testnet.Start(cfg.Dir, testnet.Options{
		Dinas: 1, Kecamatan: cfg.Kecamatan, Logger: cfg.Logger, Mocknet: mocknet.New(),
		// Syncs the simulator does not ask for would make a run depend on
		// timing; a day stands for "never" within a run.
		SyncInterval: 24 * time.Hour, RaftHeartbeat: 100 * time.Millisecond,
		Now: w.clock.office,
	})
	if err != nil {
		return nil, fmt.Errorf("sim seed %d: %w", cfg.Seed, err)
	}
	defer nw.Close()
	w.nw = nw
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		return nil, err
	}
	w.settle()
	w.setup()
	w.settle()
	for w.step = 1; w.step <= cfg.Steps; w.step++ {
		w.clock.advance(time.Duration(30+w.rng.IntN(600)) * time.Second)
		w.act()
		w.settle()
	}
	w.finish()
	return w.report, nil
}

func (c Config) withDefaults() Config {
	if c.Kecamatan == 0 {
		c.Kecamatan = 3
	}
	if c.Steps == 0 {
		c.Steps = 40
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func (w *world) tracef(format string, args ...any) {
	w.report.Trace = append(w.report.Trace, fmt.Sprintf("%3d %s ", w.step, w.clock.now().Format("01-02 15:04"))+fmt.Sprintf(format, args...))
}

func (w *world) violate(format string, args ...any) {
	w.report.Violations = append(w.report.Violations, fmt.Sprintf(format, args...))
}

// office is node i (0 is the dinas).
func (w *world) office(i int) *node.Node { return w.nw.Nodes[i] }

func (w *world) name(i int) string { return w.office(i).Member().Office }

// settle lets the offices that can reach each other sync until nothing
// moves and the dinas has decided and published what was asked of it, so
// the next step starts from a state the seed alone determined.
func (w *world) settle() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	last := ""
	for round := 0; round < 50 && ctx.Err() == nil; round++ {
		var wg sync.WaitGroup
		for _, n := range w.nw.Nodes {
			wg.Go(func() { n.SyncNow(ctx) })
		}
		wg.Wait()
		w.waitDinas(ctx)
		w.waitIdle(ctx)
		now := w.vectors()
		if now == last {
			return
		}
		last = now
	}
	w.violate("step %d: the offices did not settle", w.step)
}

// waitDinas waits until every decision request the dinas holds is decided
// and every decision is published into its log.
func (w *world) waitDinas(ctx context.Context) {
	d := w.office(0)
	for ctx.Err() == nil {
		if pending, _ := undecided(d); pending == 0 && published(d) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// waitIdle waits until no office has a sync exchange in flight: a round's
// exchange may leave events out because another exchange is carrying them
// (antientropy's claims), so a round that moved nothing proves nothing
// while one is.
func (w *world) waitIdle(ctx context.Context) {
	for ctx.Err() == nil && slices.ContainsFunc(w.nw.Nodes, func(n *node.Node) bool { return !n.SyncIdle() }) {
		time.Sleep(5 * time.Millisecond)
	}
}

// vectors is every office's version vector, as one comparable string.
func (w *world) vectors() string {
	var b strings.Builder
	for _, n := range w.nw.Nodes {
		fmt.Fprintf(&b, "%v|", n.Store().Vector())
	}
	return b.String()
}

// finish heals every link and fault, lets everything converge, and checks
// the invariants.
func (w *world) finish() {
	w.step = w.cfg.Steps + 1
	w.clock.resetSkews()
	w.healAll()
	w.tracef("heal everything")
	w.settle()
	w.check()
}
