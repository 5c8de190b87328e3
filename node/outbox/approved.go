package outbox

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// A notice to a resident who has not written to the regency's number in
// the last 24 hours is business-initiated: the Cloud API delivers it only
// as an approved message template (type "template"), and refuses free-form
// text with error 131047. Each notice kind therefore names its template,
// as approved in WhatsApp Manager, in the [whatsapp.template.KIND] tables.

// KindKartuSiap is the notice that a printed card waits at an office; the
// other kinds are the request statuses (baru, disetujui, dibatalkan,
// diproses, selesai).
const KindKartuSiap = "kartu_siap"

// Template is one approved message template.
type Template struct {
	Name     string `toml:"name"`
	Language string `toml:"language,omitempty"` // default "id"
	// Body is the template's body as approved, with {{1}}, {{2}}, …: the
	// node counts its parameters from it and refuses to start when Params
	// fills another number, since Meta refuses such a message (132000).
	Body string `toml:"body"`
	// Params name what fills {{1}}, {{2}}, … in order: kode, layanan,
	// kantor, catatan.
	Params []string `toml:"params"`
}

// ApprovedTemplates maps a notice kind to its template; "KIND/service"
// (e.g. "selesai/sinkronisasi-data") is that kind for one catalog service.
type ApprovedTemplates map[string]Template

// For is the template of a notice: its service's own, else its kind's.
func (a ApprovedTemplates) For(n Notice) (Template, bool) {
	if t, ok := a[n.Kind+"/"+n.Vars[VarKodeLayanan]]; ok {
		return t, true
	}
	t, ok := a[n.Kind]
	return t, ok
}

// DefaultApprovedTemplates are the templates the regency submits for
// approval with the names below; their bodies say what the default texts
// say.
func DefaultApprovedTemplates() ApprovedTemplates {
	return ApprovedTemplates{
		"baru": {Name: "sinkron_permohonan_diterima", Language: "id", Params: []string{VarLayanan, VarKantor, VarKode},
			Body: "Permohonan {{1}} Anda telah diterima di {{2}} dengan nomor {{3}}. Simpan nomor ini untuk melacak status permohonan."},
		"disetujui": {Name: "sinkron_permohonan_disetujui", Language: "id", Params: []string{VarKode},
			Body: "Permohonan {{1}} Anda telah disetujui dan akan diproses."},
		"dibatalkan": {Name: "sinkron_permohonan_dibatalkan", Language: "id", Params: []string{VarKode, VarCatatan},
			Body: "Permohonan {{1}} belum dapat diproses. Catatan petugas: {{2}}"},
		"diproses": {Name: "sinkron_permohonan_diproses", Language: "id", Params: []string{VarLayanan, VarKode, VarKantor},
			Body: "Permohonan {{1}} Anda ({{2}}) sedang diproses di {{3}}."},
		"selesai": {Name: "sinkron_permohonan_selesai", Language: "id", Params: []string{VarKode},
			Body: "Permohonan {{1}} Anda telah selesai."},
		"selesai/sinkronisasi-data": {Name: "sinkron_data_sinkron", Language: "id", Params: []string{VarKode},
			Body: "Data Anda sudah sinkron di DWH dan sudah bisa diakses pada lembaga pengguna data kependudukan (permohonan {{1}})."},
		KindKartuSiap: {Name: "sinkron_kartu_siap", Language: "id", Params: []string{VarKode, VarKantor},
			Body: "KTP-el untuk permohonan {{1}} sudah dicetak dan dapat diambil di {{2}}."},
	}
}

// With is the defaults overridden by the configured kinds.
func (a ApprovedTemplates) With(over ApprovedTemplates) ApprovedTemplates {
	out := ApprovedTemplates{}
	for k, t := range a {
		out[k] = t
	}
	for k, t := range over {
		if t.Language == "" {
			t.Language = "id"
		}
		out[k] = t
	}
	return out
}

var bodyParam = regexp.MustCompile(`\{\{\s*([0-9]+)\s*\}\}`)

// Count is the number of body parameters of the approved body: {{1}} to
// {{n}}, each present; -1 if the numbering has a gap.
func (t Template) Count() int {
	seen := map[int]bool{}
	for _, m := range bodyParam.FindAllStringSubmatch(t.Body, -1) {
		n, _ := strconv.Atoi(m[1])
		seen[n] = true
	}
	for i := 1; i <= len(seen); i++ {
		if !seen[i] {
			return -1
		}
	}
	return len(seen)
}

// fills are the values a notice kind always has, so a template may ask
// for them; catatan only when the officer wrote one (dibatalkan).
var fills = map[string][]string{
	"baru": {VarKode, VarLayanan, VarKantor}, "disetujui": {VarKode, VarLayanan, VarKantor},
	"dibatalkan": {VarKode, VarLayanan, VarKantor, VarCatatan}, "diproses": {VarKode, VarLayanan, VarKantor},
	"selesai": {VarKode, VarLayanan, VarKantor}, KindKartuSiap: {VarKode, VarLayanan, VarKantor},
}

// Check refuses a template the Cloud API would refuse or that would not
// say what its kind must: a parameter count other than what the node
// fills, a value the kind does not have, no tracking code, or a
// cancellation without the officer's note.
func (a ApprovedTemplates) Check() error {
	var bad []string
	for key, t := range a {
		kind, _, _ := strings.Cut(key, "/")
		have, ok := fills[kind]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("%s: unknown notice kind", key))
			continue
		case t.Name == "":
			bad = append(bad, fmt.Sprintf("%s: template without a name", kind))
		case t.Count() != len(t.Params):
			bad = append(bad, fmt.Sprintf("%s: template %s has %d body parameters, the node fills %d (%s)",
				kind, t.Name, t.Count(), len(t.Params), strings.Join(t.Params, ", ")))
		}
		for _, p := range t.Params {
			if !slices.Contains(have, p) {
				bad = append(bad, fmt.Sprintf("%s: parameter %q is not one of %s", kind, p, strings.Join(have, ", ")))
			}
		}
		if !slices.Contains(t.Params, VarKode) {
			bad = append(bad, fmt.Sprintf("%s: template %s does not carry the tracking code (kode)", kind, t.Name))
		}
		if kind == "dibatalkan" && !slices.Contains(t.Params, VarCatatan) {
			bad = append(bad, fmt.Sprintf("%s: template %s does not carry the officer's note (catatan)", kind, t.Name))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("whatsapp message templates: %s", strings.Join(bad, "; "))
}

// Values are the template's body parameters for a notice, in order, as
// the Cloud API takes them: a parameter may hold no newline or tab and no
// more than four spaces in a row (else error 132018), so an officer's
// multi-line note is folded into one line.
func (t Template) Values(vars map[string]string) []string {
	out := make([]string, len(t.Params))
	for i, p := range t.Params {
		v := strings.Join(strings.Fields(vars[p]), " ")
		if v == "" {
			v = "-" // an empty parameter is refused too
		}
		out[i] = truncate(v, 1024)
	}
	return out
}

// Render is the body with its parameters filled: the text the resident
// reads, shown to officers and sent as free-form text inside the window.
func (t Template) Render(vars map[string]string) string {
	vals := t.Values(vars)
	return bodyParam.ReplaceAllStringFunc(t.Body, func(m string) string {
		n, _ := strconv.Atoi(bodyParam.FindStringSubmatch(m)[1])
		if n < 1 || n > len(vals) {
			return m
		}
		return vals[n-1]
	})
}
