package event

import (
	"crypto/ed25519"
	"testing"

	"pgregory.net/rapid"
)

// A batch check must accept exactly what one-by-one checks accept: whatever
// events of a batch are tampered with, and wherever they sit, exactly those
// are rejected and the rest pass in their order.
func TestVerifyBatchRejectsExactlyTheTampered(t *testing.T) {
	signers := []*Signer{newSigner(t), newSigner(t), newSigner(t)}
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 150).Draw(rt, "n")
		bad := map[int]bool{}
		var evs []*Event
		for i := range n {
			s := signers[rapid.IntRange(0, 2).Draw(rt, "signer")]
			e := sample(s)
			e.Seq = uint64(i + 1)
			s.Sign(e)
			switch rapid.IntRange(0, 9).Draw(rt, "fault") {
			case 0:
				e.Payload = append(e.Payload, '!')
				bad[i] = true
			case 1:
				e.Sig[rapid.IntRange(0, 63).Draw(rt, "byte")] ^= 1 << rapid.IntRange(0, 7).Draw(rt, "bit")
				bad[i] = true
			case 2:
				if o := signers[rapid.IntRange(0, 2).Draw(rt, "other")]; o != s {
					e.Origin = o.Origin()
					bad[i] = true
				}
			}
			evs = append(evs, e)
		}
		var v Verifier
		ok, rej := v.VerifyBatch(evs)
		if len(rej) != len(bad) {
			rt.Fatalf("%d rejected, %d tampered", len(rej), len(bad))
		}
		next := 0
		for i, e := range evs {
			if bad[i] {
				continue
			}
			if ok.Events()[next] != e {
				rt.Fatalf("event %d missing or out of order", i)
			}
			next++
		}
	})
}

// Signatures made before the switch to curve25519-voi (crypto/ed25519) are
// the same bytes: ed25519 signing is deterministic.
func TestSignaturesMatchCryptoEd25519(t *testing.T) {
	s := newSigner(t)
	e := sample(s)
	if want := ed25519.Sign(ed25519.PrivateKey(s.key), e.signedBytes()); string(want) != string(e.Sig) {
		t.Fatal("signature differs from crypto/ed25519's")
	}
}
