package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sinkron-id/sinkron/node/form"
)

// Choices as the KTP-el and the KK print them. The lists agree with
// node/catalog's biodata form, so whatever that form accepts is accepted
// here; blood types add the rhesus variants SIAK records.
var (
	sexes      = []string{"Laki-laki", "Perempuan"}
	bloodTypes = []string{"A", "B", "AB", "O", "A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-", "Tidak Tahu"}
	religions  = []string{"Islam", "Kristen", "Katolik", "Hindu", "Buddha", "Khonghucu", "Kepercayaan terhadap Tuhan YME"}
	marital    = []string{"Belum Kawin", "Kawin", "Cerai Hidup", "Cerai Mati"}
	citizens   = []string{"WNI", "WNA"}
	relations  = []string{HeadRelation, "Suami", "Istri", "Anak", "Menantu", "Cucu", "Orang Tua", "Mertua", "Famili Lain", "Lainnya"}
)

// Lifetime is the validity of a KTP-el of a WNI.
const Lifetime = "SEUMUR HIDUP"

// check normalises and validates one value; failures are *form.FieldError.
type check func(field, v string, now time.Time) (string, error)

// spec is one register of a resident or a family address.
type spec struct {
	name  string
	check check
	get   func(*Biodata) *string
}

func addr(name string, c check, get func(*Address) *string) spec {
	return spec{name, c, func(b *Biodata) *string { return get(&b.Address) }}
}

// addressSpecs are shared by residents and families.
var addressSpecs = []spec{
	addr("alamat", upperText(3, 100), func(a *Address) *string { return &a.Alamat }),
	addr("rt", rtrw, func(a *Address) *string { return &a.RT }),
	addr("rw", rtrw, func(a *Address) *string { return &a.RW }),
	addr("desa_kelurahan", upperText(2, 60), func(a *Address) *string { return &a.DesaKelurahan }),
	addr("kecamatan", upperText(2, 60), func(a *Address) *string { return &a.Kecamatan }),
	addr("kabupaten_kota", upperText(2, 60), func(a *Address) *string { return &a.KabupatenKota }),
	addr("provinsi", upperText(2, 60), func(a *Address) *string { return &a.Provinsi }),
	addr("kode_pos", postcode, func(a *Address) *string { return &a.KodePos }),
}

// residentSpecs are the biodata fields that are registers, in KTP-el
// order. The NIK is the entity's id, not a register: a wrong NIK is a new
// resident and a dinas decision, not an edit.
var residentSpecs = append(append([]spec{
	{"nama_lengkap", name, func(b *Biodata) *string { return &b.NamaLengkap }},
	{"tempat_lahir", upperText(2, 60), func(b *Biodata) *string { return &b.TempatLahir }},
	{"tanggal_lahir", birthDate, func(b *Biodata) *string { return &b.TanggalLahir }},
	{"jenis_kelamin", oneOf(sexes...), func(b *Biodata) *string { return &b.JenisKelamin }},
	{"golongan_darah", optional("Tidak Tahu", oneOf(bloodTypes...)), func(b *Biodata) *string { return &b.GolonganDarah }},
}, addressSpecs...), []spec{
	{"agama", oneOf(religions...), func(b *Biodata) *string { return &b.Agama }},
	{"status_perkawinan", oneOf(marital...), func(b *Biodata) *string { return &b.StatusPerkawinan }},
	{"pekerjaan", upperText(2, 60), func(b *Biodata) *string { return &b.Pekerjaan }},
	{"kewarganegaraan", oneOf(citizens...), func(b *Biodata) *string { return &b.Kewarganegaraan }},
	{"berlaku_hingga", optional(Lifetime, validity), func(b *Biodata) *string { return &b.BerlakuHingga }},
	// Not on the KTP-el (the KK prints it); optional, as records made
	// before it was recorded have none.
	{"nama_ibu", optional("", name), func(b *Biodata) *string { return &b.NamaIbu }},
}...)

// Fields lists the biodata fields Change accepts.
func Fields() []string {
	out := make([]string, len(residentSpecs))
	for i, s := range residentSpecs {
		out[i] = s.name
	}
	return out
}

func specOf(specs []spec, field string) (spec, bool) {
	for _, s := range specs {
		if s.name == field {
			return s, true
		}
	}
	return spec{}, false
}

// collector gathers field errors; other errors cannot come from checks.
type collector struct{ errs form.Errors }

func (c *collector) add(err error) {
	var fe *form.FieldError
	if errors.As(err, &fe) {
		c.errs = append(c.errs, fe)
	}
}

func (c *collector) fail(field, msg string) {
	c.errs = append(c.errs, &form.FieldError{Field: field, Message: msg})
}

func (c *collector) err() error {
	if len(c.errs) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalid, c.errs)
}

// validBiodata normalises b and checks every field and the NIK rule,
// adding what is wrong to c.
func validBiodata(c *collector, b Biodata, now time.Time) Biodata {
	b.NIK = strings.TrimSpace(b.NIK)
	nik, nikErr := form.ParseNIK(b.NIK, now)
	c.add(nikErr)
	for _, s := range residentSpecs {
		p := s.get(&b)
		v, err := s.check(s.name, *p, now)
		c.add(err)
		*p = v
	}
	if nikErr == nil {
		crossCheck(c, b, nik)
	}
	return b
}

// crossCheck applies the rules between fields: the NIK encodes the birth
// date (DDMMYY) and the sex (DD+40 for women), and a WNA's card expires.
func crossCheck(c *collector, b Biodata, nik form.NIK) {
	if born, err := time.Parse(time.DateOnly, b.TanggalLahir); err == nil {
		// Compare the digits, not nik.Birth: the NIK's two-digit year is
		// ambiguous for residents over a hundred.
		if born.Day() != nik.Birth.Day() || born.Month() != nik.Birth.Month() || born.Year()%100 != nik.Birth.Year()%100 {
			c.fail("tanggal_lahir", fmt.Sprintf("tidak sesuai dengan NIK (NIK mencatat tanggal lahir %s)", nik.Birth.Format("02-01-06")))
		}
	}
	if want := sexes[boolIndex(nik.Female)]; b.JenisKelamin != "" && b.JenisKelamin != want {
		c.fail("jenis_kelamin", fmt.Sprintf("tidak sesuai dengan NIK (NIK mencatat %s; tanggal lahir perempuan ditambah 40)", want))
	}
	if b.Kewarganegaraan == "WNA" && b.BerlakuHingga == Lifetime {
		c.fail("berlaku_hingga", "KTP-el WNA wajib mencantumkan tanggal berlaku hingga")
	}
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

func name(field, v string, _ time.Time) (string, error) {
	s, err := form.ValidName(field, v)
	return strings.ToUpper(s), err
}

// upperText is free text printed in capitals, as on the card: "Jakarta"
// and "JAKARTA" written at two offices are one value, not a conflict.
func upperText(min, max int) check {
	return func(field, v string, _ time.Time) (string, error) {
		s, err := form.ValidText(field, strings.Join(strings.Fields(v), " "), min, max)
		return strings.ToUpper(s), err
	}
}

func oneOf(choices ...string) check {
	return func(field, v string, _ time.Time) (string, error) {
		v = strings.TrimSpace(v)
		if v == "" {
			return "", &form.FieldError{Field: field, Message: "wajib diisi"}
		}
		for _, c := range choices {
			if strings.EqualFold(c, v) {
				return c, nil
			}
		}
		return "", &form.FieldError{Field: field, Message: fmt.Sprintf("%q tidak dikenal; pilihan: %s", v, strings.Join(choices, ", "))}
	}
}

// optional fills an empty value with its default, as the card prints it.
func optional(def string, c check) check {
	return func(field, v string, now time.Time) (string, error) {
		if strings.TrimSpace(v) == "" {
			return def, nil
		}
		return c(field, v, now)
	}
}

func rtrw(field, v string, _ time.Time) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", &form.FieldError{Field: field, Message: "wajib diisi"}
	}
	if len(v) > 3 || strings.Trim(v, "0123456789") != "" || strings.Trim(v, "0") == "" {
		return "", &form.FieldError{Field: field, Message: "harus 1–3 digit angka, bukan 000"}
	}
	return strings.Repeat("0", 3-len(v)) + v, nil
}

func postcode(field, v string, _ time.Time) (string, error) {
	v = strings.TrimSpace(v)
	if v != "" && (len(v) != 5 || strings.Trim(v, "0123456789") != "") {
		return "", &form.FieldError{Field: field, Message: "kode pos harus 5 digit angka"}
	}
	return v, nil
}

// date accepts the layouts of node/catalog's date fields.
func date(field, v string) (time.Time, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, &form.FieldError{Field: field, Message: "wajib diisi"}
	}
	for _, layout := range []string{time.DateOnly, "02-01-2006", "02/01/2006"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, nil
		}
	}
	return time.Time{}, &form.FieldError{Field: field, Message: "tanggal harus berformat DD-MM-YYYY atau YYYY-MM-DD"}
}

func birthDate(field, v string, now time.Time) (string, error) {
	t, err := date(field, v)
	if err != nil {
		return "", err
	}
	if form.Future(t, now) {
		return "", &form.FieldError{Field: field, Message: "tidak boleh di masa depan"}
	}
	return t.Format(time.DateOnly), nil
}

func validity(field, v string, _ time.Time) (string, error) {
	if strings.EqualFold(strings.Join(strings.Fields(v), " "), Lifetime) {
		return Lifetime, nil
	}
	t, err := date(field, v)
	if err != nil {
		return "", &form.FieldError{Field: field, Message: "isi SEUMUR HIDUP atau tanggal DD-MM-YYYY"}
	}
	return t.Format(time.DateOnly), nil
}

// validAddress normalises a family's address, adding what is wrong to c.
func validAddress(c *collector, a Address, now time.Time) Address {
	b := Biodata{Address: a}
	for _, s := range addressSpecs {
		p := s.get(&b)
		v, err := s.check(s.name, *p, now)
		c.add(err)
		*p = v
	}
	return b.Address
}

func validRelation(v string) (string, error) {
	return oneOf(relations...)("hubungan", v, time.Time{})
}

// validReason checks an officer's reason for a change into c.
func validReason(c *collector, reason string) string {
	reason, err := form.ValidText("alasan", reason, 3, 500)
	c.add(err)
	return reason
}

func validOfficer(c *collector, officer string) {
	if strings.TrimSpace(officer) == "" {
		c.fail("petugas", "nama petugas wajib diisi")
	}
}
