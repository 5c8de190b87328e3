package registry

import (
	"encoding/json"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/fold"
	"github.com/sinkron-id/sinkron/replication/store"
)

// payload is any registry event payload.
type payload interface {
	proto.Message
	GetActor() *eventpb.Actor
}

func newPayload(typ string) payload {
	switch typ {
	case typeRegistered:
		return &eventpb.ResidentRegistered{}
	case typeChanged:
		return &eventpb.ResidentChanged{}
	case typeFamilyCreated:
		return &eventpb.FamilyCreated{}
	case typeMemberAdded:
		return &eventpb.FamilyMemberAdded{}
	case typeMemberRemoved:
		return &eventpb.FamilyMemberRemoved{}
	case typeResidentSettled, typeFamilySettled:
		return &eventpb.ConflictResolved{}
	}
	return nil
}

// decode returns nil for an event this version does not understand (a type
// added later, a payload it cannot parse). Such events stay in the history
// and keep their place as deps, but set nothing: failing the fold would
// refuse the whole sync batch and wedge replication on one event.
func decode(e *event.Event) payload {
	m := newPayload(e.Type)
	if m == nil || proto.Unmarshal(e.Payload, m) != nil {
		return nil
	}
	return m
}

// writes says which registers each event sets.
func writes(e *event.Event) ([]fold.Write, error) {
	var ws []fold.Write
	set := func(f, v string) { ws = append(ws, fold.Write{Field: f, Value: []byte(v)}) }
	switch m := decode(e).(type) {
	case *eventpb.ResidentRegistered:
		b := biodataFromPB(m.Biodata)
		for _, s := range residentSpecs {
			set(s.name, *s.get(&b))
		}
	case *eventpb.ResidentChanged:
		set(m.Field, m.Value)
	case *eventpb.FamilyCreated:
		b := Biodata{Address: addressFromPB(m.Address)}
		for _, s := range addressSpecs {
			set(s.name, *s.get(&b))
		}
		set(FieldHead, m.KepalaNik)
		set(MemberPrefix+m.KepalaNik, HeadRelation)
	case *eventpb.FamilyMemberAdded:
		set(MemberPrefix+m.Nik, m.Hubungan)
		if m.Hubungan == HeadRelation {
			set(FieldHead, m.Nik)
		}
	case *eventpb.FamilyMemberRemoved:
		// The head register keeps the NIK: a head that left is no head
		// (see buildFamily), and the fold needs no state to know it.
		set(MemberPrefix+m.Nik, Removed)
	case *eventpb.ConflictResolved:
		set(m.Field, string(m.Value))
	}
	return ws, nil
}

// ResidentFolder folds penduduk events into a Resident, stored as JSON.
type ResidentFolder struct{}

// Fold implements store.Folder.
func (ResidentFolder) Fold(evs []*event.Event) (store.Folded, error) {
	st, err := fold.Fold(evs, writes)
	if err != nil {
		return store.Folded{}, err
	}
	b, err := json.Marshal(buildResident(st))
	return store.Folded{State: b, Heads: st.Heads, Conflicts: st.Conflicts()}, err
}

// FamilyFolder folds keluarga events into a Family, stored as JSON.
type FamilyFolder struct{}

// Fold implements store.Folder.
func (FamilyFolder) Fold(evs []*event.Event) (store.Folded, error) {
	st, err := fold.Fold(evs, writes)
	if err != nil {
		return store.Folded{}, err
	}
	b, err := json.Marshal(buildFamily(st))
	return store.Folded{State: b, Heads: st.Heads, Conflicts: st.Conflicts()}, err
}

// value is a register's agreed value; in conflict, the value of the write
// that sorts first, so the record stays readable while an officer decides.
func value(st *fold.State, field string) string {
	if vs := st.Fields[field]; len(vs) > 0 {
		return string(vs[0].Value)
	}
	return ""
}

func conflicts(st *fold.State) []FieldConflict { return conflict.Of(st, actorOf) }

func actorOf(e *event.Event) *eventpb.Actor {
	if m := decode(e); m != nil {
		return m.GetActor()
	}
	return nil
}

func change(e *event.Event, what, value, note string) Change {
	a := actorOf(e)
	return Change{What: what, Value: value, Note: note, Officer: a.GetOfficer(), Office: a.GetOffice(),
		At: e.Time.Time().UTC(), Event: e.ID().String()}
}

func resolvedChange(e *event.Event, m *eventpb.ConflictResolved) Change {
	return change(e, "konflik diselesaikan: "+m.Field, string(m.Value), m.Note)
}

func biodataFromPB(m *eventpb.Biodata) Biodata {
	return Biodata{
		NIK: m.GetNik(), NamaLengkap: m.GetNamaLengkap(), TempatLahir: m.GetTempatLahir(),
		TanggalLahir: m.GetTanggalLahir(), JenisKelamin: m.GetJenisKelamin(), GolonganDarah: m.GetGolonganDarah(),
		Address: addressFromPB(m.GetAddress()), Agama: m.GetAgama(), StatusPerkawinan: m.GetStatusPerkawinan(),
		Pekerjaan: m.GetPekerjaan(), Kewarganegaraan: m.GetKewarganegaraan(), BerlakuHingga: m.GetBerlakuHingga(),
		NamaIbu: m.GetNamaIbu(),
	}
}

func biodataToPB(b Biodata) *eventpb.Biodata {
	return &eventpb.Biodata{
		Nik: b.NIK, NamaLengkap: b.NamaLengkap, TempatLahir: b.TempatLahir, TanggalLahir: b.TanggalLahir,
		JenisKelamin: b.JenisKelamin, GolonganDarah: b.GolonganDarah, Address: addressToPB(b.Address),
		Agama: b.Agama, StatusPerkawinan: b.StatusPerkawinan, Pekerjaan: b.Pekerjaan,
		Kewarganegaraan: b.Kewarganegaraan, BerlakuHingga: b.BerlakuHingga, NamaIbu: b.NamaIbu,
	}
}

func addressFromPB(m *eventpb.Address) Address {
	return Address{
		Alamat: m.GetAlamat(), RT: m.GetRt(), RW: m.GetRw(), DesaKelurahan: m.GetDesaKelurahan(),
		Kecamatan: m.GetKecamatan(), KabupatenKota: m.GetKabupatenKota(), Provinsi: m.GetProvinsi(), KodePos: m.GetKodePos(),
	}
}

func addressToPB(a Address) *eventpb.Address {
	return &eventpb.Address{
		Alamat: a.Alamat, Rt: a.RT, Rw: a.RW, DesaKelurahan: a.DesaKelurahan, Kecamatan: a.Kecamatan,
		KabupatenKota: a.KabupatenKota, Provinsi: a.Provinsi, KodePos: a.KodePos,
	}
}
