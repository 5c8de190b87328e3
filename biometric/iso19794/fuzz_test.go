package iso19794

import (
	"bytes"
	"testing"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// Each fuzz target feeds outside bytes to a decoder: it must not panic, and
// whatever it accepts must encode back to the same bytes (one meaning per
// byte string).

func FuzzFingerRecord(f *testing.F) {
	seed, _ := EncodeFinger(FingerRecord{Width: 400, Height: 500, ResX: 197, ResY: 197, Views: []FingerView{{
		Position: 1, Quality: 60,
		Minutiae: []template.Minutia{{X: 10, Y: 20, Angle: 30, Type: template.Ending, Quality: 50}, {X: 300, Y: 400, Type: template.Bifurcation}},
		Extended: []ExtBlock{{Type: 1, Data: []byte{1, 2, 3}}},
	}}})
	f.Add(seed)
	f.Add([]byte("FMR\x00 20\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := DecodeFinger(b)
		if err != nil {
			return
		}
		again, err := EncodeFinger(r)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x, re-encoded %x (%v)", b, again, err)
		}
	})
}

func FuzzCardCompact(f *testing.F) {
	f.Add([]byte{10, 20, 0x45, 255, 0, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := DecodeCardCompact(b)
		if err != nil {
			return
		}
		again, err := EncodeCardCompact(ms)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x, re-encoded %x (%v)", b, again, err)
		}
	})
}

func FuzzCardNormal(f *testing.F) {
	f.Add([]byte{0x40, 10, 0, 20, 200})
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := DecodeCardNormal(b)
		if err != nil {
			return
		}
		again, err := EncodeCardNormal(ms)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x, re-encoded %x (%v)", b, again, err)
		}
	})
}

func FuzzContainer(f *testing.F) {
	for _, k := range []Kind{FingerImage, FaceImage, IrisImage} {
		b, _ := EncodeContainer(Container{Kind: k, Count: 1, Body: []byte{1, 2, 3}})
		f.Add(uint8(k), b)
	}
	f.Fuzz(func(t *testing.T, k uint8, b []byte) {
		c, err := DecodeContainer(Kind(k%3), b)
		if err != nil {
			return
		}
		again, err := EncodeContainer(c)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x, re-encoded %x (%v)", b, again, err)
		}
	})
}

func FuzzIrisTemplate(f *testing.F) {
	var e template.Eye
	e.Code.Mask[0], e.Code.Code[0] = 0xff, 0x0f
	b, _ := EncodeIris(e)
	f.Add(b)
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeIris(b)
		if err != nil {
			return
		}
		again, err := EncodeIris(e)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted %x, re-encoded %x (%v)", b, again, err)
		}
	})
}
