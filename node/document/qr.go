package document

import (
	"fmt"

	qrcode "github.com/skip2/go-qrcode"
)

// qrLevel is the error-correction level of every QR code: Medium restores
// about 15% of damaged modules, enough for a folded or stamped paper, and
// keeps the signed KK payload at a printable size.
const qrLevel = qrcode.Medium

// qrModules encodes text and returns its modules, true for dark, including
// the 4-module quiet zone around the symbol.
func qrModules(text string) ([][]bool, error) {
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("membuat kode QR: %w", err)
	}
	return q.Bitmap(), nil
}

// qrRun is a horizontal run of dark modules: row y, columns x..x+w-1.
type qrRun struct{ x, y, w int }

// qrRuns merges each row's adjacent dark modules into runs, so the PDF
// draws one rectangle per run instead of one per module.
func qrRuns(bits [][]bool) []qrRun {
	var runs []qrRun
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			start := x
			for x < len(row) && row[x] {
				x++
			}
			runs = append(runs, qrRun{x: start, y: y, w: x - start})
		}
	}
	return runs
}

// qr draws text as a QR code of side size mm (quiet zone included) with its
// top-left corner at (x, y). All runs form one filled path, so viewers do
// not show hairline seams between rows.
func (d *doc) qr(text string, x, y, size float64) error {
	bits, err := qrModules(text)
	if err != nil {
		return err
	}
	p := d.pdf
	m := size / float64(len(bits))
	p.SetFillColor(255, 255, 255)
	p.Rect(x, y, size, size, "F")
	p.SetFillColor(0, 0, 0)
	for _, r := range qrRuns(bits) {
		x0, y0 := x+float64(r.x)*m, y+float64(r.y)*m
		x1, y1 := x0+float64(r.w)*m, y0+m
		p.MoveTo(x0, y0)
		p.LineTo(x1, y0)
		p.LineTo(x1, y1)
		p.LineTo(x0, y1)
		p.ClosePath()
	}
	p.DrawPath("F")
	return nil
}

// qrSide is the side in mm at which text's QR code gets modules of at
// least module mm, and never less than minSide.
func qrSide(text string, minSide, module float64) (float64, error) {
	bits, err := qrModules(text)
	if err != nil {
		return 0, err
	}
	return max(minSide, float64(len(bits))*module), nil
}

// QRPNG returns text as a QR code PNG with the same modules as the
// documents draw (error correction M, quiet zone included), scale pixels
// per module, for screens such as the counter console.
func QRPNG(text string, scale int) ([]byte, error) {
	if scale < 1 || scale > 64 {
		return nil, fmt.Errorf("%w: skala QR harus 1..64", ErrInput)
	}
	q, err := qrcode.New(text, qrLevel)
	if err != nil {
		return nil, fmt.Errorf("membuat kode QR: %w", err)
	}
	return q.PNG(-scale)
}
