package iso19794

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/sinkron-id/sinkron/biometric/template"
)

func genRecord(t *rapid.T) FingerRecord {
	w := rapid.Uint16Range(1, 800).Draw(t, "w")
	h := rapid.Uint16Range(1, 800).Draw(t, "h")
	r := FingerRecord{
		Equipment: rapid.Uint16().Draw(t, "eq"), Width: w, Height: h,
		ResX: rapid.Uint16Range(1, 1000).Draw(t, "rx"), ResY: rapid.Uint16Range(1, 1000).Draw(t, "ry"),
	}
	nv := rapid.IntRange(0, 3).Draw(t, "views")
	for i := 0; i < nv; i++ {
		v := FingerView{
			Position: rapid.Uint8Range(0, 10).Draw(t, "pos"), View: rapid.Uint8Range(0, 15).Draw(t, "view"),
			Impression: rapid.SampledFrom([]uint8{0, 1, 2, 3, 8}).Draw(t, "imp"),
			Quality:    rapid.Uint8Range(0, 100).Draw(t, "q"),
		}
		nm := rapid.IntRange(0, 60).Draw(t, "nm")
		for j := 0; j < nm; j++ {
			v.Minutiae = append(v.Minutiae, template.Minutia{
				X: rapid.Uint16Range(0, w-1).Draw(t, "x"), Y: rapid.Uint16Range(0, h-1).Draw(t, "y"),
				Angle: rapid.Uint8().Draw(t, "a"), Type: template.MinutiaType(rapid.IntRange(0, 2).Draw(t, "t")),
				Quality: rapid.Uint8Range(0, 100).Draw(t, "mq"),
			})
		}
		ne := rapid.IntRange(0, 2).Draw(t, "ne")
		for j := 0; j < ne; j++ {
			v.Extended = append(v.Extended, ExtBlock{
				Type: rapid.Uint16Range(1, 0xffff).Draw(t, "et"),
				Data: rapid.SliceOfN(rapid.Byte(), 0, 20).Draw(t, "ed"),
			})
		}
		r.Views = append(r.Views, v)
	}
	return r
}

// TestFingerRoundTrip: decode(encode(r)) == r for every valid record.
func TestFingerRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		r := genRecord(t)
		b, err := EncodeFinger(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeFinger(b)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(normal(got), normal(r)) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", got, r)
		}
	})
}

// normal makes empty slices nil so DeepEqual compares meaning.
func normal(r FingerRecord) FingerRecord {
	for i := range r.Views {
		v := &r.Views[i]
		if len(v.Minutiae) == 0 {
			v.Minutiae = nil
		}
		if len(v.Extended) == 0 {
			v.Extended = nil
		}
		for j := range v.Extended {
			if len(v.Extended[j].Data) == 0 {
				v.Extended[j].Data = nil
			}
		}
	}
	if len(r.Views) == 0 {
		r.Views = nil
	}
	return r
}

func TestFingerRefuses(t *testing.T) {
	good, err := EncodeFinger(FingerRecord{Width: 400, Height: 500, ResX: 197, ResY: 197, Views: []FingerView{{
		Position: 2, Minutiae: []template.Minutia{{X: 10, Y: 20, Angle: 30, Type: template.Ending}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := map[string][]byte{
		"short":             good[:10],
		"magic":             mut(func(b []byte) []byte { b[0] = 'X'; return b }),
		"version":           mut(func(b []byte) []byte { b[5] = '3'; return b }),
		"length":            mut(func(b []byte) []byte { b[11]++; return b }),
		"reserved header":   mut(func(b []byte) []byte { b[23] = 1; return b }),
		"finger position":   mut(func(b []byte) []byte { b[24] = 11; return b }),
		"impression":        mut(func(b []byte) []byte { b[25] = 5; return b }),
		"minutia type 3":    mut(func(b []byte) []byte { b[28] |= 0xc0; return b }),
		"y reserved bits":   mut(func(b []byte) []byte { b[30] |= 0x40; return b }),
		"x outside":         mut(func(b []byte) []byte { b[28], b[29] = 0x41, 0x90; return b }),
		"minutia quality":   mut(func(b []byte) []byte { b[33] = 101; return b }),
		"trailing":          append(append([]byte(nil), good...), 0),
		"extended overruns": mut(func(b []byte) []byte { b[len(b)-1] = 4; return b }),
	}
	for name, b := range cases {
		if _, err := DecodeFinger(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
	if _, err := DecodeFinger(good); err != nil {
		t.Fatalf("good record refused: %v", err)
	}
}

func TestCardRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 60).Draw(t, "n")
		var compact, normal []CardMinutia
		for i := 0; i < n; i++ {
			ty := template.MinutiaType(rapid.IntRange(0, 2).Draw(t, "t"))
			compact = append(compact, CardMinutia{X: rapid.Uint16Range(0, 255).Draw(t, "x"), Y: rapid.Uint16Range(0, 255).Draw(t, "y"), Angle: rapid.Uint8Range(0, 63).Draw(t, "a"), Type: ty})
			normal = append(normal, CardMinutia{X: rapid.Uint16Range(0, maxCoord).Draw(t, "X"), Y: rapid.Uint16Range(0, maxCoord).Draw(t, "Y"), Angle: rapid.Uint8().Draw(t, "A"), Type: ty})
		}
		b, err := EncodeCardCompact(compact)
		if err != nil || len(b) != 3*n {
			t.Fatal(err, len(b))
		}
		got, err := DecodeCardCompact(b)
		if err != nil || (n > 0 && !reflect.DeepEqual(got, compact)) {
			t.Fatalf("compact: %v %v", err, got)
		}
		b, err = EncodeCardNormal(normal)
		if err != nil || len(b) != 5*n {
			t.Fatal(err, len(b))
		}
		got, err = DecodeCardNormal(b)
		if err != nil || (n > 0 && !reflect.DeepEqual(got, normal)) {
			t.Fatalf("normal: %v %v", err, got)
		}
	})
}

// TestCompactConversion: record → card → record moves a minutia by at most
// the card's grid (0.1 mm ≈ 2 px at 197 px/cm) and angle step (4 units).
func TestCompactConversion(t *testing.T) {
	ms := []template.Minutia{{X: 0, Y: 0, Angle: 255}, {X: 250, Y: 499, Angle: 130, Type: template.Bifurcation}, {X: 600, Y: 10}}
	back := FromCompact(ToCompact(ms, 197, 197), 197, 197)
	if len(back) != 2 {
		t.Fatalf("kept %d minutiae, want 2 (600 px is beyond 25.5 mm)", len(back))
	}
	for i, m := range back {
		dx, dy := int(m.X)-int(ms[i].X), int(m.Y)-int(ms[i].Y)
		da := int8(m.Angle - ms[i].Angle)
		if dx*dx > 4 || dy*dy > 4 || da > 2 || da < -2 || m.Type != ms[i].Type {
			t.Errorf("minutia %d: %+v became %+v", i, ms[i], m)
		}
	}
}

func TestContainerRoundTrip(t *testing.T) {
	for _, k := range []Kind{FingerImage, FaceImage, IrisImage} {
		body := []byte("image bytes")
		b, err := EncodeContainer(Container{Kind: k, Count: 2, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		c, err := DecodeContainer(k, b)
		if err != nil || c.Count != 2 || !bytes.Equal(c.Body, body) {
			t.Fatalf("kind %d: %v %+v", k, err, c)
		}
		again, _ := EncodeContainer(c)
		if !bytes.Equal(again, b) {
			t.Fatalf("kind %d: re-encoding differs", k)
		}
		for _, other := range []Kind{FingerImage, FaceImage, IrisImage} {
			if other != k {
				if _, err := DecodeContainer(other, b); err == nil {
					t.Errorf("kind %d read as %d", k, other)
				}
			}
		}
	}
}

func TestIrisTemplate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var e template.Eye
		e.Exception = template.Exception(rapid.IntRange(0, 2).Draw(t, "exc"))
		if e.Present() {
			for i := range e.Code.Code {
				e.Code.Mask[i] = rapid.Uint64().Draw(t, "m")
				e.Code.Code[i] = rapid.Uint64().Draw(t, "c") & e.Code.Mask[i]
			}
		}
		b, err := EncodeIris(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeIris(b)
		if err != nil || got != e {
			t.Fatalf("%v: %+v != %+v", err, got, e)
		}
	})
	var e template.Eye
	e.Code.Code[3] = 1 // a code bit under a zero mask bit
	if _, err := EncodeIris(e); err == nil {
		t.Fatal("encoded a code bit under the mask")
	}
}

func TestToRecord(t *testing.T) {
	fr, _ := EncodeFinger(FingerRecord{Width: 400, Height: 500, ResX: 197, ResY: 197, Views: []FingerView{
		{Position: 2, Minutiae: []template.Minutia{{X: 1, Y: 2, Type: template.Ending}}},
		{Position: 7, Minutiae: []template.Minutia{{X: 3, Y: 4, Type: template.Bifurcation}}},
	}})
	var eye template.Eye
	eye.Code.Mask[0], eye.Code.Code[0] = 3, 1
	right, _ := EncodeIris(eye)
	left, _ := EncodeIris(template.Eye{Exception: template.Missing})
	rec, err := ToRecord(fr, [2][]byte{right, left})
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Fingers[1].Present() || !rec.Fingers[6].Present() || rec.Fingers[0].Present() || rec.Fingers[0].Exception != template.Missing {
		t.Fatalf("fingers: %+v", rec.Fingers)
	}
	if rec.Eyes[0] != eye || rec.Eyes[1].Present() {
		t.Fatalf("eyes: %+v", rec.Eyes)
	}
	twice, _ := EncodeFinger(FingerRecord{Width: 400, Height: 500, ResX: 197, ResY: 197, Views: []FingerView{{Position: 2}, {Position: 2}}})
	if _, err := ToRecord(twice, [2][]byte{right, left}); err == nil {
		t.Fatal("a finger given twice was accepted")
	}
}
