package event

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/crypto"
)

func newSigner(t testing.TB) *Signer {
	t.Helper()
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func sample(s *Signer) *Event {
	e := &Event{
		Seq: 3, Time: 12345, Kind: "permohonan", Entity: "R1", Type: "permohonan.dibuat",
		Payload: []byte("payload"),
		Deps:    []ID{{Origin: s.Origin(), Seq: 2}},
		Blobs:   []Hash{{1, 2, 3}},
	}
	s.Sign(e)
	return e
}

func TestRoundTripAndVerify(t *testing.T) {
	s := newSigner(t)
	e := sample(s)
	b := e.Marshal()
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Marshal(), b) {
		t.Fatal("re-encoding differs")
	}
	var v Verifier
	if err := v.Verify(got); err != nil {
		t.Fatalf("verify: %v", err)
	}
}

func TestTamperedEventsFailVerification(t *testing.T) {
	s := newSigner(t)
	other := newSigner(t)
	tamper := map[string]func(e *Event){
		"payload":     func(e *Event) { e.Payload = []byte("Payload") },
		"seq":         func(e *Event) { e.Seq++ },
		"deps":        func(e *Event) { e.Deps = nil },
		"blobs":       func(e *Event) { e.Blobs[0][0] ^= 1 },
		"origin swap": func(e *Event) { e.Origin = other.Origin() },
		"time":        func(e *Event) { e.Time++ },
	}
	var v Verifier
	for name, f := range tamper {
		t.Run(name, func(t *testing.T) {
			e := sample(s)
			f(e)
			if err := v.Verify(e); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("want ErrBadSignature, got %v", err)
			}
		})
	}
}

func TestUnmarshalRejectsMalformed(t *testing.T) {
	s := newSigner(t)
	good := sample(s).Marshal()
	cases := map[string][]byte{
		"empty":     nil,
		"truncated": good[:len(good)-1],
		"trailing":  append(append([]byte(nil), good...), 0),
		"version":   append([]byte{9}, good[1:]...),
	}
	for name, b := range cases {
		if _, err := Unmarshal(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: want ErrMalformed, got %v", name, err)
		}
	}
}

func TestVerifyBatchKeepsGoodDropsForged(t *testing.T) {
	s := newSigner(t)
	var evs []*Event
	for i := range 40 {
		e := sample(s)
		e.Seq = uint64(i + 1)
		s.Sign(e)
		evs = append(evs, e)
	}
	evs[7].Payload = []byte("forged")
	var v Verifier
	ok, rej := v.VerifyBatch(evs)
	if len(ok.Events()) != 39 || len(rej) != 1 || rej[0].ID.Seq != 8 {
		t.Fatalf("got %d ok, rejections %v", len(ok.Events()), rej)
	}
}

func TestParseID(t *testing.T) {
	s := newSigner(t)
	id := ID{Origin: s.Origin(), Seq: 42}
	got, err := ParseID(id.String())
	if err != nil || got != id {
		t.Fatalf("ParseID(%q) = %v, %v", id, got, err)
	}
	for _, bad := range []string{"", "x/1", id.Origin.String() + "/0", id.Origin.String()} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
}

func FuzzUnmarshal(f *testing.F) {
	s := newSigner(f)
	f.Add(sample(s).Marshal())
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := Unmarshal(b)
		if err != nil {
			return
		}
		if !bytes.Equal(e.Marshal(), b) {
			t.Fatal("accepted non-canonical bytes")
		}
		var v Verifier
		_ = v.Verify(e)
	})
}

func TestParseHashRoundTrip(t *testing.T) {
	h := Hash{0xde, 0xad, 31: 0x01}
	got, err := ParseHash(h.String())
	if err != nil || got != h {
		t.Fatalf("ParseHash(%s) = %x, %v", h, got, err)
	}
	if _, err := ParseHash("zz"); err == nil {
		t.Fatal("accepted bad hex")
	}
}

func TestVerifyBatchHeldSkipsOnlyHeld(t *testing.T) {
	s := newSigner(t)
	a, b := sample(s), sample(s)
	b.Seq = 4
	s.Sign(b)
	a.Payload, b.Payload = []byte("tampered"), []byte("tampered")
	var v Verifier
	ok, rej := v.VerifyBatchHeld([]*Event{a, b}, func(e *Event) bool { return e.Seq == 3 })
	if len(ok.Events()) != 1 || ok.Events()[0] != a || len(rej) != 1 || rej[0].ID.Seq != 4 {
		t.Fatalf("held %d passed, rejections %v", len(ok.Events()), rej)
	}
}
