package sim

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/replication/bundle"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
)

// fault breaks something the field breaks: a link (both ways or one), a
// partition, a PC, its clock, its disk (restored from an old copy), a
// flash disk's bundle.
func (w *world) fault() {
	switch r := w.rng.IntN(100); {
	case r < 14:
		a, b := w.kecamatan(), w.rng.IntN(w.cfg.Kecamatan+1)
		if a != b {
			w.nw.Cut(w.office(a), w.office(b))
			w.tracef("cut %s — %s", w.name(a), w.name(b))
		}
	case r < 24:
		w.cutOneWay()
	case r < 35:
		w.isolate(w.kecamatan())
	case r < 55:
		w.healAll()
		w.tracef("heal all links")
	case r < 67:
		w.crash(w.rng.IntN(w.cfg.Kecamatan + 1))
	case r < 75:
		i := w.kecamatan()
		d := time.Duration(w.rng.IntN(13)-6) * time.Hour
		w.clock.skew(i, d)
		w.tracef("clock of %s off by %v", w.name(i), d)
	case r < 85:
		w.backupOrRestore(w.kecamatan())
	default:
		w.carryBundle()
	}
}

// cutOneWay has one office stop hearing another that still hears it: a
// link that carries one direction only, where every exchange across it
// is cut off halfway.
func (w *world) cutOneWay() {
	from, to := w.kecamatan(), w.rng.IntN(w.cfg.Kecamatan+1)
	if from == to {
		return
	}
	if w.rng.IntN(2) == 0 {
		from, to = to, from
	}
	if err := w.nw.CutOneWay(w.office(from), w.office(to)); err != nil {
		w.violate("step %d: one-way cut: %v", w.step, err)
		return
	}
	w.tracef("%s no longer hears %s (one-way cut)", w.name(to), w.name(from))
}

// isolate cuts every link of office i.
func (w *world) isolate(i int) {
	for j := range w.nw.Nodes {
		if j != i {
			w.nw.Cut(w.office(i), w.office(j))
		}
	}
	w.tracef("isolate %s", w.name(i))
}

func (w *world) healAll() {
	for i := range w.nw.Nodes {
		for j := i + 1; j < len(w.nw.Nodes); j++ {
			w.nw.Heal(w.office(i), w.office(j))
		}
	}
}

// crash stops office i and starts it again from its data directory.
func (w *world) crash(i int) {
	if err := w.nw.Restart(i); err != nil {
		w.violate("step %d: %s does not start again: %v", w.step, w.name(i), err)
		return
	}
	if i == 0 {
		if _, err := w.nw.WaitLeader(10 * time.Second); err != nil {
			w.violate("step %d: the dinas has no leader after a restart: %v", w.step, err)
		}
	}
	w.tracef("restart %s", w.name(i))
}

// backupOrRestore copies office i's data directory while it is stopped,
// or, when a copy exists, puts that old copy back as an operator restoring
// a backup after a disk failure would. Everything the office acknowledged
// since must come back to it from the others; nothing may be lost or
// forked.
func (w *world) backupOrRestore(i int) {
	old, have := w.backups[i]
	err := w.nw.RestartAfter(i, func(c node.Config) error {
		if have {
			if err := os.RemoveAll(c.DataDir); err != nil {
				return err
			}
			return copyDir(old, c.DataDir)
		}
		w.backups[i] = filepath.Join(w.cfg.Dir, fmt.Sprintf("backup-%d", i))
		w.backedUp[i] = w.step
		return copyDir(c.DataDir, w.backups[i])
	})
	if err != nil {
		w.violate("step %d: backup or restore of %s: %v", w.step, w.name(i), err)
		return
	}
	if have {
		delete(w.backups, i)
		w.forgetFilings(i)
		lost, niks := w.forgetLost(), w.forgetLostNIKs(i)
		w.tracef("restore %s from its old backup (%d changes and %d NIKs that never left it are lost with its disk)", w.name(i), lost, niks)
		// The restore procedure: reconnect before serving again, so the
		// office first takes back its own events that others hold.
		for j := range w.nw.Nodes {
			w.nw.Heal(w.office(i), w.office(j))
		}
	} else {
		w.tracef("back up %s", w.name(i))
	}
}

// forgetLost drops from the promises the acknowledged changes no office
// holds any more: made at an office cut off since, whose disk was then
// replaced by an older copy. Nothing else may go missing.
func (w *world) forgetLost() int {
	lost := 0
	for e, whos := range w.acked {
		var kept []string
		for _, who := range whos {
			if w.heldAnywhere(e, who) {
				kept = append(kept, who)
			} else {
				lost++
				delete(w.conflicts, e) // one side of it may be gone
			}
		}
		w.acked[e] = kept
		if len(kept) == 0 {
			delete(w.acked, e)
		}
	}
	return lost
}

func (w *world) heldAnywhere(e ref, who string) bool {
	for i := range w.nw.Nodes {
		if ok, _ := w.holds(i, e, who); ok {
			return true
		}
	}
	return false
}

func copyDir(from, to string) error {
	if out, err := exec.Command("cp", "-a", from, to).CombinedOutput(); err != nil {
		return fmt.Errorf("cp %s %s: %v: %s", from, to, err, out)
	}
	return nil
}

// carryBundle exports from one kecamatan what the dinas lacks and imports
// it at the dinas (SOP 20's flash disk); now and then the bundle is
// damaged on the way or forged by an outsider, and must be refused whole.
func (w *world) carryBundle() {
	from := w.kecamatan()
	var buf bytes.Buffer
	if _, err := w.office(from).ExportBundle(&buf, w.office(0).Store().Vector(), false); err != nil {
		w.violate("step %d: export at %s: %v", w.step, w.name(from), err)
		return
	}
	b, what := buf.Bytes(), "bundle"
	switch w.rng.IntN(3) {
	case 0:
		b[w.rng.IntN(len(b))] ^= 0x20
		what = "corrupted bundle"
	case 1:
		var err error
		if b, err = w.forged(); err != nil {
			w.violate("step %d: forge a bundle: %v", w.step, err)
			return
		}
		what = "forged bundle"
	}
	before := w.office(0).Store().Vector()
	_, err := w.office(0).ImportBundle(bytes.NewReader(b))
	switch {
	case what == "bundle" && err != nil:
		w.violate("step %d: a sound bundle from %s was refused: %v", w.step, w.name(from), err)
	case what != "bundle" && err == nil:
		if !w.office(0).Store().Vector().Equal(before) {
			w.violate("step %d: a %s from %s was accepted", w.step, what, w.name(from))
		}
	}
	w.tracef("carry a %s from %s to the dinas (%v)", what, w.name(from), err)
}

// forged is a bundle of one event signed by a key outside the roster.
func (w *world) forged() ([]byte, error) {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(w.rng.IntN(256))
	}
	priv, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		return nil, err
	}
	signer, err := event.NewSigner(priv)
	if err != nil {
		return nil, err
	}
	st, err := store.Open(store.Options{InMemory: true, Signer: signer, Clock: hlc.NewClock(w.clock.now, time.Minute), MemTableSize: 1 << 20})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	if _, err := st.Append(store.Draft{Kind: "permohonan", Entity: "palsu", Type: "permohonan.dibuat", Payload: []byte("palsu")}, nil); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	_, err = bundle.Export(&buf, st, nil, bundle.ExportOptions{Origin: signer.Origin(), Now: w.clock.now()})
	return buf.Bytes(), err
}
