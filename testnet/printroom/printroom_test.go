package printroom

import (
	"slices"
	"strings"
	"testing"
)

// TestChains: the card invariant passes a NIK's chain of
// replacements and names each way a ledger of cards can break the rules.
func TestChains(t *testing.T) {
	const a, b = "1806015708900003", "1806014501950001"
	good := []Card{
		{Key: "k1", NIK: a, Serial: 1},
		{Key: "k2", NIK: b, Serial: 2},
		{Key: "k3", NIK: a, Serial: 3, Revoked: 1},
		{Key: "k4", NIK: a, Serial: 4, Revoked: 3},
	}
	active, revoked, probs := Chains(good)
	if len(probs) > 0 {
		t.Fatalf("a good chain broke the rules: %v", probs)
	}
	if active[a] != 4 || active[b] != 2 || !revoked[1] || !revoked[3] || revoked[4] {
		t.Errorf("active %v, revoked %v; want %s on 4, %s on 2, 1 and 3 revoked", active, revoked, a, b)
	}
	for name, tc := range map[string]struct {
		cards []Card
		want  string
	}{
		"blank printed twice": {append(good, Card{Key: "k5", NIK: b, Serial: 3, Revoked: 2}), "printed twice"},
		"two active cards":    {append(good, Card{Key: "k5", NIK: a, Serial: 5}), "want one of each"},
		"revoked twice":       {append(good, Card{Key: "k5", NIK: a, Serial: 5, Revoked: 3}), "revoked twice"},
		"another NIK's card":  {append(good, Card{Key: "k5", NIK: b, Serial: 5, Revoked: 4}), "not one of its own"},
		"no first card":       {good[2:], "not one of its own"},
	} {
		_, _, probs := Chains(tc.cards)
		if !strings.Contains(strings.Join(probs, "; "), tc.want) {
			t.Errorf("%s: problems %v, want one saying %q", name, probs, tc.want)
		}
	}
}

// An answer is judged against the print that asked for it.
func TestAnswers(t *testing.T) {
	const nik = "1806015708900003"
	c, prob := Issued("k1", nik, 7, Decided{NIK: nik, Serial: 7, Revoked: 3})
	if prob != "" || c != (Card{Key: "k1", NIK: nik, Serial: 7, Revoked: 3}) {
		t.Fatalf("a right answer: %+v, %q", c, prob)
	}
	if _, prob := Issued("k1", nik, 7, Decided{NIK: nik, Serial: 8}); prob == "" {
		t.Error("an answer on another blank passed")
	}
	if prob := Resent(c, Decided{NIK: nik, Serial: 7, Revoked: 3}); prob != "" {
		t.Errorf("the first decision again: %q", prob)
	}
	if prob := Resent(c, Decided{NIK: nik, Serial: 7, Revoked: 7}); prob == "" {
		t.Error("a resent print decided anew passed")
	}
	a, b := Card{NIK: nik, Serial: 7}, Card{NIK: nik, Serial: 8, Revoked: 7}
	if active, prob := Concurrent(a, b); active != 8 || prob != "" {
		t.Errorf("the later revokes the earlier: active %d, %q", active, prob)
	}
	if active, prob := Concurrent(b, a); active != 8 || prob != "" {
		t.Errorf("in the other order: active %d, %q", active, prob)
	}
	if _, prob := Concurrent(a, Card{NIK: nik, Serial: 8}); prob == "" {
		t.Error("two first cards at once passed")
	}
}

// Blanks come out of boxes in order, a new box only when one is empty.
func TestBlanks(t *testing.T) {
	var b Blanks
	var opened []int
	open := func(box int) (uint64, uint64, error) {
		opened = append(opened, box)
		return uint64(box * 10), uint64(box*10 + 1), nil
	}
	var got []uint64
	for range 3 {
		s, err := b.Take(open)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if !slices.Equal(got, []uint64{10, 11, 20}) || !slices.Equal(opened, []int{1, 2}) {
		t.Fatalf("blanks %v from boxes %v", got, opened)
	}
	if _, err := new(Blanks).Take(func(int) (uint64, uint64, error) { return 5, 4, nil }); err == nil {
		t.Error("an empty box gave a blank")
	}
}
