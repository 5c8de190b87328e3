package lab

import (
	"strings"
	"testing"
)

// TestCardChains: the card invariant passes a NIK's chain of
// replacements and names each way a ledger of cards can break the rules.
func TestCardChains(t *testing.T) {
	const a, b = "1806015708900003", "1806014501950001"
	good := []Card{
		{Key: "k1", NIK: a, Serial: 1},
		{Key: "k2", NIK: b, Serial: 2},
		{Key: "k3", NIK: a, Serial: 3, Revoked: 1},
		{Key: "k4", NIK: a, Serial: 4, Revoked: 3},
	}
	active, revoked, probs := cardChains(good)
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
		_, _, probs := cardChains(tc.cards)
		if !strings.Contains(strings.Join(probs, "; "), tc.want) {
			t.Errorf("%s: problems %v, want one saying %q", name, probs, tc.want)
		}
	}
}
