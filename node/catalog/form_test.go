package catalog

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/form"
)

var now = time.Date(2025, 6, 1, 10, 0, 0, 0, time.FixedZone("WIB", 7*3600))

const (
	goodNIK   = "1271015708900001" // 17-08-1990, perempuan
	goodKK    = "1271011203150002" // 12-03-2015
	goodPhone = "081234567890"
)

// goodValues fills every field of a form with a valid value.
func goodValues(f Form) map[string]string {
	v := map[string]string{}
	for _, fd := range f.Fields {
		v[fd.Name] = map[FieldType]string{
			FieldText: "Keterangan singkat", FieldName: "Siti Aminah", FieldNIK: goodNIK, FieldKK: goodKK,
			FieldPhone: goodPhone, FieldDate: "17-08-1990", FieldNumber: "3",
		}[fd.Type]
		if fd.Type == FieldChoice {
			v[fd.Name] = fd.Choices[0]
		}
	}
	return v
}

func TestEveryFormAcceptsGoodInput(t *testing.T) {
	for _, s := range All() {
		if err := s.Form.ValidateAt(goodValues(s.Form), now); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	s, _ := Lookup("sinkronisasi-data")
	seed000 := map[string]string{"nama_pemohon": "Budi Santoso", "nik": goodNIK, "kk": goodKK,
		"permasalahan": "NIK 1271015708900001 tidak ditemukan di BPJS", "whatsapp": "0812-3456-7890"}
	if err := s.Form.ValidateAt(seed000, now); err != nil {
		t.Errorf("seed 000 example: %v", err)
	}
}

// Bad input is refused with a *form.FieldError naming the field, whose
// message names it by its Indonesian label and says why.
func TestFormRejects(t *testing.T) {
	tests := []struct {
		service, field, value string
		want                  string // in the message
	}{
		{"sinkronisasi-data", "nik", "12710157089000", "NIK Pemohon: NIK harus 16 digit angka"},
		{"sinkronisasi-data", "nik", "1271019902900001", "NIK Pemohon: tanggal lahir pada NIK tidak valid"},
		{"sinkronisasi-data", "kk", "99710112031500AB", "Nomor Kartu Keluarga: nomor KK harus 16 digit angka"},
		{"sinkronisasi-data", "kk", "9971011203150002", "Nomor Kartu Keluarga: kode wilayah nomor KK tidak dikenal"},
		{"sinkronisasi-data", "whatsapp", "0212345678", "Nomor WA Pemohon: nomor WA harus diawali 08"},
		{"sinkronisasi-data", "whatsapp", "", "Nomor WA Pemohon: wajib diisi"},
		{"sinkronisasi-data", "nama_pemohon", "  ", "Nama Pemohon: wajib diisi"},
		{"sinkronisasi-data", "permasalahan", "BPJS", "Permasalahan Data: minimal 5 karakter"},
		{"ktp-el-pengganti-hilang", "nomor_surat_kehilangan", "", "Nomor Surat Keterangan Kehilangan dari Kepolisian: wajib diisi"},
		{"ktp-el-pengganti-hilang", "tanggal_surat_kehilangan", "31-02-2025", "Tanggal Surat Keterangan Kehilangan: tanggal tidak valid"},
		{"ktp-el-pengganti-hilang", "tanggal_surat_kehilangan", "2025-07-01", "tanggal tidak boleh di masa depan"},
		{"ktp-el-baru", "jenis_kelamin", "L", "Jenis Kelamin: pilih salah satu: Laki-laki, Perempuan"},
		{"ktp-el-baru", "rt", "1a", "RT: harus berupa angka"},
		{"ktp-el-baru", "rw", "0012", "RW: maksimal 3 digit"},
		{"ktp-el-baru", "kk", "123", "Nomor KK (bila bergabung ke KK yang ada): nomor KK harus 16 digit angka"},
		{"pindah-dalam-kabupaten", "tujuan_desa_kelurahan", strings.Repeat("a", 61), "Desa/Kelurahan Tujuan: maksimal 60 karakter"},
		{"pindah-antar-kabupaten", "nik", "", "NIK Pemohon: wajib diisi"},
		{"perekaman-ktp-el", "nomor_paspor", "A123", "nomor_paspor: isian tidak dikenal pada formulir ini"},
	}
	for _, tc := range tests {
		t.Run(tc.service+"/"+tc.field, func(t *testing.T) {
			s, _ := Lookup(tc.service)
			values := goodValues(s.Form)
			values[tc.field] = tc.value
			err := s.Form.ValidateAt(values, now)
			var errs form.Errors
			if !errors.As(err, &errs) || len(errs) != 1 {
				t.Fatalf("got %v, want one field error", err)
			}
			if errs[0].Field != tc.field || !strings.Contains(errs[0].Message, tc.want) {
				t.Errorf("got %s: %q, want %s: %q", errs[0].Field, errs[0].Message, tc.field, tc.want)
			}
		})
	}
}

func TestFormReportsEveryWrongField(t *testing.T) {
	s, _ := Lookup("sinkronisasi-data")
	err := s.Form.ValidateAt(map[string]string{"nik": "1"}, now)
	var errs form.Errors
	if !errors.As(err, &errs) || len(errs) != 5 {
		t.Fatalf("got %v, want 5 errors", err)
	}
	if errs[0].Field != "nama_pemohon" || errs[1].Field != "nik" {
		t.Errorf("errors not in form order: %v", err)
	}
}

func TestNormalize(t *testing.T) {
	s, _ := Lookup("ktp-el-baru")
	in := goodValues(s.Form)
	in["whatsapp"] = "+62 812-3456-7890"
	in["tanggal_lahir"] = "17/08/1990"
	in["jenis_kelamin"] = "perempuan"
	in["nama_lengkap"] = "  Siti Aminah "
	in["kk"] = ""
	in["golongan_darah"] = ""
	out, err := s.Form.Normalize(in, now)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"whatsapp": goodPhone, "tanggal_lahir": "1990-08-17", "jenis_kelamin": "Perempuan",
		"nama_lengkap": "Siti Aminah"}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %q, want %q", k, out[k], v)
		}
	}
	if _, ok := out["kk"]; ok {
		t.Error("empty optional field kept")
	}
	if len(out) != len(in)-2 || maps.Equal(out, in) {
		t.Errorf("normalized %d of %d values", len(out), len(in))
	}
}

func TestValidateUsesTheClock(t *testing.T) {
	s, _ := Lookup("ktp-el-pengganti-rusak")
	if err := s.Form.Validate(goodValues(s.Form)); err != nil {
		t.Error(err)
	}
	v := goodValues(s.Form)
	v["keterangan_kerusakan"] = ""
	v["nik"] = "0000000000000000"
	if err := s.Form.Validate(v); err == nil || !strings.Contains(err.Error(), "kode wilayah NIK") {
		t.Errorf("got %v, want the NIK refused", err)
	}
}
