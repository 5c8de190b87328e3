// Package printroom is the dinas's KTP-el print room as the tests drive
// it: the blanks it holds, the cards the dinas acknowledged, and the rules
// each answer and the whole ledger must keep. A print is answered with
// the NIK and blank it asked for; a print sent again with its key is
// answered with its first decision; of two prints for one NIK at once the
// later revokes the earlier; per NIK the cards form one chain of
// replacements with exactly one card active, and no blank is printed
// twice.
//
// The simulator (testnet/sim) reaches the dinas in process, the lab
// (testnet/lab) over the API with failover across servers; both keep
// their prints and judge the answers here. The card-printing subsystem
// (cardprint) will own this logic when it comes; until then it lives once,
// here.
package printroom

import (
	"fmt"
	"maps"
	"slices"
)

// Card is a KTP-el print the dinas acknowledged: the blank printed for a
// NIK and the card it revoked (0: the NIK's first).
type Card struct {
	Key, NIK        string
	Serial, Revoked uint64
	// Job is how the print room sent it ("cetak", "kirim-ulang", …), At
	// the dinas server that answered (the lab's; the simulator has one).
	Job, At string
}

// Decided is the dinas's answer to a print: the NIK and blank it decided
// and the card it revoked.
type Decided struct {
	NIK             string
	Serial, Revoked uint64
}

// Issued is the card the dinas acknowledged for a print of nik on blank
// under key, and what is wrong if the answer names another NIK or blank.
func Issued(key, nik string, blank uint64, d Decided) (Card, string) {
	c := Card{Key: key, NIK: nik, Serial: blank, Revoked: d.Revoked}
	if d.NIK != nik || d.Serial != blank {
		return c, fmt.Sprintf("card %s for %s on blank %d decided as NIK %s blank %d", key, nik, blank, d.NIK, d.Serial)
	}
	return c, ""
}

// Resent judges the answer to a print sent again with its key: it must be
// the first decision, revoking nothing new.
func Resent(first Card, again Decided) string {
	if again.NIK != first.NIK || again.Serial != first.Serial || again.Revoked != first.Revoked {
		return fmt.Sprintf("resent card %s decided anew: NIK %s blank %d revoking %d, first %s %d revoking %d",
			first.Key, again.NIK, again.Serial, again.Revoked, first.NIK, first.Serial, first.Revoked)
	}
	return ""
}

// Concurrent works out which of two cards printed at once for one NIK is
// active, the later one, which revokes the earlier; if neither revokes the
// other, there is no answer and that is what is wrong.
func Concurrent(a, b Card) (active uint64, problem string) {
	switch {
	case b.Revoked == a.Serial:
		return b.Serial, ""
	case a.Revoked == b.Serial:
		return a.Serial, ""
	}
	return 0, fmt.Sprintf("cards %d and %d printed at once for %s, neither revoked the other (revoked %d, %d)",
		a.Serial, b.Serial, a.NIK, a.Revoked, b.Revoked)
}

// Chains works out, from the acknowledged cards alone, each NIK's active
// card and every revoked card, and what breaks the rules: a blank printed
// twice, a card revoking another NIK's card or one already revoked, a NIK
// without exactly one first card and one active card (it then has no
// active card in the result).
func Chains(cards []Card) (active map[string]uint64, revoked map[uint64]bool, probs []string) {
	printed := map[uint64]Card{}
	byNIK := map[string][]Card{}
	for _, c := range cards {
		if other, dup := printed[c.Serial]; dup {
			probs = append(probs, fmt.Sprintf("blank %d printed twice: %s for %s and %s for %s", c.Serial, other.Key, other.NIK, c.Key, c.NIK))
		}
		printed[c.Serial] = c
		byNIK[c.NIK] = append(byNIK[c.NIK], c)
	}
	active, revoked = map[string]uint64{}, map[uint64]bool{}
	for _, nik := range slices.Sorted(maps.Keys(byNIK)) {
		a, p := chain(nik, byNIK[nik], revoked)
		probs = append(probs, p...)
		if a != 0 {
			active[nik] = a
		}
	}
	return active, revoked, probs
}

// chain checks one NIK's cards: each revokes the one before (the first
// revokes nothing, none revokes another NIK's card or one already
// revoked), so exactly one is active. It marks the revoked cards.
func chain(nik string, cs []Card, revoked map[uint64]bool) (uint64, []string) {
	var probs []string
	mine := map[uint64]bool{}
	for _, c := range cs {
		mine[c.Serial] = true
	}
	firsts := 0
	for _, c := range cs {
		switch {
		case c.Revoked == 0:
			firsts++
		case !mine[c.Revoked]:
			probs = append(probs, fmt.Sprintf("card %d for %s revoked card %d, not one of its own", c.Serial, nik, c.Revoked))
		case revoked[c.Revoked]:
			probs = append(probs, fmt.Sprintf("card %d of %s revoked twice", c.Revoked, nik))
		}
		if c.Revoked != 0 {
			revoked[c.Revoked] = true
		}
	}
	var active []uint64
	for _, c := range cs {
		if !revoked[c.Serial] {
			active = append(active, c.Serial)
		}
	}
	if firsts != 1 || len(active) != 1 {
		probs = append(probs, fmt.Sprintf("%s has %d first cards and %d not revoked %v, want one of each", nik, firsts, len(active), active))
		return 0, probs
	}
	return active[0], probs
}

// Blanks are the blank serials allocated to the print room and not yet
// printed on.
type Blanks struct {
	free  []uint64
	boxes int // boxes asked for, for their keys
}

// Take takes a blank, asking the dinas for a box first when none is left:
// open is told which box this is (1, 2, …: its own key, since one job may
// open two boxes and a key reused would answer with a box already opened)
// and gives the box's serials from..to.
func (b *Blanks) Take(open func(box int) (from, to uint64, err error)) (uint64, error) {
	if len(b.free) == 0 {
		b.boxes++
		from, to, err := open(b.boxes)
		if err != nil {
			return 0, err
		}
		for s := from; s <= to; s++ {
			b.free = append(b.free, s)
		}
		if len(b.free) == 0 {
			return 0, fmt.Errorf("box %d of blanks is empty (%d..%d)", b.boxes, from, to)
		}
	}
	s := b.free[0]
	b.free = b.free[1:]
	return s, nil
}
