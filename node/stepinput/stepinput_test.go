package stepinput

import (
	"bytes"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/biometric/iso19794"
	"github.com/sinkron-id/sinkron/biometric/template"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/request"
)

func fingerRecord(t testing.TB) []byte {
	var ms []template.Minutia
	for i := range 20 {
		ms = append(ms, template.Minutia{X: uint16(30 + 11*i), Y: uint16(50 + 7*i), Angle: uint8(13 * i), Type: template.Ending, Quality: 50})
	}
	b, err := iso19794.EncodeFinger(iso19794.FingerRecord{Width: 300, Height: 400, ResX: 197, ResY: 197,
		Views: []iso19794.FingerView{{Position: 2, Quality: 70, Minutiae: ms}}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCapture(t *testing.T) {
	rec := fingerRecord(t)
	face, err := iso19794.EncodeContainer(iso19794.Container{Kind: iso19794.FaceImage, Count: 1, Body: bytes.Repeat([]byte{7}, 40)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		content []byte
		ok      bool
	}{
		{"one finger record", rec, true},
		{"fingers and a face", append(append([]byte{}, face...), rec...), true},
		{"two finger records", append(append([]byte{}, rec...), rec...), true},
		{"a face alone", face, false},
		{"an arbitrary blob", []byte("FIR\x00 template"), false},
		{"cut short", rec[:len(rec)-3], false},
		{"trailing bytes", append(append([]byte{}, rec...), 0, 1, 2), false},
		{"not ISO at all", bytes.Repeat([]byte{0xff}, 64), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Capture{}.TakeInput(&request.Request{}, tt.content)
			if (err == nil) != tt.ok {
				t.Fatalf("TakeInput: %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestPrintRoom(t *testing.T) {
	r := &request.Request{NIK: "1806015708900001"}
	rec := func(pc *eventpb.PrintedCard) []byte { b, _ := proto.Marshal(pc); return b }
	tests := []struct {
		name    string
		content []byte
		serial  uint64
	}{
		{"the card of the request's NIK", rec(&eventpb.PrintedCard{BlankSerial: 1023, Nik: r.NIK}), 1023},
		{"a card naming no NIK", rec(&eventpb.PrintedCard{BlankSerial: 7}), 7},
		{"another resident's card", rec(&eventpb.PrintedCard{BlankSerial: 8, Nik: "1806011708900002"}), 0},
		{"no blank serial", rec(&eventpb.PrintedCard{Nik: r.NIK}), 0},
		{"text, not the record", []byte("kartu 1023"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PrintRoom{}.TakeInput(r, tt.content)
			if tt.serial == 0 {
				if err == nil {
					t.Fatalf("taken: %+v, want refused", got)
				}
				return
			}
			if err != nil || got.CardSerial != tt.serial {
				t.Fatalf("TakeInput: %+v %v, want serial %d", got, err, tt.serial)
			}
		})
	}
}

// FuzzCapture: a capture station's bytes come from outside the node; none
// panics, and what is taken holds a finger record that decodes alone.
func FuzzCapture(f *testing.F) {
	f.Add(fingerRecord(f))
	f.Add([]byte("FMR\x00 20\x00\x00\x00\x00\x18"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := (Capture{}).TakeInput(&request.Request{}, b); err != nil {
			return
		}
		if _, err := recordLen(b); err != nil {
			t.Fatalf("taken, but its first record has no length: %v", err)
		}
	})
}

// FuzzPrintRoom: the print station's record comes from outside; none
// panics, and what is taken names a blank.
func FuzzPrintRoom(f *testing.F) {
	b, _ := proto.Marshal(&eventpb.PrintedCard{BlankSerial: 1023, Nik: "1806015708900001", ChipRecord: []byte{1, 2}})
	f.Add(b)
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := PrintRoom{}.TakeInput(&request.Request{NIK: "1806015708900001"}, b)
		if err == nil && got.CardSerial == 0 {
			t.Fatal("a card taken without its blank serial")
		}
	})
}
