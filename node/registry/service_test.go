package registry

import (
	"bytes"
	"errors"
	"testing"

	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/replication/event"
)

// apart gives two offices the same family, then cuts them off.
func apart(t *testing.T) (a, b *office) {
	a = testOffice(t, "Kecamatan Sibolga Utara")
	b = testOffice(t, "Kecamatan Sibolga Selatan")
	family(t, a)
	syncInto(t, b, a)
	return a, b
}

func rejoin(t *testing.T, a, b *office) {
	syncInto(t, a, b)
	syncInto(t, b, a)
}

func sameState(t *testing.T, a, b *office, kind, id string) []byte {
	t.Helper()
	sa, ea := a.st.State(kind, id)
	sb, eb := b.st.State(kind, id)
	if ea != nil || eb != nil || !bytes.Equal(sa, sb) {
		t.Fatalf("%s %s differs:\n%s\n%s\n%v %v", kind, id, sa, sb, ea, eb)
	}
	return sa
}

func TestConcurrentSameFieldConflictsNamingBoth(t *testing.T) {
	a, b := apart(t)
	must[*Resident](t)(a.svc.Change(nikBudi, "pekerjaan", "Guru", "alih profesi", "Andi"))
	must[*Resident](t)(b.svc.Change(nikBudi, "pekerjaan", "Pedagang", "alih profesi", "Butet"))
	must[*Resident](t)(b.svc.Change(nikBudi, "agama", "Kristen", "perubahan agama", "Butet"))
	rejoin(t, a, b)
	sameState(t, a, b, KindResident, nikBudi)
	r := must[*Resident](t)(a.svc.Resident(nikBudi))
	if len(r.Conflicts) != 1 || r.Conflicts[0].Field != "pekerjaan" || r.Agama != "Kristen" {
		t.Fatalf("want one conflict on pekerjaan and agama kept: %+v", r)
	}
	got := map[string]string{}
	for _, v := range r.Conflicts[0].Values {
		got[v.Value] = v.Officer + "@" + v.Office
	}
	if got["GURU"] != "Andi@Kecamatan Sibolga Utara" || got["PEDAGANG"] != "Butet@Kecamatan Sibolga Selatan" {
		t.Fatalf("conflict values %+v", r.Conflicts[0].Values)
	}
	if _, err := a.svc.Change(nikBudi, "pekerjaan", "Petani", "alih profesi", "Andi"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("edit over a conflict: %v", err)
	}
	if err := a.svc.Resolve(KindResident, nikBudi, "pekerjaan", "PETANI", "", "Andi"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("resolve to a value not in conflict: %v", err)
	}
	if err := a.svc.Resolve(KindResident, nikBudi, "pekerjaan", "PEDAGANG", "dicek dengan KTP-el", "Kasi Data"); err != nil {
		t.Fatal(err)
	}
	rejoin(t, a, b)
	for _, o := range []*office{a, b} {
		r := must[*Resident](t)(o.svc.Resident(nikBudi))
		if r.InConflict() || r.Pekerjaan != "PEDAGANG" {
			t.Fatalf("%s after resolve: %+v", o.name, r)
		}
		if cs, _ := o.st.Conflicts(); len(cs) != 0 {
			t.Fatalf("%s store conflicts %v", o.name, cs)
		}
	}
	sameState(t, a, b, KindResident, nikBudi)
}

func TestConcurrentMembersMergeAndSameMemberConflicts(t *testing.T) {
	a, b := apart(t)
	must[*Family](t)(a.svc.AddMember(kkBudi, nikSiti, "Istri", "Andi"))
	must[*Family](t)(a.svc.AddMember(kkBudi, nikAnak2, "Anak", "Andi"))
	must[*Family](t)(b.svc.AddMember(kkBudi, nikAnak1, "Anak", "Butet"))
	must[*Family](t)(b.svc.AddMember(kkBudi, nikAnak2, "Cucu", "Butet"))
	rejoin(t, a, b)
	sameState(t, a, b, KindFamily, kkBudi)
	f := must[*Family](t)(a.svc.Family(kkBudi))
	if len(f.Conflicts) != 1 || f.Conflicts[0].Field != MemberPrefix+nikAnak2 || len(f.Members) != 4 {
		t.Fatalf("different members merge, the same one conflicts: %+v", f)
	}
	if m, _ := f.Member(nikSiti); m.Hubungan != "Istri" || f.Members[0].NIK != nikBudi || f.Members[1].NIK != nikSiti {
		t.Fatalf("members in KK order: %+v", f.Members)
	}
	if _, err := a.svc.RemoveMember(kkBudi, nikAnak2, "pindah", "Andi"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("edit over a member in conflict: %v", err)
	}
	if err := a.svc.Resolve(KindFamily, kkBudi, MemberPrefix+nikAnak2, "Anak", "sesuai akta kelahiran", "Andi"); err != nil {
		t.Fatal(err)
	}
	must[*Family](t)(a.svc.RemoveMember(kkBudi, nikSiti, "cerai hidup", "Andi"))
	must[*Family](t)(b.svc.RemoveMember(kkBudi, nikAnak1, "pindah ke Medan", "Butet"))
	rejoin(t, a, b)
	sameState(t, a, b, KindFamily, kkBudi)
	f = must[*Family](t)(b.svc.Family(kkBudi))
	if f.InConflict() || len(f.Members) != 2 || len(f.Former) != 2 || f.Members[1].NIK != nikAnak2 || f.Members[1].Hubungan != "Anak" {
		t.Fatalf("after resolve and two removals apart: %+v", f)
	}
	if f.Former[0].Note == "" || f.Former[0].Officer == "" {
		t.Fatalf("former member without reason or officer: %+v", f.Former)
	}
}

func TestConcurrentHeadsConflict(t *testing.T) {
	a, b := apart(t)
	for _, o := range []*office{a, b} {
		must[*Family](t)(o.svc.AddMember(kkBudi, nikSiti, "Istri", "Andi"))
	}
	rejoin(t, a, b)
	must[*Family](t)(a.svc.RemoveMember(kkBudi, nikBudi, "meninggal dunia", "Andi"))
	syncInto(t, b, a)
	if f := must[*Family](t)(b.svc.Family(kkBudi)); f.Head != "" || len(f.Former) != 1 {
		t.Fatalf("head left: %+v", f)
	}
	must[*Family](t)(a.svc.RemoveMember(kkBudi, nikSiti, "menjadi kepala keluarga", "Andi"))
	must[*Family](t)(a.svc.AddMember(kkBudi, nikSiti, HeadRelation, "Andi"))
	must[*Family](t)(b.svc.AddMember(kkBudi, nikAnak1, HeadRelation, "Butet"))
	rejoin(t, a, b)
	sameState(t, a, b, KindFamily, kkBudi)
	f := must[*Family](t)(a.svc.Family(kkBudi))
	if c, ok := conflict.On(f.Conflicts, FieldHead); !ok || len(c.Values) != 2 {
		t.Fatalf("two heads added apart: %+v", f.Conflicts)
	}
	if err := b.svc.Resolve(KindFamily, kkBudi, FieldHead, nikSiti, "", "Kasi Data"); err != nil {
		t.Fatal(err)
	}
	syncInto(t, a, b)
	if f := must[*Family](t)(a.svc.Family(kkBudi)); f.Head != nikSiti || f.InConflict() {
		t.Fatalf("after resolve: %+v", f)
	}
}

func TestFamiliesOf(t *testing.T) {
	a, b := apart(t)
	fs := must[[]*Family](t)(a.svc.FamiliesOf(nikBudi))
	if len(fs) != 1 || fs[0].KK != kkBudi || fs[0].Head != nikBudi || fs[0].Address.RT != "001" {
		t.Fatalf("families of the head: %+v", fs)
	}
	if fs := must[[]*Family](t)(a.svc.FamiliesOf(nikSiti)); len(fs) != 0 {
		t.Fatalf("not a member yet: %+v", fs)
	}
	// Apart, two offices put Siti on two cards: both show, for the dinas.
	must[*Family](t)(a.svc.AddMember(kkBudi, nikSiti, "Istri", "Andi"))
	must[*Resident](t)(b.svc.Register(person("1271010101800005", "Joko", "01-01-1980", "Laki-laki", "Kawin"), "Butet"))
	must[*Family](t)(b.svc.CreateFamily(kkLain, "1271010101800005", sibolga(), "Butet"))
	must[*Family](t)(b.svc.AddMember(kkLain, nikSiti, "Famili Lain", "Butet"))
	rejoin(t, a, b)
	if fs := must[[]*Family](t)(b.svc.FamiliesOf(nikSiti)); len(fs) != 2 {
		t.Fatalf("on two cards: %+v", fs)
	}
}

// An event type from a newer version is kept and set nothing: refusing it
// would refuse the whole batch it came in.
func TestUnknownEventTypeFoldsToNothing(t *testing.T) {
	a, _ := apart(t)
	evs := must[[]*event.Event](t)(a.st.Events(KindResident, nikBudi))
	future := &event.Event{Origin: "X", Seq: 1, Kind: KindResident, Entity: nikBudi, Type: "penduduk.foto-baru",
		Payload: []byte{0xff}, Deps: []event.ID{evs[0].ID()}}
	st, err := ResidentFolder{}.Fold(append(evs, future))
	if err != nil || len(st.Heads) != 1 || st.Heads[0] != future.ID() || len(st.Conflicts) != 0 {
		t.Fatalf("fold with a future event: %+v %v", st, err)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
