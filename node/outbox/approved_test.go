package outbox

import (
	"strings"
	"testing"
)

// The node refuses a template whose body asks for another number of
// parameters than it fills, and one that leaves out what its kind must say.
func TestApprovedTemplatesCheck(t *testing.T) {
	def := DefaultApprovedTemplates()
	if err := def.Check(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for _, tc := range []struct {
		name, kind string
		tpl        Template
		want       string // in the error; "" for none
	}{
		{"fits", "selesai", Template{Name: "a", Body: "Permohonan {{1}} selesai di {{2}}.", Params: []string{VarKode, VarKantor}}, ""},
		{"spaces inside braces", "selesai", Template{Name: "a", Body: "Permohonan {{ 1 }}.", Params: []string{VarKode}}, ""},
		{"one too few", "selesai", Template{Name: "a", Body: "{{1}} di {{2}}", Params: []string{VarKode}}, "has 2 body parameters, the node fills 1"},
		{"one too many", "baru", Template{Name: "a", Body: "{{1}}", Params: []string{VarKode, VarKantor}}, "has 1 body parameters, the node fills 2"},
		{"gap in numbering", "selesai", Template{Name: "a", Body: "{{1}} {{3}}", Params: []string{VarKode, VarKantor}}, "has -1 body parameters"},
		{"no name", "selesai", Template{Body: "{{1}}", Params: []string{VarKode}}, "without a name"},
		{"unknown value", "selesai", Template{Name: "a", Body: "{{1}} {{2}}", Params: []string{VarKode, "nik"}}, `"nik" is not one of`},
		{"note where there is none", "selesai", Template{Name: "a", Body: "{{1}} {{2}}", Params: []string{VarKode, VarCatatan}}, `"catatan" is not one of`},
		{"no tracking code", "disetujui", Template{Name: "a", Body: "Disetujui di {{1}}", Params: []string{VarKantor}}, "does not carry the tracking code"},
		{"cancel without note", "dibatalkan", Template{Name: "a", Body: "{{1}} dibatalkan", Params: []string{VarKode}}, "officer's note"},
		{"unknown kind", "ditolak", Template{Name: "a", Body: "{{1}}", Params: []string{VarKode}}, "unknown notice kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := def.With(ApprovedTemplates{tc.kind: tc.tpl}).Check()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

// A parameter holds no newline, tab or run of spaces (Meta refuses them),
// and never empty; Render fills the body as the resident reads it.
func TestTemplateValues(t *testing.T) {
	tpl := DefaultApprovedTemplates()["dibatalkan"]
	vars := map[string]string{VarKode: "K1", VarCatatan: "foto KK\nburam,\t\tulangi      foto"}
	got := tpl.Values(vars)
	if got[0] != "K1" || got[1] != "foto KK buram, ulangi foto" {
		t.Fatalf("values %q", got)
	}
	if v := tpl.Values(map[string]string{VarKode: "K1"}); v[1] != "-" {
		t.Fatalf("empty note as %q", v[1])
	}
	if r := tpl.Render(vars); r != "Permohonan K1 belum dapat diproses. Catatan petugas: foto KK buram, ulangi foto" {
		t.Fatalf("render %q", r)
	}
}
