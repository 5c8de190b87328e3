package catalog

import (
	"time"

	"github.com/sinkron-id/sinkron/replication/roster"
)

// The kinds of office where a service starts or a step happens are the
// roster's roles (roster.Role), one type from the genesis to the catalog;
// these are the names the services use.
const (
	Kecamatan = roster.Kecamatan // a kecamatan service point (Tempat Pelayanan KTP-el)
	Dinas     = roster.Dinas     // the regency's Dinas Dukcapil
	Mobile    = roster.Mobile    // a mobile recording unit (perangkat mobile)
)

// OfficeKinds lists every kind of office.
func OfficeKinds() []roster.Role { return []roster.Role{Kecamatan, Dinas, Mobile} }

// Role is who performs a step, as the SOPs name them.
type Role string

// Roles from seeds 001 and 004.
const (
	Pemohon                Role = "pemohon"
	PetugasPendukung       Role = "petugas-pendukung-pelayanan"
	StafInformasi          Role = "staf-informasi-pelayanan" // SOP 09 (seed 001), the dinas counter
	OperatorKecamatan      Role = "operator-kecamatan"
	OperatorMobile         Role = "operator-mobile"
	OperatorDinas          Role = "operator-dinas"
	KepalaSeksi            Role = "kepala-seksi"
	KasiData               Role = "kasi-data"
	ADBSIAK                Role = "adb-siak"
	PetugasPendistribusian Role = "petugas-pendistribusian"
)

// Roles lists every role.
func Roles() []Role {
	return []Role{Pemohon, PetugasPendukung, StafInformasi, OperatorKecamatan, OperatorMobile,
		OperatorDinas, KepalaSeksi, KasiData, ADBSIAK, PetugasPendistribusian}
}

// Title is the officer-facing name of the role.
func (r Role) Title() string {
	switch r {
	case Pemohon:
		return "Pemohon"
	case PetugasPendukung:
		return "Petugas Pendukung Pelayanan"
	case StafInformasi:
		return "Staf Informasi Pelayanan"
	case OperatorKecamatan:
		return "Operator Kecamatan"
	case OperatorMobile:
		return "Operator Mobile"
	case OperatorDinas:
		return "Operator Dinas"
	case KepalaSeksi:
		return "Kepala Seksi"
	case KasiData:
		return "Kepala Seksi Pengelolaan dan Penyajian Data"
	case ADBSIAK:
		return "Administrator Database SIAK"
	case PetugasPendistribusian:
		return "Petugas Pendistribusian KTP-el"
	}
	return ""
}

// Offices lists the office kinds where the role works. The applicant may
// be anywhere.
func (r Role) Offices() []roster.Role {
	switch r {
	case Pemohon:
		return OfficeKinds()
	case PetugasPendukung:
		return []roster.Role{Kecamatan, Dinas}
	case OperatorKecamatan:
		return []roster.Role{Kecamatan}
	case OperatorMobile:
		return []roster.Role{Mobile}
	case StafInformasi, OperatorDinas, KepalaSeksi, KasiData, ADBSIAK, PetugasPendistribusian:
		return []roster.Role{Dinas}
	}
	return nil
}

// counterRole is the officer who receives files at an office kind and
// records the applicant's own steps there.
func counterRole(k roster.Role) Role {
	if k == Mobile {
		return OperatorMobile
	}
	return PetugasPendukung
}

// Decision is an ordered dinas decision (replicated by the Raft group) that a
// step waits for before it can be completed.
type Decision string

// Decisions a step may wait for.
const (
	DecisionNIK         Decision = "nik"         // AssignNIK, or ConfirmNIK of a leased serial
	DecisionKK          Decision = "nomor-kk"    // AssignKK: a new Nomor KK
	DecisionKonsolidasi Decision = "konsolidasi" // ConsolidateChange
	DecisionKartu       Decision = "kartu"       // IssueCard: one active card per NIK
	DecisionDedup       Decision = "dedup"       // RecordDedupVerdict
	DecisionDWH         Decision = "dwh"         // ConfirmWarehouse: the DWH holds the consolidated record
)

// Decisions lists every decision kind.
func Decisions() []Decision {
	return []Decision{DecisionNIK, DecisionKK, DecisionKonsolidasi, DecisionKartu, DecisionDedup, DecisionDWH}
}

// Effect is what a decided step changes in the resident registry, at the
// office that asked for the decision, once every decision it waits for has
// come. The node applies it (and records, retries and shows a failure);
// the catalog only says which.
type Effect string

// Registry effects.
const (
	// EffectRegisterResident registers a new resident under the NIK the
	// step was given, on the KK the form names (ktp-el-baru).
	EffectRegisterResident Effect = "daftarkan-penduduk"
	// EffectChangeElement changes the biodata element the form names, once
	// the dinas has consolidated it (perubahan elemen data).
	EffectChangeElement Effect = "ubah-elemen-data"
	// EffectMove takes the resident off their family card and files the
	// card they head at the new address under the Nomor KK the step was
	// given (pindah).
	EffectMove Effect = "pindah-kk"
)

// Effects lists every registry effect with the decision it needs.
func Effects() map[Effect]Decision {
	return map[Effect]Decision{EffectRegisterResident: DecisionNIK, EffectChangeElement: DecisionKonsolidasi, EffectMove: DecisionKK}
}

// Input is a record a step takes from a subsystem that has an issue of its
// own (biometrics, card printing, bundles); until that lands the step
// accepts the named record as a file.
type Input string

// Step inputs.
const (
	InputISOTemplate Input = "iso-template" // biometric capture: ISO/IEC 19794 templates
	InputPrintedCard Input = "printed-card" // a printed and chip-verified KTP-el record
	InputBundle      Input = "bundle"       // an offline backup written to removable media
)

// Inputs lists every input kind.
func Inputs() []Input { return []Input{InputISOTemplate, InputPrintedCard, InputBundle} }

// Output is a document or notice a step gives or produces.
type Output string

// Step outputs.
const (
	OutSalinan         Output = "salinan-permohonan"          // the resident's copy, with tracking code
	OutBuktiPerekaman  Output = "bukti-perekaman"             // proof of biometric recording
	OutKK              Output = "kk"                          // printed Kartu Keluarga
	OutKKTTE           Output = "kk-tte"                      // KK signed (TTE) and stamped
	OutKTPEl           Output = "ktp-el"                      // printed KTP-el
	OutBeritaAcara     Output = "berita-acara"                // handover record of a distribution batch
	OutTandaTerima     Output = "tanda-terima"                // the resident's receipt
	OutSuratKedatangan Output = "surat-keterangan-kedatangan" // arrival letter (pindah)
	OutPemberitahuan   Output = "pemberitahuan"               // notice to the resident (WA or in person)
)

// Outputs lists every output kind.
func Outputs() []Output {
	return []Output{OutSalinan, OutBuktiPerekaman, OutKK, OutKKTTE, OutKTPEl, OutBeritaAcara,
		OutTandaTerima, OutSuratKedatangan, OutPemberitahuan}
}

// Step is one numbered box of an SOP flow.
type Step struct {
	No     int    // box number in the SOP flow; 0 for a step taken from another section
	Name   string // machine name, unique within the path
	Title  string // the SOP's words, in Bahasa Indonesia
	Role   Role
	Office roster.Role
	// RecordedBy is the officer who records a step the applicant performs.
	RecordedBy Role
	// Standard is the time standard, measured from the end of the previous
	// step. StandardFromSOP is false where the SOP gives none and the
	// catalog chose one.
	Standard        time.Duration
	StandardFromSOP bool
	// HandOver is the office kind the file moves to after this step
	// ("menyampaikan berkas ke Dinas"); empty when it stays. A file moving
	// to a kecamatan goes back to the kecamatan where it started, or, for
	// a path started at the dinas, to the kecamatan of the resident's address.
	HandOver roster.Role
	Waits    []Decision // dinas decisions that must arrive before the step completes, in order
	Inputs   []Input    // records the step takes from a subsystem, in order
	Produces []Output
	Effect   Effect // what the step's decisions change in the registry
	Logbook  bool   // "mencatat dalam buku harian"
	Archive  bool   // "mengarsipkan berkas" (with the old card where one was handed in)
	Source   string // set when the step comes from another section than its path
}

// Paper says what happens to a document's paper original at the counter.
type Paper string

// Paper handling.
const (
	NoPaper    Paper = ""            // no paper needed beyond the upload
	PaperShown Paper = "ditunjukkan" // original shown at the counter and given back
	PaperKept  Paper = "diserahkan"  // handed in, kept in the file and archived
)

// Condition restricts a document to forms where Field has one of Values.
// The zero Condition always holds.
type Condition struct {
	Field  string
	Values []string
}

// Holds reports whether the condition is met by the form values.
func (c Condition) Holds(values map[string]string) bool {
	if c.Field == "" {
		return true
	}
	for _, v := range c.Values {
		if values[c.Field] == v {
			return true
		}
	}
	return false
}

// Document is a requirement of a service: a photo to upload, a paper
// original to show or hand in, or both.
type Document struct {
	Name     string // machine name, unique within the service
	Title    string // as the SOP names it
	Upload   bool   // a photo of the document must be uploaded
	Paper    Paper
	Required bool
	When     Condition
	Paths    []string // only for these paths; empty means every path
}

// Path is one way through a service: a variant of the SOP with its own flow.
type Path struct {
	Name    string // machine name, unique within the service
	Title   string // the SOP's heading
	Source  string // seed and section
	Start   roster.Role
	Offline bool   // the SOP's off-line variant: the start office has no link
	Next    string // service the resident continues with afterwards, if any
	Steps   []Step
}

// Service is one entry of the catalog.
type Service struct {
	Name        string // machine name, kebab-case
	Title       string
	Source      string
	Description string
	Form        Form
	Documents   []Document
	Paths       []Path
}
