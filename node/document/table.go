package document

// column is one column of a table.
type column struct {
	title string
	width float64 // mm
	align string  // "L", "C" or "R"
	mono  bool    // Courier, for codes and numbers
}

// table draws bordered rows whose cells wrap. A row never splits across
// pages: when it does not fit above the footer a new page starts and the
// column header is drawn again.
type table struct {
	d        *doc
	cols     []column
	size     float64 // font size, points
	lineH    float64 // line height, mm
	maxLines int     // a cell longer than this is cut and ends in "..."
	rows     int     // rows drawn so far, for zebra striping
}

const cellPad = 0.8 // vertical padding inside a cell, mm

func newTable(d *doc, size, lineH float64, cols ...column) *table {
	return &table{d: d, cols: cols, size: size, lineH: lineH, maxLines: 6}
}

// header draws the column titles on a grey band, wrapping them if needed.
func (t *table) header() {
	titles := make([]string, len(t.cols))
	for i, c := range t.cols {
		titles[i] = c.title
	}
	t.d.ensure(t.height(titles, true) + 3*t.lineH)
	t.draw(titles, true)
}

// row draws one row of cells (one string per column).
func (t *table) row(cells []string) {
	h := t.height(cells, false)
	if t.d.pdf.GetY()+h > t.d.bottom() {
		t.d.pdf.AddPage()
		t.header()
	}
	t.draw(cells, false)
	t.rows++
}

// height is the height of a row of cells, a header row if head.
func (t *table) height(cells []string, head bool) float64 {
	n := 1
	for i, c := range t.cols {
		t.setFont(c, head)
		if l := len(t.wrap(cellAt(cells, i), c.width)); l > n {
			n = l
		}
	}
	return float64(n)*t.lineH + 2*cellPad
}

// draw paints the cells of one row (the header row if head) at the
// current y and moves below it. Body rows are striped.
func (t *table) draw(cells []string, head bool) {
	p := t.d.pdf
	h := t.height(cells, head)
	fill := head || t.rows%2 == 1
	x, y := margin, p.GetY()
	switch {
	case head:
		p.SetFillColor(214, 221, 235)
	default:
		p.SetFillColor(246, 247, 250)
	}
	p.SetLineWidth(0.2)
	for i, c := range t.cols {
		t.setFont(c, head)
		box := "D"
		if fill {
			box = "FD"
		}
		p.Rect(x, y, c.width, h, box)
		align := c.align
		if head {
			align = "C"
		}
		for j, line := range t.wrap(cellAt(cells, i), c.width) {
			p.SetXY(x, y+cellPad+float64(j)*t.lineH)
			p.CellFormat(c.width, t.lineH, line, "", 0, align, false, 0, "")
		}
		x += c.width
	}
	p.SetXY(margin, y+h)
}

// setFont picks the column's face: bold sans for the header, Courier for
// mono columns, sans otherwise.
func (t *table) setFont(c column, head bool) {
	switch {
	case head:
		t.d.font("B", t.size)
	case c.mono:
		t.d.monoFont("", t.size)
	default:
		t.d.font("", t.size)
	}
}

// wrap splits s (translated to cp1252) into lines fitting width w in the
// current font, at most maxLines of them.
func (t *table) wrap(s string, w float64) []string {
	p := t.d.pdf
	raw := p.SplitLines([]byte(toCP1252(s)), w)
	lines := make([]string, 0, len(raw))
	for _, l := range raw {
		lines = append(lines, string(l))
	}
	if len(lines) == 0 {
		return []string{""}
	}
	if len(lines) > t.maxLines {
		lines = lines[:t.maxLines]
		lines[len(lines)-1] = t.d.cut(lines[len(lines)-1], w)
	}
	return lines
}

// cellAt returns cells[i], or "" past the end.
func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// widths scales the columns so that they fill total exactly.
func widths(total float64, cols ...column) []column {
	sum := 0.0
	for _, c := range cols {
		sum += c.width
	}
	out := make([]column, len(cols))
	for i, c := range cols {
		c.width = c.width * total / sum
		out[i] = c
	}
	return out
}
