package sim

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/testnet/printroom"
)

// cards is what the print room was told: blanks allocated and not yet
// printed, and every card issued (testnet/printroom judges them).
type cards struct {
	blanks printroom.Blanks
	issued []printroom.Card
}

// issueCard prints a KTP-el at the dinas for a resident with a NIK, the
// ways the print room does it: a first card or a replacement, a counter
// resending after a lost answer, two officers printing for one NIK at
// once, and a print sent while the dinas server restarts. At most one card
// per NIK may be active, and a revoked card never again.
func (w *world) issueCard() {
	nik := w.cardholder()
	switch w.rng.IntN(5) {
	case 0:
		w.retriedIssue(nik)
	case 1:
		w.concurrentIssues(nik)
	case 2:
		w.issueAcrossRestart(nik)
	case 3:
		w.reusedBlank(nik)
	default:
		w.issue(nik, w.cardKey("a"))
	}
}

// cardholder picks a resident holding a NIK, in an order the seed decides.
func (w *world) cardholder() string {
	niks := make([]string, 0, len(w.niks))
	for nik := range w.niks {
		niks = append(niks, nik)
	}
	slices.Sort(niks)
	return niks[w.rng.IntN(len(niks))]
}

func (w *world) cardKey(tag string) string { return fmt.Sprintf("sim/kartu/%d/%s", w.step, tag) }

// issue prints one card and checks the answer as the print room would.
func (w *world) issue(nik, key string) (printroom.Card, bool) {
	blank, ok := w.blank()
	if !ok {
		return printroom.Card{}, false
	}
	d, err := w.decideRetrying(w.issueCmd(key, nik, blank))
	if err != nil {
		w.tracef("card for %s on blank %d: %v", nik, blank, err)
		return printroom.Card{}, false
	}
	c := w.acknowledge(key, nik, blank, d)
	w.tracef("card %d for %s (revokes %d)", blank, nik, c.Revoked)
	w.checkActive(nik, blank)
	return c, true
}

func (w *world) issueCmd(key, nik string, blank uint64) *eventpb.Command {
	return &eventpb.Command{Key: key, TimeMs: w.clock.now().UnixMilli(),
		Actor: &eventpb.Actor{Officer: w.officer(0), Office: w.name(0)},
		Op:    &eventpb.Command_IssueCard{IssueCard: &eventpb.IssueCard{Nik: nik, BlankSerial: blank, Reason: "pencetakan KTP-el"}}}
}

// acknowledge records an issued card, checking the decision names it.
func (w *world) acknowledge(key, nik string, blank uint64, d *eventpb.Decision) printroom.Card {
	c, prob := printroom.Issued(key, nik, blank, decided(d))
	if prob != "" {
		w.violate("step %d: %s", w.step, prob)
	}
	w.cards.issued = append(w.cards.issued, c)
	return c
}

// decided is a print's answer as the print room judges it.
func decided(d *eventpb.Decision) printroom.Decided {
	return printroom.Decided{NIK: d.Nik, Serial: d.SerialFrom, Revoked: d.RevokedCard}
}

// retriedIssue sends the same print twice with one key, as a counter
// whose answer was lost does: the second answer must be the first
// decision, and must not revoke the card the first one issued.
func (w *world) retriedIssue(nik string) {
	key := w.cardKey("ulang")
	c, ok := w.issue(nik, key)
	if !ok {
		return
	}
	again, err := w.decideRetrying(w.issueCmd(key, nik, c.Serial))
	if err != nil {
		w.violate("step %d: resending card %s for %s: %v", w.step, key, nik, err)
	} else if prob := printroom.Resent(c, decided(again)); prob != "" {
		w.violate("step %d: %s", w.step, prob)
	}
	w.tracef("resend card %d for %s with the same key", c.Serial, nik)
	w.checkActive(nik, c.Serial)
}

// concurrentIssues has two officers print a card for one NIK at once, on
// two blanks with two keys: Raft orders them, one revokes the other.
func (w *world) concurrentIssues(nik string) {
	b1, ok1 := w.blank()
	b2, ok2 := w.blank()
	if !ok1 || !ok2 {
		return
	}
	keys := [2]string{w.cardKey("a"), w.cardKey("b")}
	blanks := [2]uint64{b1, b2}
	var ds [2]*eventpb.Decision
	var errs [2]error
	var wg sync.WaitGroup
	for j := range 2 {
		cmd := w.issueCmd(keys[j], nik, blanks[j])
		wg.Go(func() { ds[j], errs[j] = w.decideRetrying(cmd) })
	}
	wg.Wait()
	var printed [2]printroom.Card
	for j := range 2 {
		if errs[j] != nil {
			w.violate("step %d: concurrent card %d for %s: %v", w.step, blanks[j], nik, errs[j])
			return
		}
		printed[j] = w.acknowledge(keys[j], nik, blanks[j], ds[j])
	}
	// The later of the two must have revoked the earlier.
	if _, prob := printroom.Concurrent(printed[0], printed[1]); prob != "" {
		w.violate("step %d: %s", w.step, prob)
	}
	w.tracef("cards %d and %d printed at once for %s", b1, b2, nik)
}

// issueAcrossRestart sends a print while the dinas server restarts (its
// Raft group loses its leader and elects again), then resends it with the
// same key as counter software does after an error: exactly one card
// comes of it, whether or not the first attempt was decided.
func (w *world) issueAcrossRestart(nik string) {
	blank, ok := w.blank()
	if !ok {
		return
	}
	key := w.cardKey("restart")
	cmd := w.issueCmd(key, nik, blank)
	d := w.office(0)
	var first *eventpb.Decision
	var firstErr error
	var wg sync.WaitGroup
	wg.Go(func() { first, firstErr = decideOnce(d.Decisions, proto.Clone(cmd).(*eventpb.Command)) })
	w.crash(0)
	wg.Wait()
	again, err := w.decideRetrying(cmd)
	if err != nil {
		w.violate("step %d: resending card %s for %s after the restart: %v", w.step, key, nik, err)
		return
	}
	if firstErr == nil && (first.SerialFrom != again.SerialFrom || first.RevokedCard != again.RevokedCard) {
		w.violate("step %d: card %s decided twice across a restart: %v then %v", w.step, key, first, again)
	}
	c := w.acknowledge(key, nik, blank, again)
	w.tracef("card %d for %s across a dinas restart (revokes %d)", blank, nik, c.Revoked)
	w.checkActive(nik, blank)
}

// reusedBlank prints on a blank already used: the dinas must refuse it
// and change nothing (the NIK keeps its card).
func (w *world) reusedBlank(nik string) {
	if len(w.cards.issued) == 0 {
		w.issue(nik, w.cardKey("a"))
		return
	}
	used := w.cards.issued[w.rng.IntN(len(w.cards.issued))].Serial
	before, err := w.activeCard(nik)
	if err != nil {
		w.tracef("active card of %s: %v", nik, err)
		return
	}
	_, err = w.decideRetrying(w.issueCmd(w.cardKey("bekas"), nik, used))
	if !errors.Is(err, decision.ErrRefused) {
		w.violate("step %d: printing %s on used blank %d was not refused: %v", w.step, nik, used, err)
	}
	w.tracef("card for %s on used blank %d refused (%v)", nik, used, err)
	w.checkActive(nik, before)
}

// blank takes an allocated blank serial, allocating a box when none is
// left.
func (w *world) blank() (uint64, bool) {
	b, err := w.cards.blanks.Take(func(int) (uint64, uint64, error) {
		d, err := w.decideRetrying(&eventpb.Command{Key: fmt.Sprintf("sim/blangko/%d/%d", w.step, len(w.cards.issued)),
			TimeMs: w.clock.now().UnixMilli(),
			Op:     &eventpb.Command_AllocateBlankSerials{AllocateBlankSerials: &eventpb.AllocateBlankSerials{Station: "ruang-cetak", Count: 4}}})
		if err != nil {
			return 0, 0, err
		}
		return d.SerialFrom, d.SerialTo, nil
	})
	if err != nil {
		w.tracef("blanks: %v", err)
		return 0, false
	}
	return b, true
}

// decideRetrying proposes cmd at the dinas and, on an error other than a
// refusal, resends it with the same key once a leader is back, as counter
// software does; a refusal is an answer.
func (w *world) decideRetrying(cmd *eventpb.Command) (*eventpb.Decision, error) {
	var err error
	for range 3 {
		var d *eventpb.Decision
		d, err = decideOnce(w.office(0).Decisions, proto.Clone(cmd).(*eventpb.Command))
		if err == nil || errors.Is(err, decision.ErrRefused) {
			return d, err
		}
		if _, lerr := w.nw.WaitLeader(10 * time.Second); lerr != nil {
			return nil, errors.Join(err, lerr)
		}
	}
	return nil, err
}

func decideOnce(s *decision.Service, cmd *eventpb.Command) (*eventpb.Decision, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return s.Decide(ctx, cmd)
}

// activeCard asks the dinas (linearizably) for a NIK's active card.
func (w *world) activeCard(nik string) (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return w.office(0).Decisions.ActiveCard(ctx, nik)
}

// checkActive: right after a print, the dinas names the card it expects.
func (w *world) checkActive(nik string, want uint64) {
	got, err := w.activeCard(nik)
	if err != nil || got != want {
		w.violate("step %d: active card of %s is %d, want %d (%v)", w.step, nik, got, want, err)
	}
}

// checkCards: every acknowledged card is recorded at every office as the
// dinas decided it; no blank was printed twice; per NIK the cards form one
// chain of replacements with exactly one card not revoked, which is the
// one every dinas server names active; and every dinas server holds the
// same decision state.
func (w *world) checkCards() {
	w.checkCardsRecorded()
	active, revoked, probs := printroom.Chains(w.cards.issued)
	for _, p := range probs {
		w.violate("%s", p)
	}
	for _, nik := range slices.Sorted(maps.Keys(active)) {
		w.checkActiveAtDinas(nik, active[nik], revoked)
	}
	w.checkDinasAgree()
}

// checkCardsRecorded: every office's replica of the decisions holds each
// acknowledged card as decided.
func (w *world) checkCardsRecorded() {
	for _, c := range w.cards.issued {
		for i, n := range w.nw.Nodes {
			d, ok, err := n.Decisions.Decided(c.Key)
			switch {
			case err != nil || !ok:
				w.violate("card %s (%d for %s) not recorded at %s (%v)", c.Key, c.Serial, c.NIK, w.name(i), err)
			case d.Nik != c.NIK || d.SerialFrom != c.Serial || d.RevokedCard != c.Revoked:
				w.violate("card %s at %s: NIK %s blank %d revoking %d, acknowledged %s %d revoking %d",
					c.Key, w.name(i), d.Nik, d.SerialFrom, d.RevokedCard, c.NIK, c.Serial, c.Revoked)
			}
		}
	}
}

// checkActiveAtDinas: every dinas server names a NIK's active card, and
// never a revoked one.
func (w *world) checkActiveAtDinas(nik string, active uint64, revoked map[uint64]bool) {
	for _, n := range w.nw.DinasNodes() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		got, err := n.Decisions.ActiveCard(ctx, nik)
		cancel()
		switch {
		case err != nil:
			w.violate("active card of %s at %s: %v", nik, n.Member().Office, err)
		case revoked[got]:
			w.violate("revoked card %d of %s is active again at %s", got, nik, n.Member().Office)
		case got != active:
			w.violate("active card of %s at %s is %d, want %d", nik, n.Member().Office, got, active)
		}
	}
}

// checkDinasAgree: every dinas server applied the same decisions.
func (w *world) checkDinasAgree() {
	var first [32]byte
	for i, n := range w.nw.DinasNodes() {
		h, err := n.DecisionFSM().StateHash()
		if err != nil {
			w.violate("decision state of %s: %v", n.Member().Office, err)
			continue
		}
		if i == 0 {
			first = h
		} else if h != first {
			w.violate("decision state of %s differs from the first dinas server's (%x vs %x)", n.Member().Office, h[:6], first[:6])
		}
	}
}
