package testnet

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
)

var (
	linDuration = flag.Duration("lin.duration", 9*time.Second, "how long TestDecisionsLinearizable runs its clients")
	linSeed     = flag.Uint64("lin.seed", 0, "seed of TestDecisionsLinearizable's clients and nemesis (0: from the clock)")
)

// dinasOnly as Options.Kecamatan starts no kecamatan.
const dinasOnly = -1

// The operations of the history, with what the model needs of each.
const (
	linAssign = iota // AssignNIK for a head (region ‖ DDMMYY)
	linLookup        // LookupNIK of head ‖ serial
	linIssue         // IssueCard for a NIK with a fresh blank
	linActive        // ActiveCard of a NIK
)

// linInput is an operation's input. Part is what the model partitions on:
// the 12-digit head for NIK operations, the NIK for card operations.
type linInput struct {
	Op      int
	Part    string
	Subject string // linAssign
	Serial  uint64 // linLookup: the NIK's serial; linIssue: the blank serial
	Key     string // writes: the command key (for the visualization)
}

// linOutput is what the cluster answered.
type linOutput struct {
	NIK    string // linAssign: the NIK given
	Holder string // linLookup
	Found  bool   // linLookup
	Card   uint64 // linIssue: the card revoked (0: none); linActive: the active card
}

// linHeads are the (region, birth date, sex) the clients ask NIKs for.
var linHeads = []struct {
	region, birth string
	female        bool
	head          string
}{
	{"180601", "1990-08-17", false, "180601170890"},
	{"180601", "1990-08-17", true, "180601570890"},
	{"180602", "1985-03-02", false, "180602020385"},
	{"180603", "2001-12-31", true, "180603711201"},
}

// linCardNIKs are the NIKs cards are issued for.
var linCardNIKs = []string{"1806011708900001", "1806015708900001", "1806020203850001"}

// linModel is the decision machine's sequential specification, per
// partition: a head's state is how many serials it has given (the FSM gives
// the lowest free one; there are no leases here), a NIK's is its active card.
// holders maps every NIK some assignment returned to that assignment's
// subject: a lookup of a serial the head has given must find that subject.
func linModel(holders map[string]string) porcupine.Model {
	return porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			idx := map[string]int{}
			var out [][]porcupine.Operation
			for _, op := range history {
				p := op.Input.(linInput).Part
				i, ok := idx[p]
				if !ok {
					i = len(out)
					idx[p] = i
					out = append(out, nil)
				}
				out[i] = append(out[i], op)
			}
			return out
		},
		Init: func() any { return uint64(0) },
		Step: func(state, input, output any) (bool, any) {
			s, in, out := state.(uint64), input.(linInput), output.(linOutput)
			switch in.Op {
			case linAssign:
				return out.NIK == fmt.Sprintf("%s%04d", in.Part, s+1), s + 1
			case linLookup:
				if in.Serial > s {
					return !out.Found && out.Holder == "", s
				}
				h, ok := holders[fmt.Sprintf("%s%04d", in.Part, in.Serial)]
				return ok && out.Found && out.Holder == h, s
			case linIssue:
				return out.Card == s, in.Serial
			case linActive:
				return out.Card == s, s
			}
			return false, s
		},
		DescribeOperation: func(input, output any) string {
			in, out := input.(linInput), output.(linOutput)
			switch in.Op {
			case linAssign:
				return fmt.Sprintf("assign(%s, %s) → %s", in.Part, in.Subject, out.NIK)
			case linLookup:
				return fmt.Sprintf("lookup(%s%04d) → %q %v", in.Part, in.Serial, out.Holder, out.Found)
			case linIssue:
				return fmt.Sprintf("issue(%s, blank %d) → revoked %d", in.Part, in.Serial, out.Card)
			case linActive:
				return fmt.Sprintf("active(%s) → %d", in.Part, out.Card)
			}
			return "?"
		},
		DescribeState: func(state any) string { return fmt.Sprint(state) },
	}
}

// linNodes is the clients' view of the dinas nodes; the nemesis swaps a
// restarted node in (the Network's own slice is the nemesis's alone).
type linNodes [3]atomic.Pointer[node.Node]

func (ns *linNodes) pick(r *rand.Rand) *node.Node { return ns[r.IntN(len(ns))].Load() }

// linClient issues operations and records the history it saw.
type linClient struct {
	id     int
	r      *rand.Rand
	nodes  *linNodes
	start  time.Time
	blanks *atomic.Uint64
	issued []atomic.Int64 // per head: the highest serial seen given (lookups aim around it)
	ops    []porcupine.Operation
	failed map[string]int // reads dropped, by error
}

func (c *linClient) now() int64 { return time.Since(c.start).Nanoseconds() }

// write decides cmd, retrying with the same key (the FSM is idempotent by
// key: a retry is the same operation) on any node until it is decided.
func (c *linClient) write(ctx context.Context, cmd *eventpb.Command) (*eventpb.Decision, error) {
	giveUp := time.Now().Add(25 * time.Second)
	for {
		var d *eventpb.Decision
		svc := c.nodes.pick(c.r).Decisions
		err := callWithin(ctx, func(ctx context.Context) (err error) {
			d, err = svc.Decide(ctx, cmd)
			return err
		})
		if errors.Is(err, errStuck) {
			return nil, err // d may still be written by the abandoned call
		}
		if err == nil || errors.Is(err, decision.ErrRefused) || time.Now().After(giveUp) {
			return d, err
		}
		time.Sleep(time.Duration(5+c.r.IntN(20)) * time.Millisecond)
	}
}

var errStuck = errors.New("call still blocked 10 s past its deadline")

// callWithin runs f with a 2 s deadline. A call that overstays it by 10 s is
// abandoned and reported, so a stuck node fails the test instead of
// hanging it; f must then touch nothing the caller reads.
func callWithin(ctx context.Context, f func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f(ctx) }()
	select {
	case err := <-done:
		return err
	case <-time.After(12 * time.Second):
		return errStuck
	}
}

func (c *linClient) record(in linInput, out linOutput, call int64) {
	c.ops = append(c.ops, porcupine.Operation{ClientId: c.id, Input: in, Output: out, Call: call, Return: c.now()})
}

// one runs a random operation. A write that fails for good is an error; a
// read that fails has no effect and is left out of the history.
func (c *linClient) one(ctx context.Context, seq int) error {
	h := c.r.IntN(len(linHeads))
	head := linHeads[h]
	call := c.now()
	switch p := c.r.IntN(10); {
	case p < 4:
		subject := fmt.Sprintf("penduduk-%d-%d", c.id, seq)
		key := fmt.Sprintf("lin/%d/%d", c.id, seq)
		d, err := c.write(ctx, &eventpb.Command{Key: key, Op: &eventpb.Command_AssignNik{AssignNik: &eventpb.AssignNIK{
			Region: head.region, BirthDate: head.birth, Female: head.female, Subject: subject}}})
		if err != nil {
			return fmt.Errorf("assign %s: %v", key, err)
		}
		c.record(linInput{Op: linAssign, Part: head.head, Subject: subject, Key: key}, linOutput{NIK: d.Nik}, call)
		if len(d.Nik) == 16 {
			raise(&c.issued[h], int64(atoi4(d.Nik[12:])))
		}
	case p < 6:
		serial := uint64(1 + c.r.Int64N(c.issued[h].Load()+3))
		nik := fmt.Sprintf("%s%04d", head.head, serial)
		var holder string
		var ok bool
		svc := c.nodes.pick(c.r).Decisions
		err := callWithin(ctx, func(ctx context.Context) (err error) {
			holder, ok, err = svc.LookupNIK(ctx, nik)
			return err
		})
		if errors.Is(err, errStuck) {
			return fmt.Errorf("lookup %s: %w", nik, err)
		}
		if err != nil {
			c.dropped(err)
			return nil
		}
		c.record(linInput{Op: linLookup, Part: head.head, Serial: serial}, linOutput{Holder: holder, Found: ok}, call)
	case p < 8:
		nik := linCardNIKs[c.r.IntN(len(linCardNIKs))]
		blank := c.blanks.Add(1)
		key := fmt.Sprintf("lin/%d/%d", c.id, seq)
		d, err := c.write(ctx, &eventpb.Command{Key: key, Op: &eventpb.Command_IssueCard{IssueCard: &eventpb.IssueCard{Nik: nik, BlankSerial: blank}}})
		if err != nil {
			return fmt.Errorf("issue %s: %v", key, err)
		}
		c.record(linInput{Op: linIssue, Part: nik, Serial: blank, Key: key}, linOutput{Card: d.RevokedCard}, call)
	default:
		nik := linCardNIKs[c.r.IntN(len(linCardNIKs))]
		var card uint64
		svc := c.nodes.pick(c.r).Decisions
		err := callWithin(ctx, func(ctx context.Context) (err error) {
			card, err = svc.ActiveCard(ctx, nik)
			return err
		})
		if errors.Is(err, errStuck) {
			return fmt.Errorf("active card of %s: %w", nik, err)
		}
		if err != nil {
			c.dropped(err)
			return nil
		}
		c.record(linInput{Op: linActive, Part: nik}, linOutput{Card: card}, call)
	}
	return nil
}

// dropped counts a failed read by its error (the first line, without the
// varying parts after a colon's last occurrence).
func (c *linClient) dropped(err error) {
	msg := err.Error()
	if i := strings.Index(msg, " (last: "); i >= 0 {
		msg = msg[:i] + " (retried)"
	}
	c.failed[msg]++
}

// raise sets v to n if n is larger.
func raise(v *atomic.Int64, n int64) {
	for cur := v.Load(); n > cur && !v.CompareAndSwap(cur, n); cur = v.Load() {
	}
}

func atoi4(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// nemesis breaks the cluster every 0.5–1.2 s until end, one fault at a time,
// each healed before the next: the leader crashes and comes back a little
// later, the leader loses its link to one follower, the leader is isolated
// from both (a minority leader), a follower crashes and restarts.
func nemesis(t *testing.T, nw *Network, nodes *linNodes, r *rand.Rand, end time.Time) []string {
	var log []string
	sleep := func(lo, hi time.Duration) { time.Sleep(lo + time.Duration(r.Int64N(int64(hi-lo)))) }
	dinas := func() []*node.Node { return nw.DinasNodes() }
	leaderIdx := func() int {
		for i, n := range dinas() {
			if n.Cluster().IsLeader() {
				return i
			}
		}
		return -1
	}
	broken := false // a node failed to stop or start: no more faults
	restart := func(i int) {
		if bounded(t, fmt.Sprintf("restart dinas %d", i), func() error { return restartRecovering(nw, i) }) {
			nodes[i].Store(nw.DinasNodes()[i])
		} else {
			broken = true
		}
	}
	var faults []int
	for time.Now().Before(end) && !broken {
		sleep(500*time.Millisecond, 1200*time.Millisecond)
		if !time.Now().Before(end) {
			break
		}
		l := leaderIdx()
		if l < 0 {
			continue
		}
		if len(faults) == 0 {
			faults = r.Perm(4)
		}
		f, other := faults[0], (l+1+r.IntN(2))%3
		faults = faults[1:]
		switch f {
		case 0:
			log = append(log, fmt.Sprintf("crash leader %d", l))
			if !bounded(t, fmt.Sprintf("close dinas %d", l), dinas()[l].Close) {
				broken = true
				break
			}
			sleep(300*time.Millisecond, time.Second)
			restart(l)
		case 1:
			log = append(log, fmt.Sprintf("cut leader %d from %d", l, other))
			nw.Cut(dinas()[l], dinas()[other])
			sleep(700*time.Millisecond, 1500*time.Millisecond)
			nw.Heal(dinas()[l], dinas()[other])
		case 2:
			log = append(log, fmt.Sprintf("isolate leader %d", l))
			for j := range dinas() {
				if j != l {
					nw.Cut(dinas()[l], dinas()[j])
				}
			}
			sleep(700*time.Millisecond, 1500*time.Millisecond)
			for j := range dinas() {
				if j != l {
					nw.Heal(dinas()[l], dinas()[j])
				}
			}
		case 3:
			log = append(log, fmt.Sprintf("restart follower %d", other))
			restart(other)
		}
	}
	return log
}

// Clients decide and read through random dinas nodes while a nemesis
// crashes, restarts and partitions them; the history must be linearizable
// against the decision machine's specification, no NIK may have two
// holders nor a NIK two active cards, and every replica must end in the
// same state.
func TestDecisionsLinearizable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs ~15 s with crashes and partitions")
	}
	seed := *linSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (-lin.seed to replay the schedule)", seed)
	nw, err := Start(t.TempDir(), Options{Dinas: 3, Kecamatan: dinasOnly, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	leader, err := nw.WaitLeader(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const blankCount = 100000
	blanks, err := leader.Decisions.Decide(ctx, &eventpb.Command{Op: &eventpb.Command_AllocateBlankSerials{
		AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "cetak-linearizable", Count: blankCount}}})
	if err != nil || blanks.SerialFrom != 1 {
		t.Fatalf("blanks %v %v", blanks, err)
	}
	var nodes linNodes
	for i, n := range nw.DinasNodes() {
		nodes[i].Store(n)
	}

	start := time.Now()
	end := start.Add(*linDuration)
	var nextBlank atomic.Uint64
	issued := make([]atomic.Int64, len(linHeads))
	clients := make([]*linClient, 6)
	var wg sync.WaitGroup
	for i := range clients {
		c := &linClient{id: i, r: rand.New(rand.NewPCG(seed, uint64(i+1))), nodes: &nodes, start: start, blanks: &nextBlank, issued: issued, failed: map[string]int{}}
		clients[i] = c
		wg.Go(func() {
			for seq := 0; time.Now().Before(end); seq++ {
				if err := c.one(ctx, seq); err != nil {
					t.Errorf("client %d: %v", c.id, err)
					return
				}
			}
		})
	}
	var faults []string
	wg.Go(func() { faults = nemesis(t, nw, &nodes, rand.New(rand.NewPCG(seed, 0)), end) })
	wg.Wait()
	if nextBlank.Load() > blankCount {
		t.Fatalf("%d cards issued: more than the %d blanks allocated", nextBlank.Load(), blankCount)
	}
	if t.Failed() {
		t.FailNow()
	}

	var history []porcupine.Operation
	counts, dropped, reasons := map[int]int{}, 0, map[string]int{}
	for _, c := range clients {
		history = append(history, c.ops...)
		for why, n := range c.failed {
			dropped += n
			reasons[why] += n
		}
		for _, op := range c.ops {
			counts[op.Input.(linInput).Op]++
		}
	}
	t.Logf("%d operations in %v (assign %d, lookup %d, issue %d, active %d; %d failed reads dropped); faults: %v; failed reads: %v",
		len(history), time.Since(start).Round(time.Millisecond), counts[linAssign], counts[linLookup], counts[linIssue], counts[linActive], dropped, faults, reasons)
	if counts[linAssign] == 0 || counts[linLookup] == 0 || counts[linIssue] == 0 || counts[linActive] == 0 {
		t.Fatalf("an operation kind never succeeded: %v", counts)
	}

	holders := map[string]string{}
	for _, op := range history {
		if in := op.Input.(linInput); in.Op == linAssign {
			holders[op.Output.(linOutput).NIK] = in.Subject
		}
	}
	model := linModel(holders)
	checkStart := time.Now()
	res, info := porcupine.CheckOperationsVerbose(model, history, 30*time.Second)
	t.Logf("porcupine: %s in %v", res, time.Since(checkStart).Round(time.Millisecond))
	if res != porcupine.Ok {
		if f, err := os.CreateTemp("", "sinkron-linearizability-*.html"); err == nil {
			if err := porcupine.Visualize(model, info, f); err == nil {
				t.Logf("visualization: %s", f.Name())
			}
			f.Close()
		}
		t.Fatalf("history is not shown linearizable: %s", res)
	}

	checkStart = time.Now()
	checkReplicas(t, nw, history)
	t.Logf("replicas converged and checked in %v", time.Since(checkStart).Round(time.Millisecond))
}

// checkReplicas waits for the healed cluster to converge, then checks that
// every replica holds the same state and the decisions keep the invariants.
func checkReplicas(t *testing.T, nw *Network, history []porcupine.Operation) {
	t.Helper()
	leader, err := nw.WaitLeader(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	dinas := nw.DinasNodes()
	same := func() bool {
		a0, d0 := dinas[0].DecisionFSM().Counts()
		for _, n := range dinas[1:] {
			if a, d := n.DecisionFSM().Counts(); a != a0 || d != d0 {
				return false
			}
		}
		_, dl := leader.DecisionFSM().Counts()
		return dl == d0
	}
	waitFor(t, "every dinas replica applies the same decisions", same)
	var hashes [][32]byte
	for _, n := range dinas {
		h, err := n.DecisionFSM().StateHash()
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	if hashes[1] != hashes[0] || hashes[2] != hashes[0] {
		t.Fatalf("replicas differ after healing: %x %x %x", hashes[0][:6], hashes[1][:6], hashes[2][:6])
	}

	// Walk every decision: one holder per NIK, serials given densely from 1
	// per head, and a card revokes exactly the NIK's previous active card.
	_, count := leader.DecisionFSM().Counts()
	nikHolder := map[string]string{}
	given := map[string]int{}
	decided := map[string]*eventpb.Decision{}
	active := map[string]uint64{}
	issuedCards, revokedCards := map[string][]uint64{}, map[string][]uint64{}
	blankUsed := map[uint64]string{}
	ds, err := leader.DecisionFSM().Decisions(1, count)
	if err != nil {
		t.Fatal(err)
	}
	for j, d := range ds {
		i := uint64(j) + 1
		if d.Number != i {
			t.Fatalf("decision %d numbered %d", i, d.Number)
		}
		if _, dup := decided[d.Key]; dup {
			t.Fatalf("key %s decided twice", d.Key)
		}
		decided[d.Key] = d
		if d.Refused != "" {
			t.Fatalf("decision %d (%s) refused: %s", i, d.Key, d.Refused)
		}
		switch c := d.Command; {
		case c.GetAssignNik() != nil:
			subject := c.GetAssignNik().Subject
			if prev, ok := nikHolder[d.Nik]; ok {
				t.Fatalf("NIK %s given to %s and %s", d.Nik, prev, subject)
			}
			nikHolder[d.Nik] = subject
			head := d.Nik[:12]
			given[head]++
			if want := fmt.Sprintf("%s%04d", head, given[head]); d.Nik != want {
				t.Fatalf("decision %d gave %s, want the lowest free %s", i, d.Nik, want)
			}
		case c.GetIssueCard() != nil:
			nik, blank := c.GetIssueCard().Nik, c.GetIssueCard().BlankSerial
			if other, ok := blankUsed[blank]; ok {
				t.Fatalf("blank %d used for %s and %s", blank, other, nik)
			}
			blankUsed[blank] = nik
			if d.RevokedCard != active[nik] {
				t.Fatalf("card %d for %s revoked %d, but %d was active", blank, nik, d.RevokedCard, active[nik])
			}
			issuedCards[nik] = append(issuedCards[nik], blank)
			if d.RevokedCard != 0 {
				revokedCards[nik] = append(revokedCards[nik], d.RevokedCard)
			}
			active[nik] = blank
		}
	}
	ctx := context.Background()
	for _, nik := range linCardNIKs {
		var live []uint64
		for _, c := range issuedCards[nik] {
			if !slices.Contains(revokedCards[nik], c) {
				live = append(live, c)
			}
		}
		if len(live) > 1 {
			t.Fatalf("NIK %s has %d active cards: %v", nik, len(live), live)
		}
		for _, n := range dinas {
			got, err := n.Decisions.ActiveCard(ctx, nik)
			if err != nil || got != active[nik] || (len(live) == 1 && live[0] != got) {
				t.Fatalf("%s: active card of %s is %d (%v), the decisions say %d", n.Member().Office, nik, got, err, active[nik])
			}
		}
	}
	// Every acknowledged write is among the decisions, with what its client was told.
	for _, op := range history {
		in, out := op.Input.(linInput), op.Output.(linOutput)
		if in.Key == "" {
			continue
		}
		d, ok := decided[in.Key]
		switch {
		case !ok:
			t.Fatalf("acknowledged %s is not among the decisions", in.Key)
		case in.Op == linAssign && d.Nik != out.NIK, in.Op == linIssue && d.RevokedCard != out.Card:
			t.Fatalf("%s: the client was told %+v, the decision is %v", in.Key, out, d)
		}
	}
	t.Logf("%d decisions, %d NIKs over %d heads, cards active %v; replicas' state %x", count, len(nikHolder), len(given), active, hashes[0][:8])
}

// bounded runs f and fails the test if it errs or is still blocked after
// 20 s (a node that cannot stop: the test then ends instead of hanging).
func bounded(t *testing.T, what string, f func() error) bool {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
		return err == nil
	case <-time.After(20 * time.Second):
		t.Errorf("%s: still blocked after 20 s", what)
		return false
	}
}

// The model is not vacuous: it refuses a stale card read, a NIK given out
// of order, and a lookup that misses a NIK given before it started.
func TestLinearizabilityModelRefuses(t *testing.T) {
	const head, nik = "180601170890", "1806011708900001"
	model := linModel(map[string]string{head + "0001": "a", head + "0002": "b"})
	op := func(c int, call, ret int64, in linInput, out linOutput) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Call: call, Return: ret, Input: in, Output: out}
	}
	assign := func(c int, call, ret int64, subject, got string) porcupine.Operation {
		return op(c, call, ret, linInput{Op: linAssign, Part: head, Subject: subject}, linOutput{NIK: head + got})
	}
	ok := []porcupine.Operation{
		assign(0, 0, 10, "a", "0001"),
		assign(1, 5, 30, "b", "0002"),
		op(2, 12, 20, linInput{Op: linLookup, Part: head, Serial: 2}, linOutput{}), // b's may not be decided yet
		op(0, 11, 20, linInput{Op: linIssue, Part: nik, Serial: 7}, linOutput{}),
		op(1, 31, 40, linInput{Op: linActive, Part: nik}, linOutput{Card: 7}),
	}
	if res := porcupine.CheckOperationsTimeout(model, ok, time.Second); res != porcupine.Ok {
		t.Fatalf("a linearizable history judged %s", res)
	}
	bad := map[string][]porcupine.Operation{
		"stale card read": {
			op(0, 0, 10, linInput{Op: linIssue, Part: nik, Serial: 7}, linOutput{}),
			op(1, 11, 20, linInput{Op: linActive, Part: nik}, linOutput{Card: 0}),
		},
		"serials out of order": {
			assign(0, 0, 10, "a", "0002"),
			assign(1, 11, 20, "b", "0001"),
		},
		"lookup misses a given NIK": {
			assign(0, 0, 10, "a", "0001"),
			op(1, 11, 20, linInput{Op: linLookup, Part: head, Serial: 1}, linOutput{}),
		},
		"lookup finds the wrong holder": {
			assign(0, 0, 10, "a", "0001"),
			op(1, 11, 20, linInput{Op: linLookup, Part: head, Serial: 1}, linOutput{Holder: "b", Found: true}),
		},
		"card revokes the wrong one": {
			op(0, 0, 10, linInput{Op: linIssue, Part: nik, Serial: 7}, linOutput{}),
			op(1, 11, 20, linInput{Op: linIssue, Part: nik, Serial: 8}, linOutput{Card: 0}),
		},
	}
	for name, h := range bad {
		if res := porcupine.CheckOperationsTimeout(model, h, time.Second); res != porcupine.Illegal {
			t.Errorf("%s: judged %s", name, res)
		}
	}
}
