package iso19794

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sinkron-id/sinkron/biometric/template"
)

const (
	fmrMagic      = "FMR\x00"
	fmrVersion    = " 20\x00"
	fmrHeaderLen  = 24
	viewHeaderLen = 4
	minutiaLen    = 6
	maxCoord      = 1<<14 - 1
	maxQuality    = 100
)

// ErrFormat wraps every refusal of malformed bytes.
var ErrFormat = errors.New("iso19794: malformed record")

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrFormat}, args...)...)
}

// FingerRecord is an ISO/IEC 19794-2:2005 finger minutiae record.
type FingerRecord struct {
	Equipment     uint16 // 4 bits of certification flags, 12 bits of device ID
	Width, Height uint16 // image size in pixels
	ResX, ResY    uint16 // pixels per centimetre (197 at 500 dpi)
	Views         []FingerView
}

// FingerView is one finger view of a record.
type FingerView struct {
	Position   uint8 // 0 unknown, 1..10 ISO finger position
	View       uint8 // 0..15: several views of the same finger
	Impression uint8 // 0..3 live-scan/rolled/latent…, 8 swipe
	Quality    uint8 // 0..100
	Minutiae   []template.Minutia
	Extended   []ExtBlock
}

// ExtBlock is one extended data block, kept as bytes (ridge counts, core and
// delta, or a vendor's block).
type ExtBlock struct {
	Type uint16 // 0 is reserved
	Data []byte
}

// Finger returns view v as a template finger.
func (v FingerView) Finger() template.Finger {
	return template.Finger{Position: v.Position, Minutiae: v.Minutiae}
}

// DecodeFinger reads a complete finger minutiae record; b must be exactly
// the record.
func DecodeFinger(b []byte) (FingerRecord, error) {
	var r FingerRecord
	if len(b) < fmrHeaderLen {
		return r, bad("record of %d bytes is shorter than its header", len(b))
	}
	if string(b[0:4]) != fmrMagic || string(b[4:8]) != fmrVersion {
		return r, bad("not an ISO 19794-2:2005 record (identifier %q, version %q)", b[0:4], b[4:8])
	}
	if n := binary.BigEndian.Uint32(b[8:12]); int64(n) != int64(len(b)) {
		return r, bad("record length %d, have %d bytes", n, len(b))
	}
	r.Equipment = binary.BigEndian.Uint16(b[12:14])
	r.Width = binary.BigEndian.Uint16(b[14:16])
	r.Height = binary.BigEndian.Uint16(b[16:18])
	r.ResX = binary.BigEndian.Uint16(b[18:20])
	r.ResY = binary.BigEndian.Uint16(b[20:22])
	views := int(b[22])
	if b[23] != 0 {
		return r, bad("reserved header byte %d", b[23])
	}
	if r.Width == 0 || r.Height == 0 || r.ResX == 0 || r.ResY == 0 {
		return r, bad("zero image size or resolution")
	}
	rest := b[fmrHeaderLen:]
	for i := 0; i < views; i++ {
		v, n, err := decodeView(rest, r.Width, r.Height)
		if err != nil {
			return r, fmt.Errorf("finger view %d: %w", i, err)
		}
		r.Views = append(r.Views, v)
		rest = rest[n:]
	}
	if len(rest) != 0 {
		return r, bad("%d bytes after the last finger view", len(rest))
	}
	return r, nil
}

func decodeView(b []byte, w, h uint16) (FingerView, int, error) {
	var v FingerView
	if len(b) < viewHeaderLen {
		return v, 0, bad("truncated view header")
	}
	v.Position, v.View, v.Impression, v.Quality = b[0], b[1]>>4, b[1]&0x0f, b[2]
	if v.Position > 10 {
		return v, 0, bad("finger position %d", v.Position)
	}
	if v.Impression > 3 && v.Impression != 8 {
		return v, 0, bad("impression type %d", v.Impression)
	}
	if v.Quality > maxQuality {
		return v, 0, bad("finger quality %d", v.Quality)
	}
	count := int(b[3])
	off := viewHeaderLen
	if len(b) < off+count*minutiaLen+2 {
		return v, 0, bad("truncated minutiae")
	}
	if count > 0 {
		v.Minutiae = make([]template.Minutia, count)
	}
	for i := range v.Minutiae {
		m, err := decodeMinutia(b[off:off+minutiaLen], w, h)
		if err != nil {
			return v, 0, fmt.Errorf("minutia %d: %w", i, err)
		}
		v.Minutiae[i] = m
		off += minutiaLen
	}
	ext, n, err := decodeExtended(b[off:])
	if err != nil {
		return v, 0, err
	}
	v.Extended = ext
	return v, off + n, nil
}

func decodeMinutia(b []byte, w, h uint16) (template.Minutia, error) {
	xw := binary.BigEndian.Uint16(b[0:2])
	yw := binary.BigEndian.Uint16(b[2:4])
	m := template.Minutia{
		Type: template.MinutiaType(xw >> 14), X: xw & maxCoord,
		Y: yw & maxCoord, Angle: b[4], Quality: b[5],
	}
	switch {
	case m.Type == 3:
		return m, bad("reserved minutia type 3")
	case yw>>14 != 0:
		return m, bad("reserved bits above y")
	case m.X >= w || m.Y >= h:
		return m, bad("minutia (%d,%d) outside the %dx%d image", m.X, m.Y, w, h)
	case m.Quality > maxQuality:
		return m, bad("minutia quality %d", m.Quality)
	}
	return m, nil
}

// decodeExtended reads the 2-byte total length and the blocks it covers; a
// block's length counts its own 4-byte header.
func decodeExtended(b []byte) ([]ExtBlock, int, error) {
	total := int(binary.BigEndian.Uint16(b[0:2]))
	if len(b) < 2+total {
		return nil, 0, bad("extended data of %d bytes, have %d", total, len(b)-2)
	}
	var blocks []ExtBlock
	rest := b[2 : 2+total]
	for len(rest) > 0 {
		if len(rest) < 4 {
			return nil, 0, bad("truncated extended block header")
		}
		typ := binary.BigEndian.Uint16(rest[0:2])
		n := int(binary.BigEndian.Uint16(rest[2:4]))
		if typ == 0 {
			return nil, 0, bad("reserved extended block type 0")
		}
		if n < 4 || n > len(rest) {
			return nil, 0, bad("extended block length %d", n)
		}
		blocks = append(blocks, ExtBlock{Type: typ, Data: append([]byte(nil), rest[4:n]...)})
		rest = rest[n:]
	}
	return blocks, 2 + total, nil
}

// EncodeFinger writes r, refusing what DecodeFinger would refuse.
func EncodeFinger(r FingerRecord) ([]byte, error) {
	if r.Width == 0 || r.Height == 0 || r.ResX == 0 || r.ResY == 0 {
		return nil, bad("zero image size or resolution")
	}
	if len(r.Views) > 255 {
		return nil, bad("%d finger views", len(r.Views))
	}
	b := make([]byte, fmrHeaderLen, 256)
	copy(b, fmrMagic+fmrVersion)
	binary.BigEndian.PutUint16(b[12:], r.Equipment)
	binary.BigEndian.PutUint16(b[14:], r.Width)
	binary.BigEndian.PutUint16(b[16:], r.Height)
	binary.BigEndian.PutUint16(b[18:], r.ResX)
	binary.BigEndian.PutUint16(b[20:], r.ResY)
	b[22] = byte(len(r.Views))
	for i, v := range r.Views {
		var err error
		if b, err = appendView(b, v, r.Width, r.Height); err != nil {
			return nil, fmt.Errorf("finger view %d: %w", i, err)
		}
	}
	if uint64(len(b)) > 1<<32-1 {
		return nil, bad("record of %d bytes", len(b))
	}
	binary.BigEndian.PutUint32(b[8:], uint32(len(b)))
	return b, nil
}

func appendView(b []byte, v FingerView, w, h uint16) ([]byte, error) {
	switch {
	case v.Position > 10, v.View > 15, v.Impression > 3 && v.Impression != 8, v.Quality > maxQuality:
		return nil, bad("view header %d/%d/%d/%d", v.Position, v.View, v.Impression, v.Quality)
	case len(v.Minutiae) > 255:
		return nil, bad("%d minutiae", len(v.Minutiae))
	}
	b = append(b, v.Position, v.View<<4|v.Impression, v.Quality, byte(len(v.Minutiae)))
	for i, m := range v.Minutiae {
		if m.Type > 2 || m.X >= w || m.Y >= h || m.X > maxCoord || m.Y > maxCoord || m.Quality > maxQuality {
			return nil, bad("minutia %d: %+v", i, m)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(m.Type)<<14|m.X)
		b = binary.BigEndian.AppendUint16(b, m.Y)
		b = append(b, m.Angle, m.Quality)
	}
	total := 0
	for _, e := range v.Extended {
		if e.Type == 0 || len(e.Data) > 0xffff-4 {
			return nil, bad("extended block type %d of %d bytes", e.Type, len(e.Data))
		}
		total += 4 + len(e.Data)
	}
	if total > 0xffff {
		return nil, bad("extended data of %d bytes", total)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(total))
	for _, e := range v.Extended {
		b = binary.BigEndian.AppendUint16(b, e.Type)
		b = binary.BigEndian.AppendUint16(b, uint16(4+len(e.Data)))
		b = append(b, e.Data...)
	}
	return b, nil
}
