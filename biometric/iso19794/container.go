package iso19794

import "encoding/binary"

// Kind names one of the image record formats read as containers.
type Kind int

const (
	FingerImage Kind = iota // ISO/IEC 19794-4:2005, "FIR\0"
	FaceImage               // ISO/IEC 19794-5:2005, "FAC\0"
	IrisImage               // ISO/IEC 19794-6:2005, "IIR\0"
)

// layout is where each format's general header keeps its fields.
type layout struct {
	magic, version  string
	lenOff, lenSize int // record length field
	countOff        int // one byte (finger, iris) or two (face)
	countSize       int
	headerLen       int
}

var layouts = [...]layout{
	// 19794-4: identifier, version, 6-byte length, device ID (2),
	// acquisition level (2), number of fingers (1), scale units (1),
	// scan and image resolutions (8), pixel depth (1), compression (1),
	// reserved (2).
	FingerImage: {"FIR\x00", "010\x00", 8, 6, 18, 1, 32},
	// 19794-5: identifier, version, 4-byte length, number of faces (2).
	FaceImage: {"FAC\x00", "010\x00", 8, 4, 12, 2, 14},
	// 19794-6: identifier, version, 4-byte length, device ID (2), number of
	// eyes/subtypes (1), header length (2), image properties, diameter,
	// format, width, height, depth, transformation, device unique ID (16),
	// global unique ID (16): 45 bytes.
	IrisImage: {"IIR\x00", "010\x00", 8, 4, 14, 1, 45},
}

// Container is an image record whose general header has been checked; Header
// and Body are the raw bytes (the images themselves are not decoded here).
type Container struct {
	Kind   Kind
	Count  int // fingers, faces or eyes the record says it holds
	Header []byte
	Body   []byte
}

// DecodeContainer checks an image record of kind k: identifier, version,
// record length equal to len(b), a nonzero count of representations, and a
// body for them.
func DecodeContainer(k Kind, b []byte) (Container, error) {
	if k < 0 || int(k) >= len(layouts) {
		return Container{}, bad("unknown kind %d", k)
	}
	l := layouts[k]
	if len(b) < l.headerLen {
		return Container{}, bad("record of %d bytes is shorter than its %d-byte header", len(b), l.headerLen)
	}
	if string(b[0:4]) != l.magic || string(b[4:8]) != l.version {
		return Container{}, bad("identifier %q version %q, want %q %q", b[0:4], b[4:8], l.magic, l.version)
	}
	if n := readUint(b[l.lenOff : l.lenOff+l.lenSize]); n != uint64(len(b)) {
		return Container{}, bad("record length %d, have %d bytes", n, len(b))
	}
	count := int(readUint(b[l.countOff : l.countOff+l.countSize]))
	if count == 0 {
		return Container{}, bad("record holds no representation")
	}
	if k == IrisImage && binary.BigEndian.Uint16(b[15:17]) != uint16(l.headerLen) {
		return Container{}, bad("iris record header length %d", binary.BigEndian.Uint16(b[15:17]))
	}
	if len(b) == l.headerLen {
		return Container{}, bad("record has a header and no body")
	}
	return Container{Kind: k, Count: count, Header: b[:l.headerLen:l.headerLen], Body: b[l.headerLen:]}, nil
}

// EncodeContainer writes c's header with its identifier, version, length and
// count set, then the body. Other header bytes are taken from c.Header when
// it has the right length, else zero.
func EncodeContainer(c Container) ([]byte, error) {
	if c.Kind < 0 || int(c.Kind) >= len(layouts) {
		return nil, bad("unknown kind %d", c.Kind)
	}
	l := layouts[c.Kind]
	if c.Count <= 0 || c.Count >= 1<<(8*l.countSize) || len(c.Body) == 0 {
		return nil, bad("count %d with %d body bytes", c.Count, len(c.Body))
	}
	total := uint64(l.headerLen + len(c.Body))
	if total >= 1<<(8*l.lenSize) {
		return nil, bad("record of %d bytes", total)
	}
	b := make([]byte, l.headerLen, total)
	if len(c.Header) == l.headerLen {
		copy(b, c.Header)
	}
	copy(b, l.magic+l.version)
	putUint(b[l.lenOff:l.lenOff+l.lenSize], total)
	putUint(b[l.countOff:l.countOff+l.countSize], uint64(c.Count))
	if c.Kind == IrisImage {
		binary.BigEndian.PutUint16(b[15:17], uint16(l.headerLen))
	}
	return append(b, c.Body...), nil
}

func readUint(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

func putUint(b []byte, n uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
}
