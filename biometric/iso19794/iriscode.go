package iso19794

import (
	"encoding/binary"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// IrisTemplateLen is the length of a present eye's template: one exception
// byte (0), then 256 bytes of code and 256 of mask, each as 32 big-endian
// 64-bit words in the bit order of template.IrisCode.
const IrisTemplateLen = 1 + 2*template.IrisWords*8

// EncodeIris writes an eye's template. A missing or unusable eye is its one
// exception byte: there is no code to fake.
func EncodeIris(e template.Eye) ([]byte, error) {
	if e.Exception != template.Present {
		if e.Exception > template.Unusable {
			return nil, bad("exception code %d", e.Exception)
		}
		return []byte{byte(e.Exception)}, nil
	}
	b := make([]byte, 1, IrisTemplateLen)
	for i, w := range e.Code.Code {
		if w&^e.Code.Mask[i] != 0 {
			return nil, bad("code bits set under the mask in word %d", i)
		}
		b = binary.BigEndian.AppendUint64(b, w)
	}
	for _, w := range e.Code.Mask {
		b = binary.BigEndian.AppendUint64(b, w)
	}
	return b, nil
}

// DecodeIris reads an eye's template written by EncodeIris.
func DecodeIris(b []byte) (template.Eye, error) {
	var e template.Eye
	if len(b) == 0 {
		return e, bad("empty iris template")
	}
	e.Exception = template.Exception(b[0])
	if e.Exception != template.Present {
		if e.Exception > template.Unusable || len(b) != 1 {
			return template.Eye{}, bad("iris exception %d with %d bytes", b[0], len(b))
		}
		return e, nil
	}
	if len(b) != IrisTemplateLen {
		return e, bad("iris template of %d bytes, want %d", len(b), IrisTemplateLen)
	}
	for i := range e.Code.Code {
		e.Code.Code[i] = binary.BigEndian.Uint64(b[1+8*i:])
		e.Code.Mask[i] = binary.BigEndian.Uint64(b[1+8*(template.IrisWords+i):])
		if e.Code.Code[i]&^e.Code.Mask[i] != 0 {
			return template.Eye{}, bad("code bits set under the mask in word %d", i)
		}
	}
	return e, nil
}
