package catalog

import (
	"time"

	"github.com/sinkron-id/sinkron/replication/roster"
)

// Helpers that keep the table in services_*.go short enough to read as a
// table: one line per step, field or document, modifiers chained after it.

const (
	minute = time.Minute
	hour   = time.Hour
	day    = 24 * time.Hour
)

// std is a time standard as written in the table.
type std struct {
	d   time.Duration
	sop bool
}

// sop is a time standard the SOP gives.
func sop(d time.Duration) std { return std{d, true} }

// est is a time standard the catalog chose where the SOP gives none.
func est(d time.Duration) std { return std{d, false} }

// step is an officer's step: SOP box number, machine name, role, office,
// time standard and the SOP's words.
func step(no int, name string, role Role, office roster.Role, t std, title string) Step {
	return Step{No: no, Name: name, Title: title, Role: role, Office: office, Standard: t.d, StandardFromSOP: t.sop}
}

// resident is a step the applicant performs, recorded by the office's
// counter officer.
func resident(no int, name string, office roster.Role, t std, title string) Step {
	s := step(no, name, Pemohon, office, t, title)
	s.RecordedBy = counterRole(office)
	return s
}

// recordedBy overrides who records an applicant's step.
func (s Step) recordedBy(r Role) Step { s.RecordedBy = r; return s }

// to marks the step as handing the file over to another office kind.
func (s Step) to(k roster.Role) Step { s.HandOver = k; return s }

// waits adds the dinas decisions the step waits for.
func (s Step) waits(d ...Decision) Step { s.Waits = append(s.Waits, d...); return s }

// input adds the records the step takes from subsystems.
func (s Step) input(in ...Input) Step { s.Inputs = append(s.Inputs, in...); return s }

// gives adds the documents or notices the step produces.
func (s Step) gives(o ...Output) Step { s.Produces = append(s.Produces, o...); return s }

// changes names the registry effect of the step's decisions.
func (s Step) changes(e Effect) Step { s.Effect = e; return s }

// logbook marks "mencatat dalam buku harian".
func (s Step) logbook() Step { s.Logbook = true; return s }

// archive marks "mengarsipkan berkas".
func (s Step) archive() Step { s.Archive = true; return s }

// within overrides the time standard.
func (s Step) within(t std) Step { s.Standard, s.StandardFromSOP = t.d, t.sop; return s }

// from names the section a step comes from when it is not its path's.
func (s Step) from(source string) Step { s.Source = source; return s }

// distribution is SOP §22 steps 1–3 between the dinas and a kecamatan:
// the distribution officer receives the cards, groups them by kecamatan
// and desa/kelurahan and hands them over with a berita acara.
func distribution(what string) Step {
	return step(0, "pendistribusian", PetugasPendistribusian, Dinas, est(3*day),
		"Menerima "+what+" dari Petugas Pendukung Pelayanan Dinas, mengelompokkan berdasarkan kecamatan, desa/kelurahan, "+
			"menyerahkan "+what+" & Berita Acara Serah Terima kepada Petugas Pendukung Pelayanan di Kecamatan/Kelurahan").
		to(Kecamatan).gives(OutBeritaAcara).from("004 §22")
}

// Form fields. Each is required unless marked optional.

func field(name, label string, t FieldType) Field {
	return Field{Name: name, Label: label, Type: t, Required: true}
}

func text(name, label string, maxLen int) Field {
	f := field(name, label, FieldText)
	f.MaxLen = maxLen
	return f
}

func name(fieldName, label string) Field {
	f := field(fieldName, label, FieldName)
	f.MaxLen = 100
	return f
}

func number(name, label string, maxDigits int) Field {
	f := field(name, label, FieldNumber)
	f.MaxLen = maxDigits
	return f
}

func choice(name, label string, choices ...string) Field {
	f := field(name, label, FieldChoice)
	f.Choices = choices
	return f
}

// optional marks a field as not required.
func (f Field) optional() Field { f.Required = false; return f }

// atLeast sets a minimum length in characters.
func (f Field) atLeast(n int) Field { f.MinLen = n; return f }

// fields joins groups of fields into one list.
func fields(groups ...[]Field) []Field {
	var out []Field
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// Documents. Each is required unless marked optional.

// photo is a document whose photo is uploaded; the paper copy is not needed.
func photo(name, title string) Document {
	return Document{Name: name, Title: title, Upload: true, Required: true}
}

// shown is an original shown at the counter and given back.
func shown(name, title string) Document {
	return Document{Name: name, Title: title, Paper: PaperShown, Required: true}
}

// kept is an original handed in and archived.
func kept(name, title string) Document {
	return Document{Name: name, Title: title, Paper: PaperKept, Required: true}
}

// uploaded also requires a photo of a paper document.
func (d Document) uploaded() Document { d.Upload = true; return d }

// optional marks a document as not required.
func (d Document) optional() Document { d.Required = false; return d }

// when requires the document only when a form field has one of the values.
func (d Document) when(field string, values ...string) Document {
	d.When = Condition{Field: field, Values: values}
	return d
}

// only restricts the document to some paths.
func (d Document) only(paths ...string) Document { d.Paths = paths; return d }

// formulirPermohonan is the signed application form, which every seed 004
// flow lists in the berkas; the typed form is its digital copy.
func formulirPermohonan() Document {
	return kept("formulir_permohonan", "Formulir permohonan")
}
