package registry

import (
	"crypto/rand"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"

	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// today is the counter's date in every test: the NIK and date checks
// depend on it.
func today() time.Time { return time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC) }

// office is one node's store and registry, as two kecamatan apart.
type office struct {
	name string
	st   *store.Store
	svc  *Service
}

type fataler interface {
	Helper()
	Fatalf(string, ...any)
}

func newSigner(t fataler) *event.Signer {
	t.Helper()
	priv, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatalf("key: %v", err)
	}
	s, err := event.NewSigner(priv)
	if err != nil {
		t.Fatalf("signer: %v", err)
	}
	return s
}

// openOffice opens an in-memory store with both registry folders and no
// roster (every origin admitted), as replication/store's tests do. The
// caller closes it.
func openOffice(t fataler, name string) *office {
	t.Helper()
	wall := time.Unix(1_772_000_000, 0)
	clock := hlc.NewClock(func() time.Time { wall = wall.Add(time.Millisecond); return wall }, time.Minute)
	st, err := store.Open(store.Options{
		InMemory: true, Signer: newSigner(t), Clock: clock, MemTableSize: 1 << 20,
		Folders: map[string]store.Folder{KindResident: ResidentFolder{}, KindFamily: FamilyFolder{}},
	})
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	return &office{name: name, st: st, svc: New(st, name, today)}
}

func testOffice(t *testing.T, name string) *office {
	o := openOffice(t, name)
	t.Cleanup(func() { o.st.Close() })
	return o
}

// syncInto copies what dst lacks from src, as a peer would.
func syncInto(t fataler, dst, src *office) {
	t.Helper()
	evs := allEvents(t, src, dst.st.Vector())
	res, err := dst.st.Verify(evs)
	if err != nil || res.Deferred > 0 || len(res.Rejected) > 0 {
		t.Fatalf("sync %s ← %s: %+v %v", dst.name, src.name, res, err)
	}
}

func allEvents(t fataler, src *office, since vv.Vector) []*event.Event {
	t.Helper()
	var evs []*event.Event
	err := src.st.Scan(since, func(raw []byte) error {
		e, err := event.Unmarshal(raw)
		evs = append(evs, e)
		return err
	})
	if err != nil {
		t.Fatalf("scan: %v", err)
	}
	return evs
}

// heads folds an entity's events only for its heads.
func heads(t fataler, o *office, kind, id string) []event.ID {
	t.Helper()
	evs, err := o.st.Events(kind, id)
	if err != nil {
		t.Fatalf("events: %v", err)
	}
	st, err := fold.Fold(evs, func(*event.Event) ([]fold.Write, error) { return nil, nil })
	if err != nil {
		t.Fatalf("fold: %v", err)
	}
	return st.Heads
}

// Residents of Kota Sibolga (region 12 71 01). Budi's NIK has his birth
// date 17-08-90; Siti's has 57 = 17+40, she being a woman.
const (
	nikBudi  = "1271011708900001"
	nikSiti  = "1271015708920002"
	nikAnak1 = "1271010503150003"
	nikAnak2 = "1271015009180004"
	kkBudi   = "1271010103200001"
	kkLain   = "1271010204210002"
)

func sibolga() Address {
	return Address{Alamat: "Jl. Tongkol No. 12", RT: "1", RW: "02", DesaKelurahan: "Pancuran Gerobak",
		Kecamatan: "Sibolga Kota", KabupatenKota: "Kota Sibolga", Provinsi: "Sumatera Utara"}
}

func budi() Biodata {
	return Biodata{NIK: nikBudi, NamaLengkap: "Budi Santoso", TempatLahir: "Sibolga", TanggalLahir: "17-08-1990",
		JenisKelamin: "laki-laki", GolonganDarah: "O", Address: sibolga(), Agama: "islam",
		StatusPerkawinan: "Kawin", Pekerjaan: "Nelayan", Kewarganegaraan: "WNI"}
}

func person(nik, name, born, sex, status string) Biodata {
	b := budi()
	b.NIK, b.NamaLengkap, b.TanggalLahir, b.JenisKelamin, b.StatusPerkawinan = nik, name, born, sex, status
	return b
}

// family registers Budi, Siti and two children and files Budi's card.
func family(t fataler, o *office) {
	t.Helper()
	for _, b := range []Biodata{
		budi(),
		person(nikSiti, "Siti Aminah", "1992-08-17", "Perempuan", "Kawin"),
		person(nikAnak1, "Rizki Santoso", "05-03-2015", "Laki-laki", "Belum Kawin"),
		person(nikAnak2, "Putri Santoso", "10-09-2018", "Perempuan", "Belum Kawin"),
	} {
		if _, err := o.svc.Register(b, "Petugas Setup"); err != nil {
			t.Fatalf("register %s: %v", b.NIK, err)
		}
	}
	if _, err := o.svc.CreateFamily(kkBudi, nikBudi, sibolga(), "Petugas Setup"); err != nil {
		t.Fatalf("create family: %v", err)
	}
}

// fieldsOf lists the fields named in a validation error.
func fieldsOf(err error) []string {
	var fes form.Errors
	if !errors.As(err, &fes) {
		return nil
	}
	var out []string
	for _, fe := range fes {
		out = append(out, fe.Field)
	}
	slices.Sort(out)
	return out
}
