package catalog

import (
	"slices"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/replication/roster"
)

func TestCheckPasses(t *testing.T) {
	if err := Check(); err != nil {
		t.Fatalf("catalog check:\n%v", err)
	}
}

// The services of the DESIGN catalog table (seeds 000, 001, 004 §1–18),
// with the paths the SOPs give and where each may start.
func TestDesignServicesPresent(t *testing.T) {
	tests := []struct {
		name   string
		paths  []string
		starts []roster.Role
	}{
		{"sinkronisasi-data", []string{"dinas", "kecamatan"}, []roster.Role{Kecamatan, Dinas}},
		{"perekaman-ktp-el", []string{"statis-online", "statis-offline", "mobile"}, []roster.Role{Kecamatan, Mobile}},
		{"ktp-el-baru", []string{"online", "offline"}, []roster.Role{Kecamatan}},
		{"ktp-el-pengganti-salah-data", []string{"kecamatan", "dinas"}, []roster.Role{Kecamatan, Dinas}},
		{"ktp-el-pengganti-salah-foto", []string{"dinas"}, []roster.Role{Dinas}},
		{"ktp-el-pengganti-rusak", []string{"kecamatan", "dinas"}, []roster.Role{Kecamatan, Dinas}},
		{"ktp-el-pengganti-hilang", []string{"kecamatan", "dinas"}, []roster.Role{Kecamatan, Dinas}},
		{"ktp-el-pengganti-perubahan-elemen", []string{"kecamatan", "dinas"}, []roster.Role{Kecamatan, Dinas}},
		{"pindah-dalam-kabupaten", []string{"online", "offline", "dinas"}, []roster.Role{Kecamatan, Dinas}},
		{"pindah-antar-kabupaten", []string{"dinas"}, []roster.Role{Dinas}},
	}
	if len(All()) != len(tests) {
		t.Errorf("catalog has %d services, want %d: %v", len(All()), len(tests), Names())
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := Lookup(tc.name)
			if !ok {
				t.Fatalf("service %q missing", tc.name)
			}
			var paths []string
			for _, p := range s.Paths {
				paths = append(paths, p.Name)
			}
			if !slices.Equal(paths, tc.paths) {
				t.Errorf("paths %v, want %v", paths, tc.paths)
			}
			for _, k := range OfficeKinds() {
				if got, want := s.StartsAt(k), slices.Contains(tc.starts, k); got != want {
					t.Errorf("StartsAt(%s) = %v, want %v", k, got, want)
				}
			}
		})
	}
}

func TestLookupAndOrder(t *testing.T) {
	if _, ok := Lookup("akta-kelahiran"); ok {
		t.Error("unknown service found")
	}
	a, b := All(), All()
	for i := range a {
		if a[i].Name != b[i].Name || a[i].Name != Names()[i] {
			t.Fatalf("order not stable at %d: %s %s %s", i, a[i].Name, b[i].Name, Names()[i])
		}
	}
	s, _ := Lookup("ktp-el-pengganti-hilang")
	if p, ok := s.Path("kecamatan"); !ok || p.Start != Kecamatan {
		t.Errorf("Path(kecamatan) = %+v, %v", p.Name, ok)
	}
	if _, ok := s.Path("mobile"); ok {
		t.Error("hilang has no mobile path")
	}
}

// Changing what Lookup or All returned must not change the catalog.
func TestReturnsCopies(t *testing.T) {
	s, _ := Lookup("ktp-el-baru")
	s.Paths[0].Steps[0].Role = KepalaSeksi
	s.Paths[0].Steps[2].Waits[0] = DecisionDedup
	s.Form.Fields[3].Choices[0] = "X"
	s.Documents[3].When.Values[0] = "X"
	all := All()
	all[0].Paths[0].Steps[0].Title = "diubah"
	again, _ := Lookup("ktp-el-baru")
	if again.Paths[0].Steps[0].Role != Pemohon || again.Paths[0].Steps[2].Waits[0] != DecisionNIK ||
		again.Form.Fields[3].Choices[0] != "Laki-laki" || again.Documents[3].When.Values[0] != "Kawin" {
		t.Error("catalog changed through a returned copy")
	}
	if All()[0].Paths[0].Steps[0].Title == "diubah" {
		t.Error("catalog changed through All")
	}
	if err := Check(); err != nil {
		t.Error(err)
	}
}

// box returns the step with SOP box number no (0: the §22 distribution).
func box(t *testing.T, service, path string, no int) Step {
	t.Helper()
	s, ok := Lookup(service)
	if !ok {
		t.Fatalf("no service %s", service)
	}
	p, ok := s.Path(path)
	if !ok {
		t.Fatalf("no path %s/%s", service, path)
	}
	for _, st := range p.Steps {
		if st.No == no {
			return st
		}
	}
	t.Fatalf("%s/%s has no box %d", service, path, no)
	return Step{}
}

// Spot checks of who does what where, against the SOP text.
func TestRolesFollowSOP(t *testing.T) {
	tests := []struct {
		cite          string
		service, path string
		no            int
		role          Role
		office        roster.Role
		handOver      roster.Role
		waits         []Decision
		inputs        []Input
	}{
		{"001 langkah 3: Kasi Data memerintahkan ADB SIAK", "sinkronisasi-data", "dinas", 3, KasiData, Dinas, "", nil, nil},
		{"001 langkah 4: sinkronisasi pada Konsolidasi", "sinkronisasi-data", "dinas", 4, ADBSIAK, Dinas, "", []Decision{DecisionKonsolidasi, DecisionDWH}, nil},
		{"004 §1 box 3: petugas menerima berkas", "perekaman-ktp-el", "statis-online", 3, PetugasPendukung, Kecamatan, "", nil, nil},
		{"004 §1 box 5: operator merekam", "perekaman-ktp-el", "statis-online", 5, OperatorKecamatan, Kecamatan, "", nil, []Input{InputISOTemplate}},
		{"004 §2 box 7: operator membackup", "perekaman-ktp-el", "statis-offline", 7, OperatorKecamatan, Kecamatan, "", []Decision{DecisionDedup}, []Input{InputBundle}},
		{"004 §1 box 7: operator memvalidasi, the dinas's duplicate check", "perekaman-ktp-el", "statis-online", 7, OperatorKecamatan, Kecamatan, "", []Decision{DecisionDedup}, nil},
		{"004 §3 box 2: operator mobile menerima berkas", "perekaman-ktp-el", "mobile", 2, OperatorMobile, Mobile, "", nil, nil},
		{"004 §4 box 3: operator merekam biodata di SIAK", "ktp-el-baru", "online", 3, OperatorKecamatan, Kecamatan, "", []Decision{DecisionNIK}, nil},
		{"004 §5 box 2: mengirimkan berkas ke Dinas", "ktp-el-baru", "offline", 2, PetugasPendukung, Kecamatan, Dinas, nil, nil},
		{"004 §5 box 4: operator Dinas mencetak KK", "ktp-el-baru", "offline", 4, OperatorDinas, Dinas, "", []Decision{DecisionNIK}, nil},
		{"004 §5 box 5: TTE KK, kirim ke Kecamatan", "ktp-el-baru", "offline", 5, PetugasPendukung, Dinas, Kecamatan, nil, nil},
		{"004 §6 box 3: menyampaikan ke Dinas", "ktp-el-pengganti-salah-data", "kecamatan", 3, PetugasPendukung, Kecamatan, Dinas, nil, nil},
		{"004 §6 box 5: operator memperbaiki data, mencetak", "ktp-el-pengganti-salah-data", "kecamatan", 5, OperatorDinas, Dinas, "", []Decision{DecisionKonsolidasi, DecisionKartu}, []Input{InputPrintedCard}},
		{"004 §6 box 6: Kepala Seksi meneliti", "ktp-el-pengganti-salah-data", "kecamatan", 6, KepalaSeksi, Dinas, "", nil, nil},
		{"004 §22 box 1–3: distribusi ke kecamatan", "ktp-el-pengganti-salah-data", "kecamatan", 0, PetugasPendistribusian, Dinas, Kecamatan, nil, nil},
		{"004 §6 box 9: penduduk menerima KTP-el", "ktp-el-pengganti-salah-data", "kecamatan", 9, Pemohon, Kecamatan, "", nil, nil},
		{"004 §8 box 4: merekam ulang photo, mencetak", "ktp-el-pengganti-salah-foto", "dinas", 4, OperatorDinas, Dinas, "", []Decision{DecisionKartu}, []Input{InputISOTemplate, InputPrintedCard}},
		{"004 §12 box 5: Kepala Seksi", "ktp-el-pengganti-hilang", "dinas", 5, KepalaSeksi, Dinas, "", nil, nil},
		{"004 §14 box 6: menyerahkan KTP-el dengan tanda terima", "ktp-el-pengganti-perubahan-elemen", "dinas", 6, PetugasPendukung, Dinas, "", nil, nil},
		{"004 §15 box 4: proses kedatangan di kecamatan", "pindah-dalam-kabupaten", "online", 4, OperatorKecamatan, Kecamatan, "", []Decision{DecisionKK, DecisionKonsolidasi}, nil},
		{"004 §16 box 5: proses kedatangan di Dinas", "pindah-dalam-kabupaten", "offline", 5, OperatorDinas, Dinas, "", []Decision{DecisionKK, DecisionKonsolidasi, DecisionKartu}, []Input{InputPrintedCard}},
		{"004 §18 box 7: kecamatan menyerahkan KK & KTP-el", "pindah-antar-kabupaten", "dinas", 7, PetugasPendukung, Kecamatan, "", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.cite, func(t *testing.T) {
			st := box(t, tc.service, tc.path, tc.no)
			if st.Role != tc.role || st.Office != tc.office || st.HandOver != tc.handOver {
				t.Errorf("%s at %s hand-over %q, want %s at %s hand-over %q",
					st.Role, st.Office, st.HandOver, tc.role, tc.office, tc.handOver)
			}
			if !slices.Equal(st.Waits, tc.waits) || !slices.Equal(st.Inputs, tc.inputs) {
				t.Errorf("waits %v inputs %v, want %v %v", st.Waits, st.Inputs, tc.waits, tc.inputs)
			}
		})
	}
}

// SOP 09 gives every time standard of Sinkronisasi Data (5+5+10 minutes,
// 1 day, 5 minutes); seed 004 gives none, so those are marked chosen.
func TestTimeStandards(t *testing.T) {
	for _, s := range All() {
		for _, p := range s.Paths {
			for _, st := range p.Steps {
				fromSOP := s.Name == "sinkronisasi-data"
				if st.Standard <= 0 || st.StandardFromSOP != fromSOP {
					t.Errorf("%s/%s/%s: standard %v from SOP %v", s.Name, p.Name, st.Name, st.Standard, st.StandardFromSOP)
				}
			}
		}
	}
	s, _ := Lookup("sinkronisasi-data")
	p, _ := s.Path("dinas")
	if got, want := p.Standard(), 25*time.Minute+24*time.Hour; got != want {
		t.Errorf("SOP 09 total %v, want %v", got, want)
	}
}

func TestStages(t *testing.T) {
	tests := []struct {
		service, path string
		submission    int
		verifier      Role
		processing    int
		first         string
	}{
		{"ktp-el-pengganti-salah-data", "kecamatan", 2, PetugasPendukung, 7, "verifikasi-berkas-dinas"},
		{"perekaman-ktp-el", "mobile", 1, OperatorMobile, 5, "perekaman-biometrik"},
		{"sinkronisasi-data", "dinas", 1, StafInformasi, 3, "konsolidasi-manual"},
	}
	for _, tc := range tests {
		s, _ := Lookup(tc.service)
		p, _ := s.Path(tc.path)
		v, ok := p.Verification()
		proc := p.Processing()
		if len(p.Submission()) != tc.submission || !ok || v.Role != tc.verifier ||
			len(proc) != tc.processing || proc[0].Name != tc.first {
			t.Errorf("%s/%s: submission %d, verifier %s, processing %d from %s",
				tc.service, tc.path, len(p.Submission()), v.Role, len(proc), proc[0].Name)
		}
	}
}

func TestDocuments(t *testing.T) {
	hilang, _ := Lookup("ktp-el-pengganti-hilang")
	police := hilang.DocumentsFor("kecamatan", nil)[0]
	if police.Name != "surat_kehilangan" || police.Paper != PaperKept || !police.Upload || !police.Required {
		t.Errorf("004 §11: police letter %+v, want handed in and uploaded", police)
	}
	rusak, _ := Lookup("ktp-el-pengganti-rusak")
	if d := rusak.Documents[0]; d.Name != "ktp_el_rusak" || d.Paper != PaperKept {
		t.Errorf("004 §9: damaged card %+v, want handed in", d)
	}
	baru, _ := Lookup("ktp-el-baru")
	names := func(ds []Document) (out []string) {
		for _, d := range ds {
			out = append(out, d.Name)
		}
		return out
	}
	single := names(baru.DocumentsFor("offline", map[string]string{"status_perkawinan": "Belum Kawin"}))
	married := names(baru.DocumentsFor("online", map[string]string{"status_perkawinan": "Kawin"}))
	if slices.Contains(single, "bukti_perkawinan") || slices.Contains(single, "formulir_permohonan_biodata") {
		t.Errorf("004 §5, belum kawin: %v", single)
	}
	if !slices.Contains(married, "bukti_perkawinan") || !slices.Contains(married, "formulir_permohonan_biodata") {
		t.Errorf("004 §4, kawin: %v", married)
	}
}

func TestTitlesAndStepLookup(t *testing.T) {
	for _, r := range Roles() {
		if r.Title() == "" || len(r.Offices()) == 0 {
			t.Errorf("role %s has no title or office", r)
		}
	}
	for _, k := range OfficeKinds() {
		if k.Title() == "" {
			t.Errorf("office %s has no title", k)
		}
	}
	s, _ := Lookup("pindah-antar-kabupaten")
	p, _ := s.Path("dinas")
	if st, i, ok := p.Step("pemeriksaan-kepala-seksi"); !ok || i != 4 || st.Role != KepalaSeksi {
		t.Errorf("Step(pemeriksaan-kepala-seksi) = %s, %d, %v", st.Role, i, ok)
	}
	if _, _, ok := p.Step("cetak-blangko"); ok {
		t.Error("unknown step found")
	}
}
