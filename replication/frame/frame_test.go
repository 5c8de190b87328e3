package frame

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

var errBad = errors.New("bad frame")

// The two layouts' bytes, as the sync and forward protocols and bundles
// have always written them.
func TestLayoutsOnTheWire(t *testing.T) {
	body := bytes.Repeat([]byte{7}, 200) // a two-byte uvarint length
	for _, tc := range []struct {
		f    Format
		want []byte
	}{
		{Format{Layout: LengthFirst, Max: 1 << 10}, append([]byte{201, 1, 'B'}, body...)},
		{Format{Layout: TypeFirst, Max: 1 << 10}, append([]byte{'B', 200, 1}, body...)},
		{Format{Layout: LengthFirst, Max: 1 << 10}, nil},
	} {
		b, typ := body, byte('B')
		if tc.want == nil { // an empty body
			b, typ, tc.want = nil, 'D', []byte{1, 'D'}
		}
		var w bytes.Buffer
		if err := tc.f.Write(&w, typ, b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(w.Bytes(), tc.want) || !bytes.Equal(tc.f.Append(nil, typ, b), tc.want) {
			t.Fatalf("layout %d wrote %x, want %x", tc.f.Layout, w.Bytes(), tc.want)
		}
		gotTyp, got, err := tc.f.Read(bufio.NewReader(&w))
		if err != nil || gotTyp != typ || !bytes.Equal(got, b) {
			t.Fatalf("layout %d read %q %x, %v", tc.f.Layout, gotTyp, got, err)
		}
	}
}

// A frame longer than the bound is refused before its body is read, on
// either side, and so is an empty LengthFirst frame (it has no type).
func TestBound(t *testing.T) {
	for _, layout := range []Layout{LengthFirst, TypeFirst} {
		f := Format{Layout: layout, Max: 4, Malformed: errBad}
		if err := f.Write(io.Discard, 'x', make([]byte, 5)); !errors.Is(err, errBad) {
			t.Errorf("layout %d wrote a frame over the bound: %v", layout, err)
		}
		big := Format{Layout: layout, Max: 1 << 20}.Append(nil, 'x', make([]byte, 5))
		if _, _, err := f.Read(bufio.NewReader(bytes.NewReader(big[:3]))); !errors.Is(err, errBad) {
			t.Errorf("layout %d read a frame over the bound: %v", layout, err)
		}
	}
	f := Format{Layout: LengthFirst, Max: 4, Malformed: errBad}
	if _, _, err := f.Read(bufio.NewReader(bytes.NewReader([]byte{0}))); !errors.Is(err, errBad) {
		t.Errorf("read an empty frame: %v", err)
	}
}

// The end of the input at a frame boundary is io.EOF, within a frame it is
// an unexpected one; a Reader reuses its buffer.
func TestEnds(t *testing.T) {
	for _, layout := range []Layout{LengthFirst, TypeFirst} {
		f := Format{Layout: layout, Max: 1 << 10}
		two := f.Append(f.Append(nil, 'a', []byte("one")), 'b', []byte("two"))
		fr := &Reader{Format: f, R: bufio.NewReader(bytes.NewReader(two))}
		typ, first, err := fr.Next()
		if err != nil || typ != 'a' || string(first) != "one" {
			t.Fatalf("layout %d: first frame %q %q, %v", layout, typ, first, err)
		}
		if typ, body, err := fr.Next(); err != nil || typ != 'b' || string(body) != "two" || &body[0] != &first[0] {
			t.Fatalf("layout %d: second frame %q %q, %v (or not in the reused buffer)", layout, typ, body, err)
		}
		if _, _, err := fr.Next(); err != io.EOF {
			t.Fatalf("layout %d: at the end %v, want io.EOF", layout, err)
		}
		if _, _, err := f.Read(bufio.NewReader(bytes.NewReader(two[:len(two)-1]))); err != nil {
			t.Fatalf("layout %d: the whole first frame: %v", layout, err)
		}
		r := bufio.NewReader(bytes.NewReader(two[:len(two)-1]))
		f.Read(r)
		if _, _, err := f.Read(r); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("layout %d: a cut frame gave %v", layout, err)
		}
	}
}
