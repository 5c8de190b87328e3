package outbox

import (
	"fmt"
	"sort"
	"strings"
)

// Placeholders a template may use, written {name}.
const (
	VarKode        = "kode"         // the request's tracking code
	VarCatatan     = "catatan"      // the officer's note (dibatalkan)
	VarLayanan     = "layanan"      // the service's title, e.g. "Sinkronisasi Data"
	VarKantor      = "kantor"       // the office's name
	VarKodeLayanan = "kode_layanan" // the catalog code; picks a per-service text, not shown
)

var knownVars = map[string]bool{VarKode: true, VarCatatan: true, VarLayanan: true, VarKantor: true, VarKodeLayanan: true}

// Statuses that have a notice.
var templateStatuses = []string{"baru", "disetujui", "dibatalkan", "diproses", "selesai"}

// Templates are the texts of residents' notices per request status, the
// [whatsapp.templates] table of a node's config. An empty field takes the
// default; a status with no text at all (diproses, by default) sends none.
type Templates struct {
	Baru       string `toml:"baru,omitempty"`
	Disetujui  string `toml:"disetujui,omitempty"`
	Dibatalkan string `toml:"dibatalkan,omitempty"`
	Diproses   string `toml:"diproses,omitempty"`
	Selesai    string `toml:"selesai,omitempty"`
	// Layanan overrides texts for one catalog service:
	// [whatsapp.templates.layanan.sinkronisasi-data] selesai = "…".
	Layanan map[string]map[string]string `toml:"layanan,omitempty"`
}

// DefaultTemplates are the texts the request service sent before they
// became configurable.
func DefaultTemplates() Templates {
	return Templates{
		Baru:       "Permohonan {layanan} Anda telah diterima di {kantor} dengan nomor {kode}. Simpan nomor ini untuk melacak status permohonan.",
		Disetujui:  "Permohonan {kode} Anda telah disetujui dan akan diproses.",
		Dibatalkan: "Permohonan {kode} belum dapat diproses. Catatan petugas: {catatan}",
		Selesai:    "Permohonan {kode} Anda telah selesai.",
		Layanan: map[string]map[string]string{
			"sinkronisasi-data": {"selesai": "Data Anda sudah sinkron di DWH dan sudah bisa diakses pada lembaga pengguna data kependudukan (permohonan {kode})."},
		},
	}
}

// Render is the text for a request that reached status (case does not
// matter), or "" if that status sends no notice. vars[VarKodeLayanan]
// selects a per-service text. Values are inserted as they are: a "{kode}"
// inside an officer's note stays literal.
func (t Templates) Render(status string, vars map[string]string) string {
	return expand(t.text(strings.ToLower(status), vars[VarKodeLayanan]), vars)
}

// text picks the configured per-service text, then the configured one,
// then the defaults in the same order.
func (t Templates) text(status, service string) string {
	def := DefaultTemplates()
	for _, s := range []string{t.Layanan[service][status], t.field(status), def.Layanan[service][status], def.field(status)} {
		if s != "" {
			return s
		}
	}
	return ""
}

func (t Templates) field(status string) string {
	switch status {
	case "baru":
		return t.Baru
	case "disetujui":
		return t.Disetujui
	case "dibatalkan":
		return t.Dibatalkan
	case "diproses":
		return t.Diproses
	case "selesai":
		return t.Selesai
	}
	return ""
}

// Check reports placeholders that are not known and per-service texts for
// unknown statuses: a typo would otherwise reach residents verbatim.
func (t Templates) Check() error {
	var bad []string
	check := func(where, text string) {
		for _, name := range placeholders(text) {
			if !knownVars[name] {
				bad = append(bad, fmt.Sprintf("%s: unknown placeholder {%s}", where, name))
			}
		}
	}
	for _, s := range templateStatuses {
		check(s, t.field(s))
	}
	for svc, texts := range t.Layanan {
		for s, text := range texts {
			if !isStatus(s) {
				bad = append(bad, fmt.Sprintf("layanan.%s: unknown status %q", svc, s))
			}
			check("layanan."+svc+"."+s, text)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return fmt.Errorf("whatsapp templates: %s (known: kode, catatan, layanan, kantor)", strings.Join(bad, "; "))
}

func isStatus(s string) bool {
	for _, v := range templateStatuses {
		if s == v {
			return true
		}
	}
	return false
}

// placeholders are the names of {name} in text that look like identifiers.
func placeholders(text string) []string {
	var out []string
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			return out
		}
		text = text[open+1:]
		name, _, ok := strings.Cut(text, "}")
		if ok && isIdent(name) {
			out = append(out, name)
		}
	}
}

// expand replaces {name} by vars[name] in one left-to-right pass; a known
// placeholder without a value becomes empty, other braces are kept.
func expand(text string, vars map[string]string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(text, '{')
		if open < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:open])
		name, rest, ok := strings.Cut(text[open+1:], "}")
		v, given := vars[name]
		if !ok || !isIdent(name) || !(given || knownVars[name]) {
			b.WriteByte('{')
			text = text[open+1:]
			continue
		}
		b.WriteString(v)
		text = rest
	}
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
