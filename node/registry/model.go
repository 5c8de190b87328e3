package registry

import (
	"time"

	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/fault"
)

// Entity kinds in the replicated log.
const (
	KindResident = "penduduk" // entity id: NIK
	KindFamily   = "keluarga" // entity id: Nomor KK
)

// Event types. Their names are stored in signed events: never rename them.
const (
	typeRegistered      = "penduduk.terdaftar"
	typeChanged         = "penduduk.diubah"
	typeResidentSettled = "penduduk.konflik-selesai"
	typeFamilyCreated   = "keluarga.dibuat"
	typeMemberAdded     = "keluarga.anggota-masuk"
	typeMemberRemoved   = "keluarga.anggota-keluar"
	typeFamilySettled   = "keluarga.konflik-selesai"
)

// Registers of a family besides its address fields.
const (
	// FieldHead holds the NIK of the kepala keluarga.
	FieldHead = "kepala_keluarga"
	// MemberPrefix starts a member's register: "anggota/<NIK>".
	MemberPrefix = "anggota/"
	// Removed is the value of a member register once the member left.
	Removed = "keluar"
)

// HeadRelation is the hubungan of the kepala keluarga.
const HeadRelation = "Kepala Keluarga"

// Errors callers test with errors.Is. Validation failures wrap ErrInvalid
// and a form.Errors naming each field.
var (
	ErrNotFound     = fault.New(fault.NotFound, "tidak ditemukan")
	ErrInvalid      = fault.New(fault.Invalid, "isian tidak valid")
	ErrExists       = fault.New(fault.Exists, "sudah terdaftar")
	ErrPrecondition = fault.New(fault.Precondition, "perubahan tidak dapat dilakukan")
)

// Address is an address down to RT/RW, as on the KTP-el and the KK.
type Address struct {
	Alamat        string `json:"alamat"`
	RT            string `json:"rt"`
	RW            string `json:"rw"`
	DesaKelurahan string `json:"desa_kelurahan"`
	Kecamatan     string `json:"kecamatan"`
	KabupatenKota string `json:"kabupaten_kota"`
	Provinsi      string `json:"provinsi"`
	KodePos       string `json:"kode_pos,omitempty"`
}

// Biodata is a resident's data as printed on the KTP-el. The JSON names are
// the field names Change and Resolve take.
type Biodata struct {
	NIK              string `json:"nik"`
	NamaLengkap      string `json:"nama_lengkap"`
	TempatLahir      string `json:"tempat_lahir"`
	TanggalLahir     string `json:"tanggal_lahir"` // YYYY-MM-DD
	JenisKelamin     string `json:"jenis_kelamin"`
	GolonganDarah    string `json:"golongan_darah"`
	Address                 // inline: alamat, rt, rw, …
	Agama            string `json:"agama"`
	StatusPerkawinan string `json:"status_perkawinan"`
	Pekerjaan        string `json:"pekerjaan"`
	Kewarganegaraan  string `json:"kewarganegaraan"`
	BerlakuHingga    string `json:"berlaku_hingga"` // "SEUMUR HIDUP" or YYYY-MM-DD
	// NamaIbu is the mother's name (nama ibu kandung), which the KK prints
	// and institutions check; empty on records made before it was recorded.
	NamaIbu string `json:"nama_ibu,omitempty"`
}

// Change is one entry of an entity's history.
type Change struct {
	What    string    `json:"what"` // e.g. "terdaftar", "pekerjaan", "anggota masuk"
	Value   string    `json:"value,omitempty"`
	Note    string    `json:"note,omitempty"` // the officer's reason
	Officer string    `json:"officer"`
	Office  string    `json:"office"`
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
}

// ConflictValue and FieldConflict describe a register in conflict.
type (
	ConflictValue = conflict.Value
	FieldConflict = conflict.Field
)

// Resident is the folded state of one Penduduk. A field in conflict shows
// the competing value that sorts first; Conflicts lists them all.
type Resident struct {
	Biodata
	Office       string          `json:"office"` // where registered
	RegisteredAt time.Time       `json:"registered_at"`
	UpdatedAt    time.Time       `json:"updated_at"`
	History      []Change        `json:"history"`
	Conflicts    []FieldConflict `json:"conflicts,omitempty"`
}

// Member is one person on a family card.
type Member struct {
	NIK      string    `json:"nik"`
	Hubungan string    `json:"hubungan"` // relationship, or "keluar" in Former
	Note     string    `json:"note,omitempty"`
	Officer  string    `json:"officer"`
	Office   string    `json:"office"`
	Since    time.Time `json:"since"`
	Event    string    `json:"event"`
}

// Family is the folded state of one Keluarga (Kartu Keluarga).
type Family struct {
	KK        string          `json:"kk"`
	Head      string          `json:"kepala_keluarga"` // NIK
	Address   Address         `json:"address"`
	Members   []Member        `json:"members"` // head first, then by relationship
	Former    []Member        `json:"former,omitempty"`
	Office    string          `json:"office"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	History   []Change        `json:"history"`
	Conflicts []FieldConflict `json:"conflicts,omitempty"`
}

// InConflict reports whether concurrent edits await an officer.
func (r *Resident) InConflict() bool { return len(r.Conflicts) > 0 }

// InConflict reports whether concurrent edits await an officer.
func (f *Family) InConflict() bool { return len(f.Conflicts) > 0 }

// Member returns the current member with this NIK.
func (f *Family) Member(nik string) (Member, bool) {
	for _, m := range f.Members {
		if m.NIK == nik {
			return m, true
		}
	}
	return Member{}, false
}
