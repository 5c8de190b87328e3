package document

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/sinkron-id/sinkron/node/fault"
)

// Office names the office that issues a document, for the title block.
type Office struct {
	// Regency is the regency or city: "Kabupaten Sukamaju" or "Kota
	// Sukamaju". The title block prints "PEMERINTAH " and this, upper case.
	Regency string
	// Unit is the service point under the dinas ("Tempat Pelayanan KTP-el
	// Kecamatan Cibadak"); empty for the dinas office itself.
	Unit string
	// Address is one line of street address, telephone and e-mail.
	Address string
}

// ErrInput reports input a document cannot be rendered from.
var ErrInput = fault.New(fault.Precondition, "data dokumen tidak lengkap")

const (
	sans   = "Helvetica"
	mono   = "Courier"
	margin = 12.0 // page margin in mm
	footH  = 14.0 // space kept for the footer
)

// doc wraps an fpdf document. Every string that reaches fpdf passes
// through toCP1252, so the core fonts never see a rune they cannot show.
type doc struct {
	pdf     *fpdf.Fpdf
	w       float64 // page width
	h       float64 // page height
	created time.Time
}

// newDoc starts an A4 document in mm. created becomes both the creation and
// modification date and the catalogues are sorted, so the same input gives
// the same bytes; zlib output is deterministic, so compression stays on.
func newDoc(orientation string, created time.Time, title string) *doc {
	p := fpdf.New(orientation, "mm", "A4", "")
	p.SetCreationDate(created)
	p.SetModificationDate(created)
	p.SetCatalogSort(true)
	p.SetProducer("Sinkron", false)
	p.SetCreator("Sinkron", false)
	p.SetTitle(toCP1252(title), false)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(true, footH+margin/2)
	p.AliasNbPages("{nb}")
	w, h := p.GetPageSize()
	return &doc{pdf: p, w: w, h: h, created: created}
}

// output finishes the document and returns its bytes.
func (d *doc) output() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("menyusun PDF: %w", err)
	}
	return zonedDates(buf.Bytes(), d.created)
}

// bottom is the lowest y content may reach before the footer.
func (d *doc) bottom() float64 { return d.h - footH - margin/2 }

// inner is the width between the margins.
func (d *doc) inner() float64 { return d.w - 2*margin }

// font selects Helvetica (or Courier with monospace) at size points.
func (d *doc) font(style string, size float64) { d.pdf.SetFont(sans, style, size) }

func (d *doc) monoFont(style string, size float64) { d.pdf.SetFont(mono, style, size) }

// cell writes one line of text in a cell of width w, cut with "..." if it
// does not fit; ln as in CellFormat.
func (d *doc) cell(w, h float64, s, align string, ln int) {
	d.pdf.CellFormat(w, h, d.fit(toCP1252(s), w), "", ln, align, false, 0, "")
}

// fit shortens cp1252 text until it fits a cell of width w.
func (d *doc) fit(s string, w float64) string {
	limit := w - 2*d.pdf.GetCellMargin()
	if d.pdf.GetStringWidth(s) <= limit {
		return s
	}
	return d.cut(s, w)
}

// cut shortens cp1252 text until it fits width w with "..." appended.
func (d *doc) cut(s string, w float64) string {
	limit := w - 2*d.pdf.GetCellMargin()
	for len(s) > 0 && d.pdf.GetStringWidth(s+"...") > limit {
		s = s[:len(s)-1]
	}
	return s + "..."
}

// centered writes full-width centred text, wrapping, and moves below it.
func (d *doc) centered(h float64, s string) {
	d.pdf.SetX(margin)
	d.para(d.inner(), h, s, "C")
}

// para writes wrapping text of width w starting at the current position.
func (d *doc) para(w, lineH float64, s, align string) {
	d.pdf.MultiCell(w, lineH, toCP1252(s), "", align, false)
}

// ensure starts a new page when fewer than h mm remain above the footer.
func (d *doc) ensure(h float64) {
	if d.pdf.GetY()+h > d.bottom() {
		d.pdf.AddPage()
	}
}

// kop draws the title block: the regency's government, the dinas, the
// service point and its address, closed by a thick and a thin rule.
func (d *doc) kop(o Office) {
	p := d.pdf
	p.SetTextColor(0, 0, 0)
	p.SetY(margin)
	d.font("B", 12)
	d.centered(5.5, "PEMERINTAH "+strings.ToUpper(strings.TrimSpace(o.Regency)))
	d.font("B", 14)
	d.centered(6.5, "DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL")
	if u := strings.TrimSpace(o.Unit); u != "" {
		d.font("B", 11)
		d.centered(5.5, strings.ToUpper(u))
	}
	if a := strings.TrimSpace(o.Address); a != "" {
		d.font("", 8.5)
		d.centered(4.5, a)
	}
	y := p.GetY() + 1.5
	p.SetLineWidth(0.8)
	p.Line(margin, y, d.w-margin, y)
	p.SetLineWidth(0.2)
	p.Line(margin, y+1.2, d.w-margin, y+1.2)
	p.SetY(y + 4)
}

// footer prints left on every page's foot with "Halaman n dari N" at the
// right, above a thin rule.
func (d *doc) footer(left string) {
	p := d.pdf
	p.SetFooterFunc(func() {
		y := d.h - margin - 4
		p.SetDrawColor(150, 150, 150)
		p.SetLineWidth(0.2)
		p.Line(margin, y-1, d.w-margin, y-1)
		p.SetDrawColor(0, 0, 0)
		p.SetTextColor(90, 90, 90)
		d.font("", 7)
		p.SetXY(margin, y)
		d.cell(d.inner()-35, 4, left, "L", 0)
		p.SetXY(d.w-margin-35, y)
		p.CellFormat(35, 4, fmt.Sprintf("Halaman %d dari {nb}", p.PageNo()), "", 0, "R", false, 0, "")
		p.SetTextColor(0, 0, 0)
	})
}

// heading writes a bold section heading on a light band.
func (d *doc) heading(s string) {
	d.ensure(16)
	p := d.pdf
	p.Ln(2)
	p.SetX(margin)
	p.SetFillColor(232, 236, 244)
	d.font("B", 9.5)
	p.CellFormat(d.inner(), 6, toCP1252(s), "", 1, "L", true, 0, "")
	p.Ln(1.5)
}

// field writes "label : value" with the value wrapping within width w,
// starting at x.
func (d *doc) field(x, w, labelW float64, label, value string) {
	p := d.pdf
	p.SetX(x)
	d.font("", 9.5)
	d.cell(labelW, 5.5, label, "L", 0)
	d.cell(4, 5.5, ":", "C", 0)
	d.font("B", 9.5)
	if strings.TrimSpace(value) == "" {
		value = "-"
	}
	p.MultiCell(w-labelW-4, 5.5, toCP1252(value), "", "L", false)
}

// signature draws a signature block at x: a date line, the role, room to
// sign and the name in parentheses.
func (d *doc) signature(x, w float64, dateLine, role, name string) {
	p := d.pdf
	d.ensure(36)
	d.font("", 9.5)
	p.SetX(x)
	d.cell(w, 5, dateLine, "C", 1)
	p.SetX(x)
	d.cell(w, 5, role, "C", 1)
	p.Ln(16)
	if strings.TrimSpace(name) == "" {
		name = "...................................."
	}
	d.font("BU", 9.5)
	p.SetX(x)
	d.cell(w, 5, name, "C", 1)
}

// orTime returns t, or fallback when t is zero.
func orTime(t, fallback time.Time) time.Time {
	if t.IsZero() {
		return fallback
	}
	return t
}

// printedAt is " - dicetak <time>" for the footer, or "" for a zero time.
func printedAt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " - dicetak " + waktu(t)
}

// orDash returns "-" for blank strings.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}
