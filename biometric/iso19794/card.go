package iso19794

import (
	"encoding/binary"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// CardMinutia is a minutia of the ISO/IEC 19794-2 card formats, in the
// format's own units. Compact size: X, Y in 0.1 mm (0..255), Angle in units
// of 360/64 degrees (0..63). Normal size: X, Y in 0.01 mm (0..16383), Angle
// in units of 360/256 degrees. The card formats carry no minutia quality.
type CardMinutia struct {
	X, Y  uint16
	Angle uint8
	Type  template.MinutiaType
}

const (
	compactLen = 3
	normalLen  = 5
)

// DecodeCardCompact reads the minutiae data object of the compact card
// format: 3 bytes a minutia, x, y, then type (2 bits) and angle (6 bits).
func DecodeCardCompact(b []byte) ([]CardMinutia, error) {
	if len(b)%compactLen != 0 {
		return nil, bad("compact card data of %d bytes is not whole minutiae", len(b))
	}
	ms := make([]CardMinutia, 0, len(b)/compactLen)
	for i := 0; i < len(b); i += compactLen {
		m := CardMinutia{X: uint16(b[i]), Y: uint16(b[i+1]), Type: template.MinutiaType(b[i+2] >> 6), Angle: b[i+2] & 0x3f}
		if m.Type == 3 {
			return nil, bad("compact minutia %d: reserved type 3", i/compactLen)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// EncodeCardCompact writes ms in the compact card format.
func EncodeCardCompact(ms []CardMinutia) ([]byte, error) {
	b := make([]byte, 0, len(ms)*compactLen)
	for i, m := range ms {
		if m.X > 255 || m.Y > 255 || m.Angle > 63 || m.Type > 2 {
			return nil, bad("compact minutia %d out of range: %+v", i, m)
		}
		b = append(b, byte(m.X), byte(m.Y), byte(m.Type)<<6|m.Angle)
	}
	return b, nil
}

// DecodeCardNormal reads the normal-size card format: 5 bytes a minutia,
// type (2 bits) and x (14 bits), 2 reserved zero bits and y (14 bits), angle.
func DecodeCardNormal(b []byte) ([]CardMinutia, error) {
	if len(b)%normalLen != 0 {
		return nil, bad("normal card data of %d bytes is not whole minutiae", len(b))
	}
	ms := make([]CardMinutia, 0, len(b)/normalLen)
	for i := 0; i < len(b); i += normalLen {
		xw := binary.BigEndian.Uint16(b[i:])
		yw := binary.BigEndian.Uint16(b[i+2:])
		m := CardMinutia{Type: template.MinutiaType(xw >> 14), X: xw & maxCoord, Y: yw & maxCoord, Angle: b[i+4]}
		if m.Type == 3 || yw>>14 != 0 {
			return nil, bad("normal minutia %d: reserved type or bits", i/normalLen)
		}
		ms = append(ms, m)
	}
	return ms, nil
}

// EncodeCardNormal writes ms in the normal-size card format.
func EncodeCardNormal(ms []CardMinutia) ([]byte, error) {
	b := make([]byte, 0, len(ms)*normalLen)
	for i, m := range ms {
		if m.X > maxCoord || m.Y > maxCoord || m.Type > 2 {
			return nil, bad("normal minutia %d out of range: %+v", i, m)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(m.Type)<<14|m.X)
		b = binary.BigEndian.AppendUint16(b, m.Y)
		b = append(b, m.Angle)
	}
	return b, nil
}

// ToCompact converts record minutiae at res pixels/cm to the compact card
// format, dropping those that fall beyond 25.5 mm (the card's range).
func ToCompact(ms []template.Minutia, resX, resY uint16) []CardMinutia {
	out := make([]CardMinutia, 0, len(ms))
	for _, m := range ms {
		x := (uint32(m.X)*100 + uint32(resX)/2) / uint32(resX)
		y := (uint32(m.Y)*100 + uint32(resY)/2) / uint32(resY)
		if x > 255 || y > 255 {
			continue
		}
		out = append(out, CardMinutia{X: uint16(x), Y: uint16(y), Type: m.Type, Angle: uint8((uint16(m.Angle) + 2) / 4 % 64)})
	}
	return out
}

// FromCompact converts compact card minutiae back to record units at res
// pixels/cm (the card's 0.1 mm grid is coarser: about 2 pixels at 500 dpi).
func FromCompact(ms []CardMinutia, resX, resY uint16) []template.Minutia {
	out := make([]template.Minutia, len(ms))
	for i, m := range ms {
		out[i] = template.Minutia{
			X: uint16((uint32(m.X)*uint32(resX) + 50) / 100), Y: uint16((uint32(m.Y)*uint32(resY) + 50) / 100),
			Angle: m.Angle * 4, Type: m.Type,
		}
	}
	return out
}
