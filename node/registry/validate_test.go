package registry

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// refused checks a call failed with want, named the fields (for
// ErrInvalid), said why in a message, and appended nothing.
func refused(t *testing.T, o *office, want error, fields []string, call func() error) {
	t.Helper()
	before := o.st.Vector()
	err := call()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	if got := fieldsOf(err); want == ErrInvalid && !slices.Equal(got, fields) {
		t.Fatalf("fields %v, want %v (%v)", got, fields, err)
	}
	if msg := err.Error(); len(msg) < len(want.Error())+10 {
		t.Fatalf("message says too little: %q", msg)
	}
	if !o.st.Vector().Equal(before) {
		t.Fatalf("refused call appended an event: %v", err)
	}
}

func TestRegisterRefusesBadBiodata(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	tests := []struct {
		name   string
		edit   func(*Biodata)
		fields []string
	}{
		{"NIK 15 digit", func(b *Biodata) { b.NIK = nikBudi[:15] }, []string{"nik"}},
		{"NIK berhuruf", func(b *Biodata) { b.NIK = "12710117089O0001" }, []string{"nik"}},
		{"NIK wilayah tak dikenal", func(b *Biodata) { b.NIK = "9971011708900001" }, []string{"nik"}},
		{"NIK nomor urut 0000", func(b *Biodata) { b.NIK = "1271011708900000" }, []string{"nik"}},
		{"tanggal lahir lain dari NIK", func(b *Biodata) { b.TanggalLahir = "18-08-1990" }, []string{"tanggal_lahir"}},
		{"perempuan dengan NIK laki-laki", func(b *Biodata) { b.JenisKelamin = "Perempuan" }, []string{"jenis_kelamin"}},
		{"laki-laki dengan NIK perempuan (+40)", func(b *Biodata) { b.NIK = "1271015708900001" }, []string{"jenis_kelamin"}},
		{"tanggal tidak ada", func(b *Biodata) { b.TanggalLahir = "31-02-1990" }, []string{"tanggal_lahir"}},
		{"agama tak dikenal", func(b *Biodata) { b.Agama = "Jedi" }, []string{"agama"}},
		{"golongan darah tak dikenal", func(b *Biodata) { b.GolonganDarah = "Z" }, []string{"golongan_darah"}},
		{"status perkawinan tak dikenal", func(b *Biodata) { b.StatusPerkawinan = "Menikah" }, []string{"status_perkawinan"}},
		{"kewarganegaraan tak dikenal", func(b *Biodata) { b.Kewarganegaraan = "Indonesia" }, []string{"kewarganegaraan"}},
		{"jenis kelamin kosong", func(b *Biodata) { b.JenisKelamin = "" }, []string{"jenis_kelamin"}},
		{"nama kosong", func(b *Biodata) { b.NamaLengkap = " " }, []string{"nama_lengkap"}},
		{"nama berangka", func(b *Biodata) { b.NamaLengkap = "Budi 2" }, []string{"nama_lengkap"}},
		{"alamat dan kecamatan kosong", func(b *Biodata) { b.Alamat, b.Kecamatan = "", "" }, []string{"alamat", "kecamatan"}},
		{"RT bukan angka", func(b *Biodata) { b.RT = "1a" }, []string{"rt"}},
		{"RW 000", func(b *Biodata) { b.RW = "000" }, []string{"rw"}},
		{"kode pos 4 digit", func(b *Biodata) { b.KodePos = "2251" }, []string{"kode_pos"}},
		{"WNA seumur hidup", func(b *Biodata) { b.Kewarganegaraan = "WNA" }, []string{"berlaku_hingga"}},
		{"berlaku hingga bukan tanggal", func(b *Biodata) { b.BerlakuHingga = "selamanya" }, []string{"berlaku_hingga"}},
		{"pekerjaan kosong", func(b *Biodata) { b.Pekerjaan = "" }, []string{"pekerjaan"}},
		{"nama ibu berangka", func(b *Biodata) { b.NamaIbu = "Sri 2" }, []string{"nama_ibu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := budi()
			tt.edit(&b)
			refused(t, o, ErrInvalid, tt.fields, func() error { _, err := o.svc.Register(b, "Andi"); return err })
		})
	}
	t.Run("petugas kosong", func(t *testing.T) {
		refused(t, o, ErrInvalid, []string{"petugas"}, func() error { _, err := o.svc.Register(budi(), " "); return err })
	})
}

func TestRegisterNormalisesAndRefusesTwice(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	r, err := o.svc.Register(budi(), "Andi")
	if err != nil {
		t.Fatal(err)
	}
	b := r.Biodata
	if b.NamaLengkap != "BUDI SANTOSO" || b.TanggalLahir != "1990-08-17" || b.JenisKelamin != "Laki-laki" ||
		b.Agama != "Islam" || b.RT != "001" || b.RW != "002" || b.Alamat != "JL. TONGKOL NO. 12" ||
		b.BerlakuHingga != Lifetime || r.Office != "Kecamatan Sibolga Kota" || len(r.History) != 1 {
		t.Fatalf("registered %+v", r)
	}
	refused(t, o, ErrExists, nil, func() error { _, err := o.svc.Register(budi(), "Andi"); return err })
	siti := person(nikSiti, "Siti", "17-08-1992", "PEREMPUAN", "Kawin")
	siti.GolonganDarah, siti.Kewarganegaraan, siti.BerlakuHingga = "", "wna", "01-01-2030"
	r, err = o.svc.Register(siti, "Andi")
	if err != nil || r.GolonganDarah != "Tidak Tahu" || r.BerlakuHingga != "2030-01-01" || r.Kewarganegaraan != "WNA" {
		t.Fatalf("woman, WNA: %+v %v", r, err)
	}
}

// The mother's name is recorded with the biodata when known, kept through
// the event log, and may be completed later on a record made without it.
func TestMothersName(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	siti := person(nikSiti, "Siti", "17-08-1992", "PEREMPUAN", "Kawin")
	siti.NamaIbu = "sri rahayu"
	if r, err := o.svc.Register(siti, "Andi"); err != nil || r.NamaIbu != "SRI RAHAYU" {
		t.Fatalf("registered with a mother's name: %q, %v", r.NamaIbu, err)
	}
	if r, err := o.svc.Resident(nikSiti); err != nil || r.NamaIbu != "SRI RAHAYU" {
		t.Fatalf("read back from the log: %q, %v", r.NamaIbu, err)
	}
	r, err := o.svc.Register(budi(), "Andi")
	if err != nil || r.NamaIbu != "" {
		t.Fatalf("registered without one: %q, %v", r.NamaIbu, err)
	}
	if r, err = o.svc.Change(nikBudi, "nama_ibu", "Aminah", "dilengkapi dari KK", "Andi"); err != nil || r.NamaIbu != "AMINAH" {
		t.Fatalf("completed later: %q, %v", r.NamaIbu, err)
	}
}

func TestChangeRefusesBadInput(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	family(t, o)
	change := func(nik, field, value, reason, officer string) func() error {
		return func() error { _, err := o.svc.Change(nik, field, value, reason, officer); return err }
	}
	tests := []struct {
		name   string
		call   func() error
		want   error
		fields []string
	}{
		{"kolom tak dikenal", change(nikBudi, "warna_favorit", "biru", "permintaan", "Andi"), ErrInvalid, []string{"kolom"}},
		{"NIK bukan kolom", change(nikBudi, "nik", nikSiti, "salah ketik", "Andi"), ErrInvalid, []string{"kolom"}},
		{"nilai pilihan tak dikenal", change(nikBudi, "agama", "Jedi", "perubahan agama", "Andi"), ErrInvalid, []string{"agama"}},
		{"tanggal lahir lain dari NIK", change(nikBudi, "tanggal_lahir", "1990-08-18", "salah ketik", "Andi"), ErrInvalid, []string{"tanggal_lahir"}},
		{"jenis kelamin lain dari NIK", change(nikSiti, "jenis_kelamin", "Laki-laki", "salah ketik", "Andi"), ErrInvalid, []string{"jenis_kelamin"}},
		{"nama kosong", change(nikBudi, "nama_lengkap", "", "salah ketik", "Andi"), ErrInvalid, []string{"nama_lengkap"}},
		{"tanpa alasan", change(nikBudi, "pekerjaan", "Guru", "", "Andi"), ErrInvalid, []string{"alasan"}},
		{"tanpa petugas", change(nikBudi, "pekerjaan", "Guru", "alih profesi", ""), ErrInvalid, []string{"petugas"}},
		{"NIK tak terdaftar", change("1271011708900099", "pekerjaan", "Guru", "alih profesi", "Andi"), ErrNotFound, nil},
		{"nilai sama", change(nikBudi, "pekerjaan", "nelayan", "alih profesi", "Andi"), ErrPrecondition, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, o, tt.want, tt.fields, tt.call) })
	}
}

func TestFamilyRefusesBadInput(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	family(t, o)
	if _, err := o.svc.AddMember(kkBudi, nikAnak1, "anak", "Andi"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.Register(person("1271010101800005", "Joko", "01-01-1980", "Laki-laki", "Kawin"), "Andi"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.CreateFamily(kkLain, "1271010101800005", sibolga(), "Andi"); err != nil {
		t.Fatal(err)
	}
	create := func(kk, head string, a Address) func() error {
		return func() error { _, err := o.svc.CreateFamily(kk, head, a, "Andi"); return err }
	}
	add := func(kk, nik, rel string) func() error {
		return func() error { _, err := o.svc.AddMember(kk, nik, rel, "Andi"); return err }
	}
	remove := func(kk, nik, reason string) func() error {
		return func() error { _, err := o.svc.RemoveMember(kk, nik, reason, "Andi"); return err }
	}
	noRT := sibolga()
	noRT.RT = ""
	tests := []struct {
		name   string
		call   func() error
		want   error
		fields []string
	}{
		{"KK 12 digit", create("127101010320", nikSiti, sibolga()), ErrInvalid, []string{"kk"}},
		{"KK tanggal tidak ada", create("1271013102200001", nikSiti, sibolga()), ErrInvalid, []string{"kk"}},
		{"NIK kepala salah", create("1271010103200009", "12345", sibolga()), ErrInvalid, []string{FieldHead}},
		{"alamat tanpa RT", create("1271010103200009", nikSiti, noRT), ErrInvalid, []string{"rt"}},
		{"KK sudah ada", create(kkBudi, nikSiti, sibolga()), ErrExists, nil},
		{"kepala tak terdaftar", create("1271010103200009", "1271011708900099", sibolga()), ErrNotFound, nil},
		{"kepala di KK lain", create("1271010103200009", nikAnak1, sibolga()), ErrPrecondition, nil},
		{"hubungan tak dikenal", add(kkBudi, nikSiti, "Sepupu"), ErrInvalid, []string{"hubungan"}},
		{"NIK anggota salah", add(kkBudi, "1271", "Istri"), ErrInvalid, []string{"nik"}},
		{"KK tak ada", add("1271010103200009", nikSiti, "Istri"), ErrNotFound, nil},
		{"anggota tak terdaftar", add(kkBudi, "1271011708900099", "Anak"), ErrNotFound, nil},
		{"sudah anggota", add(kkBudi, nikAnak1, "Cucu"), ErrPrecondition, nil},
		{"kepala kedua", add(kkBudi, nikSiti, "Kepala Keluarga"), ErrPrecondition, nil},
		{"anggota KK lain", add(kkLain, nikAnak1, "Anak"), ErrPrecondition, nil},
		{"keluarkan bukan anggota", remove(kkBudi, nikSiti, "pindah"), ErrPrecondition, nil},
		{"keluarkan tanpa alasan", remove(kkBudi, nikAnak1, ""), ErrInvalid, []string{"alasan"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { refused(t, o, tt.want, tt.fields, tt.call) })
	}
}

func TestResolveRefusesBadInput(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	family(t, o)
	tests := []struct {
		name             string
		kind, id, field  string
		chosen, officer  string
		want             error
		fields           []string
		messageHasSubstr string
	}{
		{"jenis tak dikenal", "kendaraan", nikBudi, "pekerjaan", "GURU", "Andi", ErrInvalid, []string{"jenis"}, "tidak dikenal"},
		{"tanpa petugas", KindResident, nikBudi, "pekerjaan", "GURU", "", ErrInvalid, []string{"petugas"}, "wajib"},
		{"tidak konflik", KindResident, nikBudi, "pekerjaan", "GURU", "Andi", ErrPrecondition, nil, "tidak sedang konflik"},
		{"penduduk tak ada", KindResident, "1271011708900099", "pekerjaan", "GURU", "Andi", ErrNotFound, nil, "tidak ditemukan"},
		{"KK tak ada", KindFamily, "1271010103200009", FieldHead, nikBudi, "Andi", ErrNotFound, nil, "tidak ditemukan"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refused(t, o, tt.want, tt.fields, func() error {
				err := o.svc.Resolve(tt.kind, tt.id, tt.field, tt.chosen, "", tt.officer)
				if err != nil && !strings.Contains(err.Error(), tt.messageHasSubstr) {
					t.Errorf("message %q lacks %q", err, tt.messageHasSubstr)
				}
				return err
			})
		})
	}
}

// TestFamilyDatedTodayInIndonesia is the card a move gets after midnight
// WIB: the dinas numbers it with the new day while the node's clock, in
// UTC, still reads the old one. It must not be refused as issued tomorrow.
func TestFamilyDatedTodayInIndonesia(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	family(t, o)
	o.svc.now = func() time.Time { return time.Date(2026, 12, 2, 18, 20, 0, 0, time.UTC) } // 01:20 WIB, 3 December
	if _, err := o.svc.CreateFamily("1271010312260001", nikSiti, sibolga(), "Andi"); err != nil {
		t.Fatalf("a card dated 3 December at 01:20 WIB: %v", err)
	}
	if _, err := o.svc.CreateFamily("1271010412260001", nikAnak2, sibolga(), "Andi"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("a card dated 4 December: %v, want ErrInvalid", err)
	}
}
