package iso19794

import (
	"fmt"

	"github.com/sinkron-id/sinkron/biometric/template"
)

// ToRecord decodes what a node stores for one recording, a finger minutiae
// record and the two eyes' iris templates (right, left), into the template
// record the matchers and the gallery take. A finger position with no view
// in the record is Missing: the 2005 record cannot say why. A position
// given twice is refused (which view would count?); views of unknown
// position (0) are ignored.
func ToRecord(fingers []byte, eyes [2][]byte) (template.Record, error) {
	var rec template.Record
	fr, err := DecodeFinger(fingers)
	if err != nil {
		return rec, err
	}
	for i := range rec.Fingers {
		rec.Fingers[i] = template.Finger{Position: uint8(i + 1), Exception: template.Missing}
	}
	for _, v := range fr.Views {
		if v.Position == 0 {
			continue
		}
		f := &rec.Fingers[v.Position-1]
		if f.Exception == template.Present {
			return rec, bad("finger position %d given twice", v.Position)
		}
		f.Exception, f.Minutiae = template.Present, v.Minutiae
	}
	for i, b := range eyes {
		if rec.Eyes[i], err = DecodeIris(b); err != nil {
			return rec, fmt.Errorf("eye %d: %w", i, err)
		}
	}
	return rec, nil
}
