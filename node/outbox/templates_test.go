package outbox

import (
	"strings"
	"testing"
)

// The defaults are the texts node/request sent before templates existed.
func TestDefaultTemplatesMatchRequestTexts(t *testing.T) {
	var tpl Templates // nothing configured
	cases := []struct {
		status string
		vars   map[string]string
		want   string
	}{
		{"baru", map[string]string{VarLayanan: "Sinkronisasi Data", VarKantor: "Kecamatan Kota Agung", VarKode: "KA-7Q2M"},
			"Permohonan Sinkronisasi Data Anda telah diterima di Kecamatan Kota Agung dengan nomor KA-7Q2M. Simpan nomor ini untuk melacak status permohonan."},
		{"Disetujui", map[string]string{VarKode: "KA-7Q2M"}, "Permohonan KA-7Q2M Anda telah disetujui dan akan diproses."},
		{"dibatalkan", map[string]string{VarKode: "KA-7Q2M", VarCatatan: "foto KK buram"}, "Permohonan KA-7Q2M belum dapat diproses. Catatan petugas: foto KK buram"},
		{"selesai", map[string]string{VarKode: "KA-7Q2M", VarKodeLayanan: "akta-kelahiran"}, "Permohonan KA-7Q2M Anda telah selesai."},
		{"selesai", map[string]string{VarKode: "KA-7Q2M", VarKodeLayanan: "sinkronisasi-data"},
			"Data Anda sudah sinkron di DWH dan sudah bisa diakses pada lembaga pengguna data kependudukan (permohonan KA-7Q2M)."},
		{"diproses", map[string]string{VarKode: "KA-7Q2M"}, ""},
		{"entah", nil, ""},
	}
	for _, c := range cases {
		if got := tpl.Render(c.status, c.vars); got != c.want {
			t.Errorf("%s: %q\nwant %q", c.status, got, c.want)
		}
	}
}

// Configured texts win over defaults, per service first; values are not
// expanded again, and unknown braces stay.
func TestConfiguredTemplates(t *testing.T) {
	tpl := Templates{
		Disetujui: "Yth. warga, {kode} disetujui {unknown} {",
		Diproses:  "{kode} sedang diproses",
		Layanan:   map[string]map[string]string{"akta-kelahiran": {"selesai": "Akta {kode} siap diambil di {kantor}."}},
	}
	vars := map[string]string{VarKode: "{catatan}", VarCatatan: "x"}
	if got := tpl.Render("disetujui", vars); got != "Yth. warga, {catatan} disetujui {unknown} {" {
		t.Errorf("disetujui: %q", got)
	}
	if got := tpl.Render("diproses", map[string]string{VarKode: "K1"}); got != "K1 sedang diproses" {
		t.Errorf("diproses: %q", got)
	}
	vars = map[string]string{VarKode: "K1", VarKodeLayanan: "akta-kelahiran"}
	if got := tpl.Render("selesai", vars); got != "Akta K1 siap diambil di ." {
		t.Errorf("per service: %q", got)
	}
	if got := tpl.Render("dibatalkan", vars); !strings.HasPrefix(got, "Permohonan K1 belum dapat diproses.") {
		t.Errorf("default kept: %q", got)
	}
}

func TestTemplatesCheck(t *testing.T) {
	if err := DefaultTemplates().Check(); err != nil {
		t.Fatal(err)
	}
	bad := Templates{Selesai: "{kode} {nomor}", Layanan: map[string]map[string]string{"x": {"seelsai": "{kode}"}}}
	err := bad.Check()
	if err == nil || !strings.Contains(err.Error(), "{nomor}") || !strings.Contains(err.Error(), `"seelsai"`) {
		t.Fatalf("check: %v", err)
	}
}
