package stepinput

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sinkron-id/sinkron/biometric/iso19794"
	"github.com/sinkron-id/sinkron/node/request"
)

// Capture takes a biometric capture station's output: ISO/IEC 19794
// records one after another, as a capture session writes them (finger
// minutiae 19794-2, and the finger, face and iris image records 19794-4/5/6
// when the station sends images too). Every record must decode strictly and
// the set must hold finger minutiae: the recording steps check fingers 1:1
// and the dinas searches them 1:N.
type Capture struct{}

func (Capture) TakeInput(_ *request.Request, content []byte) (request.Taken, error) {
	fingers := 0
	for rest := content; len(rest) > 0; {
		n, err := recordLen(rest)
		if err != nil {
			return request.Taken{}, err
		}
		rec := rest[:n]
		rest = rest[n:]
		switch string(rec[:4]) {
		case "FMR\x00":
			if _, err = iso19794.DecodeFinger(rec); err == nil {
				fingers++
			}
		case "FIR\x00":
			_, err = iso19794.DecodeContainer(iso19794.FingerImage, rec)
		case "FAC\x00":
			_, err = iso19794.DecodeContainer(iso19794.FaceImage, rec)
		case "IIR\x00":
			_, err = iso19794.DecodeContainer(iso19794.IrisImage, rec)
		}
		if err != nil {
			return request.Taken{}, fmt.Errorf("rekaman ISO/IEC 19794 rusak: %w", err)
		}
	}
	if fingers == 0 {
		return request.Taken{}, errors.New("tidak ada rekaman minutiae sidik jari (ISO/IEC 19794-2)")
	}
	return request.Taken{ContentType: "application/vnd.iso.19794"}, nil
}

// recordLen reads the length of the ISO/IEC 19794 record at the start of b
// from its general header: four bytes after the format and version
// identifiers, six for a 19794-4 finger image record.
func recordLen(b []byte) (int, error) {
	if len(b) < 12 {
		return 0, errors.New("bukan rekaman ISO/IEC 19794: terlalu pendek")
	}
	var n uint64
	switch string(b[:4]) {
	case "FMR\x00", "FAC\x00", "IIR\x00":
		n = uint64(binary.BigEndian.Uint32(b[8:12]))
	case "FIR\x00":
		if len(b) < 14 {
			return 0, errors.New("rekaman ISO/IEC 19794-4 terpotong")
		}
		n = uint64(binary.BigEndian.Uint16(b[8:10]))<<32 | uint64(binary.BigEndian.Uint32(b[10:14]))
	default:
		return 0, fmt.Errorf("bukan rekaman ISO/IEC 19794 (pengenal %q)", b[:4])
	}
	if n < 12 || n > uint64(len(b)) {
		return 0, fmt.Errorf("panjang rekaman %d tidak sesuai dengan %d byte yang diterima", n, len(b))
	}
	return int(n), nil
}
