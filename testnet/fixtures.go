package testnet

import (
	"fmt"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/biometric/iso19794"
	"github.com/sinkron-id/sinkron/biometric/template"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	launch "github.com/sinkron-id/sinkron/node/regency"
	"github.com/sinkron-id/sinkron/node/request"
)

// Photo returns a small valid PNG, distinct per seed, for uploads (the
// demo's sample photo: one image generator for the tour and the tests).
func Photo(seed int) []byte { return launch.Photo(seed) }

// SampleForm is a valid Sinkronisasi Data form for a resident.
func SampleForm(seed int) request.Form {
	return request.Form{
		ApplicantName: "Siti Aminah",
		NIK:           "1806015708900003", // 17-08-1990, female (+40)
		KK:            "1806010101150007",
		Problem:       "NIK tidak ditemukan di BPJS Kesehatan",
		WhatsApp:      "081234567890",
		Channel:       1,
		Officer:       "Rina (petugas pendukung)",
		Documents: []request.Upload{
			{Kind: request.DocKK, Content: Photo(seed)},
			{Kind: request.DocKTPEl, Content: Photo(seed + 1000)},
		},
	}
}

// FormValues fills a catalog form with valid values of each field's type,
// for a resident born 17-08-1990 (female) in region 180601.
func FormValues(f catalog.Form) map[string]string {
	out := map[string]string{}
	for _, fd := range f.Fields {
		var v string
		switch {
		case strings.HasPrefix(fd.Name, "kode_wilayah"):
			v = "180601"
		case fd.Type == catalog.FieldNIK:
			v = "1806015708900001"
		case fd.Type == catalog.FieldKK:
			v = "1806011508150003"
		case fd.Type == catalog.FieldPhone:
			v = "081234567890"
		case fd.Type == catalog.FieldDate:
			v = "1990-08-17"
		case fd.Type == catalog.FieldChoice:
			v = fd.Choices[0]
		case fd.Type == catalog.FieldNumber:
			v = "1"
		case fd.Type == catalog.FieldName:
			v = "Siti Aminah"
		default:
			v = "Jalan Merdeka Nomor 1, dekat pasar"
			if fd.MaxLen > 0 && len(v) > fd.MaxLen {
				v = v[:fd.MaxLen]
			}
		}
		out[fd.Name] = v
	}
	return out
}

// Uploads are photos of every required document of a request.
func Uploads(svc catalog.Service, path string, values map[string]string) []request.Upload {
	var out []request.Upload
	for i, d := range svc.DocumentsFor(path, values) {
		if d.Upload && d.Required {
			out = append(out, request.Upload{Name: d.Name, Content: Photo(i)})
		}
	}
	return out
}

// StepInputs are what a step takes from another subsystem: an ISO/IEC
// 19794-2 finger minutiae record as a capture station writes it, the print
// room's record of a card printed on the given blank.
func StepInputs(st catalog.Step, blank uint64) []request.StepInput {
	var out []request.StepInput
	for _, in := range st.Inputs {
		switch in {
		case catalog.InputISOTemplate:
			out = append(out, request.StepInput{Kind: string(in), Content: CaptureRecord()})
		case catalog.InputPrintedCard:
			b, _ := proto.Marshal(&eventpb.PrintedCard{BlankSerial: blank, ChipRecord: []byte(fmt.Sprintf("kartu %d", blank))})
			out = append(out, request.StepInput{Kind: string(in), Content: b})
		}
	}
	return out
}

// Actor is the role that does a step: its own, or for an applicant's step
// the officer who records it.
func Actor(st catalog.Step) string {
	if st.RecordedBy != "" && st.Role == catalog.Pemohon {
		return string(st.RecordedBy)
	}
	return string(st.Role)
}

// CaptureRecord is an ISO/IEC 19794-2:2005 finger minutiae record of both
// index fingers, as a capture station writes it for a recording step.
func CaptureRecord() []byte {
	view := func(pos uint8) iso19794.FingerView {
		var ms []template.Minutia
		for i := range 24 {
			ms = append(ms, template.Minutia{X: uint16(40 + 13*i%200), Y: uint16(60 + 29*i%260),
				Angle: uint8(37 * i), Type: template.MinutiaType(1 + i%2), Quality: 60})
		}
		return iso19794.FingerView{Position: pos, Quality: 80, Minutiae: ms}
	}
	b, err := iso19794.EncodeFinger(iso19794.FingerRecord{Width: 300, Height: 400, ResX: 197, ResY: 197,
		Views: []iso19794.FingerView{view(2), view(7)}})
	if err != nil {
		panic(err) // a fixed record that encodes
	}
	return b
}
