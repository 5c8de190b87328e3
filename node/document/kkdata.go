package document

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/sinkron-id/sinkron/node/fault"
)

// KKData is the content of a Kartu Keluarga as signed by the dinas: every
// field here is covered by the signature (see CanonicalKK). Dates are
// "YYYY-MM-DD"; the NIKs and the KK number are 16 digits.
type KKData struct {
	Number     string     // Nomor KK
	HeadName   string     // Nama Kepala Keluarga
	Address    KKAddress  // alamat of the family
	Members    []KKMember // anggota keluarga in printed order, the head first
	IssueDate  string     // tanggal dikeluarkan, "YYYY-MM-DD"
	IssuePlace string     // tempat dikeluarkan: the regency's seat
	Signatory  Official   // the Kepala Dinas who signs electronically (TTE)
}

// KKAddress is the family's address as printed on the KK.
type KKAddress struct {
	Street     string // alamat: street, house number, dusun
	RT         string // "001"
	RW         string // "002"
	Village    string // desa/kelurahan
	District   string // kecamatan
	Regency    string // kabupaten/kota
	Province   string // provinsi
	PostalCode string // kode pos
}

// KKMember is one row of the member tables of a KK.
type KKMember struct {
	NIK           string
	Name          string // nama lengkap
	Sex           string // jenis kelamin: LAKI-LAKI or PEREMPUAN
	BirthPlace    string // tempat lahir
	BirthDate     string // tanggal lahir, "YYYY-MM-DD"
	Religion      string // agama
	Education     string // pendidikan
	Occupation    string // jenis pekerjaan
	MaritalStatus string // status perkawinan
	Relationship  string // status hubungan dalam keluarga
	Citizenship   string // kewarganegaraan: WNI or WNA
	FatherName    string // nama ayah
	MotherName    string // nama ibu
}

// Official is the signing official.
type Official struct {
	Name     string
	NIP      string // nomor induk pegawai
	Position string // "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sukamaju"
}

// ErrInvalidKK reports KK data that cannot be signed or verified.
var ErrInvalidKK = fault.New(fault.Precondition, "data KK tidak sah")

const (
	kkVersion  = 1   // first byte of the canonical encoding and of the QR payload
	maxMembers = 40  // members one KK may list
	maxField   = 256 // bytes in any one field
)

// CanonicalKK returns the canonical encoding of a KK, the bytes whose
// SHA-256 is the KK digest. It is a version byte (1) followed by
// length-prefixed fields in a fixed order, each a 4-byte big-endian length
// and the field's UTF-8 bytes exactly as given (no trimming or case
// folding):
//
//	Number, HeadName, Address.Street, RT, RW, Village, District, Regency,
//	Province, PostalCode, IssueDate, IssuePlace, Signatory.Name, NIP,
//	Position, then the member count (4-byte big-endian) and for each
//	member in order: NIK, Name, Sex, BirthPlace, BirthDate, Religion,
//	Education, Occupation, MaritalStatus, Relationship, Citizenship,
//	FatherName, MotherName.
//
// Every field is covered; changing, adding, removing or reordering
// members changes the encoding. Data that fails validation (see SignKK)
// is refused with ErrInvalidKK.
func CanonicalKK(d KKData) ([]byte, error) {
	if err := validateKK(d); err != nil {
		return nil, err
	}
	out := []byte{kkVersion}
	for _, f := range kkFields(d) {
		out = appendField(out, f.value)
	}
	out = binary.BigEndian.AppendUint32(out, uint32(len(d.Members)))
	for _, m := range d.Members {
		for _, f := range memberFields(m) {
			out = appendField(out, f.value)
		}
	}
	return out, nil
}

// KKDigest is the SHA-256 of CanonicalKK(d).
func KKDigest(d KKData) ([]byte, error) {
	c, err := CanonicalKK(d)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(c)
	return sum[:], nil
}

func appendField(b []byte, s string) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
	return append(b, s...)
}

// namedField is a field's printed name and value, in canonical order.
type namedField struct{ name, value string }

func kkFields(d KKData) []namedField {
	a, s := d.Address, d.Signatory
	return []namedField{
		{"nomor KK", d.Number}, {"nama kepala keluarga", d.HeadName},
		{"alamat", a.Street}, {"RT", a.RT}, {"RW", a.RW},
		{"desa/kelurahan", a.Village}, {"kecamatan", a.District},
		{"kabupaten/kota", a.Regency}, {"provinsi", a.Province},
		{"kode pos", a.PostalCode}, {"tanggal dikeluarkan", d.IssueDate},
		{"tempat dikeluarkan", d.IssuePlace}, {"nama pejabat", s.Name},
		{"NIP pejabat", s.NIP}, {"jabatan pejabat", s.Position},
	}
}

func memberFields(m KKMember) []namedField {
	return []namedField{
		{"NIK", m.NIK}, {"nama", m.Name}, {"jenis kelamin", m.Sex},
		{"tempat lahir", m.BirthPlace}, {"tanggal lahir", m.BirthDate},
		{"agama", m.Religion}, {"pendidikan", m.Education},
		{"pekerjaan", m.Occupation}, {"status perkawinan", m.MaritalStatus},
		{"hubungan dalam keluarga", m.Relationship},
		{"kewarganegaraan", m.Citizenship}, {"nama ayah", m.FatherName},
		{"nama ibu", m.MotherName},
	}
}

// validateKK checks what the signature and the QR payload rely on.
func validateKK(d KKData) error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidKK}, a...)...)
	}
	if err := checkFields(kkFields(d)); err != nil {
		return bad("%s", err)
	}
	switch {
	case !digits16(d.Number):
		return bad("nomor KK harus 16 digit angka")
	case strings.TrimSpace(d.HeadName) == "":
		return bad("nama kepala keluarga kosong")
	case !validISODate(d.IssueDate):
		return bad("tanggal dikeluarkan harus berbentuk TTTT-BB-HH")
	case len(d.Members) == 0 || len(d.Members) > maxMembers:
		return bad("jumlah anggota keluarga harus 1..%d", maxMembers)
	}
	seen := map[string]bool{}
	for i, m := range d.Members {
		if err := validateMember(m, seen); err != nil {
			return bad("anggota ke-%d: %s", i+1, err)
		}
	}
	return nil
}

func validateMember(m KKMember, seen map[string]bool) error {
	if err := checkFields(memberFields(m)); err != nil {
		return err
	}
	switch {
	case !digits16(m.NIK):
		return errors.New("NIK harus 16 digit angka")
	case seen[m.NIK]:
		return errors.New("NIK " + m.NIK + " tercantum dua kali")
	case strings.TrimSpace(m.Name) == "":
		return errors.New("nama kosong")
	case !validISODate(m.BirthDate):
		return errors.New("tanggal lahir harus berbentuk TTTT-BB-HH")
	}
	seen[m.NIK] = true
	return nil
}

// checkFields refuses invalid UTF-8 and over-long fields.
func checkFields(fs []namedField) error {
	for _, f := range fs {
		if !utf8.ValidString(f.value) {
			return fmt.Errorf("%s bukan teks UTF-8 yang sah", f.name)
		}
		if len(f.value) > maxField {
			return fmt.Errorf("%s lebih dari %d byte", f.name, maxField)
		}
	}
	return nil
}

func digits16(s string) bool {
	if len(s) != 16 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func validISODate(s string) bool {
	t, err := isoDate(s)
	return err == nil && t.Format("2006-01-02") == s
}
