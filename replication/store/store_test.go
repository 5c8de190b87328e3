package store

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
	"pgregory.net/rapid"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// kvFolder reads payloads "field=value" and stores the fields as JSON, with
// conflicting fields listed, so tests can compare states.
type kvFolder struct{}

func (kvFolder) Fold(evs []*event.Event) (Folded, error) {
	st, err := fold.Fold(evs, func(e *event.Event) ([]fold.Write, error) {
		f, v, _ := strings.Cut(string(e.Payload), "=")
		return []fold.Write{{Field: f, Value: []byte(v)}}, nil
	})
	if err != nil {
		return Folded{}, err
	}
	out := map[string][]string{}
	for f, vs := range st.Fields {
		for _, v := range vs {
			out[f] = append(out[f], string(v.Value))
		}
	}
	b, _ := json.Marshal(out)
	return Folded{State: b, Heads: st.Heads, Conflicts: st.Conflicts()}, nil
}

func newSigner(t testing.TB) *event.Signer {
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := event.NewSigner(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type wall struct{ t time.Time }

func (w *wall) now() time.Time { w.t = w.t.Add(time.Millisecond); return w.t }

func openStore(t testing.TB, dir string, s *event.Signer, admit func(peer.ID) bool) *Store {
	t.Helper()
	w := &wall{t: time.Unix(1_700_000_000, 0)}
	st, err := Open(Options{
		Dir: dir, InMemory: dir == "", Signer: s, Clock: hlc.NewClock(w.now, time.Minute),
		Admit: admit, Folders: map[string]Folder{"kv": kvFolder{}}, MemTableSize: 1 << 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func put(t testing.TB, st *Store, entity, kv string) *event.Event {
	t.Helper()
	e, err := st.Append(Draft{Kind: "kv", Entity: entity, Type: "set", Payload: []byte(kv)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// syncInto copies what dst lacks from src, as a peer would.
func syncInto(t testing.TB, dst, src *Store) Result {
	t.Helper()
	var evs []*event.Event
	err := src.Scan(dst.Vector(), func(raw []byte) error {
		e, err := event.Unmarshal(raw)
		evs = append(evs, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := dst.Verify(evs)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestAppendSurvivesReopen(t *testing.T) {
	dir := t.TempDir()
	s := newSigner(t)
	st := openStore(t, dir, s, nil)
	put(t, st, "a", "status=baru")
	last := put(t, st, "a", "status=disetujui")
	st.Close()

	st = openStore(t, dir, s, nil)
	if got := st.Vector()[s.Origin()]; got != 2 {
		t.Fatalf("vector after reopen: %d", got)
	}
	e := put(t, st, "a", "status=diproses")
	if e.Seq != 3 || e.Time <= last.Time || len(e.Deps) != 1 || e.Deps[0].Seq != 2 {
		t.Fatalf("event after reopen: seq %d time %d deps %v", e.Seq, e.Time, e.Deps)
	}
	state, _ := st.State("kv", "a")
	if string(state) != `{"status":["diproses"]}` {
		t.Fatalf("state %s", state)
	}
}

func TestEncryptedStoreIsUnreadableWithoutKey(t *testing.T) {
	dir := t.TempDir()
	s := newSigner(t)
	key := bytes.Repeat([]byte{7}, 32)
	w := &wall{t: time.Unix(1_700_000_000, 0)}
	opt := Options{Dir: dir, Signer: s, Clock: hlc.NewClock(w.now, time.Minute), EncryptionKey: key, MemTableSize: 1 << 20}
	st, err := Open(opt)
	if err != nil {
		t.Fatal(err)
	}
	put(t, st, "a", "nik=3201010101900001")
	st.Close()
	opt.EncryptionKey = nil
	if st, err := Open(opt); err == nil {
		st.Close()
		t.Fatal("opened an encrypted store without its key")
	}
}

func TestRefusals(t *testing.T) {
	a, b, outsider := newSigner(t), newSigner(t), newSigner(t)
	roster := func(id peer.ID) bool { return id != outsider.Origin() }
	src := openStore(t, "", a, roster)
	e1 := put(t, src, "x", "f=1")
	e2 := put(t, src, "x", "f=2")
	dst := openStore(t, "", b, roster)

	out := openStore(t, "", outsider, nil)
	stranger := put(t, out, "x", "f=evil")

	forged := *e1
	forged.Payload = []byte("f=forged")

	equivocal := &event.Event{Seq: 1, Time: e1.Time, Kind: "kv", Entity: "x", Type: "set", Payload: []byte("f=other")}
	a.Sign(equivocal)

	res, err := dst.Verify([]*event.Event{e2, stranger, &forged})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Applied) != 0 || res.Deferred != 1 || len(res.Rejected) != 2 {
		t.Fatalf("gap/outsider/forged: %+v", res)
	}
	if !errors.Is(res.Rejected[0].Err, event.ErrBadSignature) || !errors.Is(res.Rejected[1].Err, ErrNotOnRoster) {
		t.Fatalf("rejections %v", res.Rejected)
	}
	res, _ = dst.Verify([]*event.Event{e1, e2, e1})
	if len(res.Applied) != 2 || res.Duplicates != 1 {
		t.Fatalf("in order with duplicate: %+v", res)
	}
	res, _ = dst.Verify([]*event.Event{equivocal})
	if len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, ErrEquivocation) {
		t.Fatalf("equivocation: %+v", res)
	}
	if st, _ := dst.State("kv", "x"); string(st) != `{"f":["2"]}` {
		t.Fatalf("state changed by refused events: %s", st)
	}
}

func TestConcurrentWritesConflictThenResolve(t *testing.T) {
	a := openStore(t, "", newSigner(t), nil)
	b := openStore(t, "", newSigner(t), nil)
	put(t, a, "r", "status=baru")
	syncInto(t, b, a)
	put(t, a, "r", "status=disetujui")
	put(t, b, "r", "status=dibatalkan")
	syncInto(t, a, b)
	syncInto(t, b, a)
	for _, st := range []*Store{a, b} {
		c, _ := st.Conflicts()
		if len(c) != 1 || c[0].ID != "r" || c[0].Fields[0] != "status" {
			t.Fatalf("conflicts %v", c)
		}
	}
	resolution := put(t, b, "r", "status=disetujui")
	if len(resolution.Deps) != 2 {
		t.Fatalf("resolution deps %v, want both heads", resolution.Deps)
	}
	syncInto(t, a, b)
	for _, st := range []*Store{a, b} {
		if c, _ := st.Conflicts(); len(c) != 0 {
			t.Fatalf("still in conflict: %v", c)
		}
	}
}

// TestAnyDeliveryConverges: whatever order, duplication and batching the
// same events arrive in, replicas reach the same state and vector.
func TestAnyDeliveryConverges(t *testing.T) {
	signers := []*event.Signer{newSigner(t), newSigner(t), newSigner(t)}
	rapid.Check(t, func(rt *rapid.T) {
		writers := make([]*Store, len(signers))
		for i, s := range signers {
			writers[i] = openStore(t, "", s, nil)
		}
		var all []*event.Event
		steps := rapid.IntRange(1, 40).Draw(rt, "steps")
		for range steps {
			w := rapid.IntRange(0, len(writers)-1).Draw(rt, "writer")
			if rapid.Bool().Draw(rt, "sync") {
				src := rapid.IntRange(0, len(writers)-1).Draw(rt, "src")
				if src != w {
					syncInto(t, writers[w], writers[src])
				}
				continue
			}
			ent := rapid.SampledFrom([]string{"p", "q"}).Draw(rt, "entity")
			kv := rapid.SampledFrom([]string{"s=1", "s=2", "t=1"}).Draw(rt, "kv")
			all = append(all, put(t, writers[w], ent, kv))
		}
		ref := openStore(t, "", newSigner(t), nil)
		for _, w := range writers {
			for range 3 { // deps across writers may need a few rounds
				syncInto(t, ref, w)
			}
		}
		got := openStore(t, "", newSigner(t), nil)
		for round := 0; got.Vector().Count(ref.Vector()) > 0 || ref.Vector().Count(got.Vector()) > 0; round++ {
			if round > 4*len(all)+4 {
				rt.Fatalf("no convergence: %v vs %v", got.Vector(), ref.Vector())
			}
			perm := rapid.Permutation(all).Draw(rt, "order")
			dup := rapid.IntRange(0, len(perm)).Draw(rt, "dup")
			perm = append(perm, perm[:dup]...)
			for len(perm) > 0 {
				n := rapid.IntRange(1, len(perm)).Draw(rt, "batch")
				if _, err := got.Verify(perm[:n]); err != nil {
					rt.Fatal(err)
				}
				perm = perm[n:]
			}
		}
		assertSameReplica(rt, ref, got)
	})
}

func assertSameReplica(t interface{ Fatalf(string, ...any) }, a, b *Store) {
	if !a.Vector().Equal(b.Vector()) {
		t.Fatalf("vectors differ: %v vs %v", a.Vector(), b.Vector())
	}
	for _, ent := range []string{"p", "q"} {
		sa, ea := a.State("kv", ent)
		sb, eb := b.State("kv", ent)
		if !bytes.Equal(sa, sb) || (ea == nil) != (eb == nil) {
			t.Fatalf("state of %s differs: %s vs %s", ent, sa, sb)
		}
	}
	ca, _ := a.Conflicts()
	cb, _ := b.Conflicts()
	if len(ca) != len(cb) {
		t.Fatalf("conflicts differ: %v vs %v", ca, cb)
	}
	ha, erra := a.StateHash()
	hb, errb := b.StateHash()
	if erra != nil || errb != nil || ha != hb {
		t.Fatalf("state hashes differ: %x vs %x (%v, %v)", ha, hb, erra, errb)
	}
}

func TestScanIsCausalAndComplete(t *testing.T) {
	a := openStore(t, "", newSigner(t), nil)
	b := openStore(t, "", newSigner(t), nil)
	put(t, a, "r", "f=1")
	syncInto(t, b, a)
	put(t, b, "r", "f=2")
	syncInto(t, a, b)
	put(t, a, "r", "f=3")
	fresh := openStore(t, "", newSigner(t), nil)
	res := syncInto(t, fresh, a)
	if len(res.Applied) != 3 || res.Deferred != 0 {
		t.Fatalf("one scan should bring all in causal order: %+v", res)
	}
	if !fresh.Vector().Equal(a.Vector()) {
		t.Fatal("vector differs")
	}
	if n := a.Vector().Count(vv.Vector{}); n != 3 {
		t.Fatalf("count %d", n)
	}
}

// An office whose clock runs hours ahead: its event is stored, the skew is
// reported, and this node's clock is not dragged into the future.
func TestFarFutureEventStoredNotAdopted(t *testing.T) {
	ahead := newSigner(t)
	e := &event.Event{Seq: 1, Time: hlc.New(time.Now().Add(5*time.Hour).UnixMilli(), 0), Kind: "kv", Entity: "x", Type: "set", Payload: []byte("f=1")}
	ahead.Sign(e)
	dst := openStore(t, "", newSigner(t), nil)
	res, err := dst.Verify([]*event.Event{e})
	if err != nil || len(res.Applied) != 1 {
		t.Fatalf("far-future event not stored: %+v %v", res, err)
	}
	if skew := dst.ClockSkew()[ahead.Origin()]; skew < 4*time.Hour {
		t.Fatalf("skew reported %v", skew)
	}
	own := put(t, dst, "y", "f=2")
	if own.Time.WallMillis() > time.Now().Add(time.Hour).UnixMilli() {
		t.Fatal("local clock dragged forward by a far-future event")
	}
}
