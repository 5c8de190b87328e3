package console

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
)

// Sizes of the lag chart, in SVG user units; the chart scales to its box.
const (
	chartWidth  = 720
	chartLabel  = 200 // the office names' column
	chartNumber = 70  // the totals' column
	chartRow    = 30
	chartTop    = 34 // room for the legend
)

// Colours of the two halves of a bar; both keep 4.5:1 against white.
const (
	colourWeLack   = "#0b4f8a" // events this office still lacks
	colourPeerLack = "#8a4b00" // events the other office still lacks
)

// lagChart draws, per office, the events still to exchange as a bar of two
// parts: what this node lacks from it and what it lacks from this node.
// It is drawn on the server as SVG (no script, nothing fetched), labelled
// for screen readers, and the table under it gives the same numbers.
func lagChart(rows []peerRow) template.HTML {
	if len(rows) == 0 {
		return ""
	}
	most := uint64(1)
	for _, r := range rows {
		most = max(most, r.P.WeLack+r.P.PeerLacks)
	}
	height := chartTop + chartRow*len(rows) + 8
	span := float64(chartWidth - chartLabel - chartNumber)
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="grafik" viewBox="0 0 %d %d" width="100%%" role="img" aria-labelledby="grafik-judul grafik-uraian">`, chartWidth, height)
	b.WriteString(`<title id="grafik-judul">Ketertinggalan sinkron per kantor</title>`)
	b.WriteString(`<desc id="grafik-uraian">`)
	for i, r := range rows {
		if i > 0 {
			b.WriteString("; ")
		}
		text(&b, fmt.Sprintf("%s: kantor ini kurang %d event, kantor itu kurang %d event", r.P.Office, r.P.WeLack, r.P.PeerLacks))
	}
	b.WriteString(`.</desc>`)
	legend(&b, 0, colourWeLack, "kantor ini kurang")
	legend(&b, 200, colourPeerLack, "kantor itu kurang")
	for i, r := range rows {
		y := chartTop + i*chartRow
		we := span * float64(r.P.WeLack) / float64(most)
		they := span * float64(r.P.PeerLacks) / float64(most)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-size="14" fill="#1b1f24">`, chartLabel-8, y+19)
		text(&b, clip(r.P.Office, 26))
		b.WriteString(`</text>`)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="20" fill="%s"/>`, chartLabel, y+4, we, colourWeLack)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="20" fill="%s"/>`, float64(chartLabel)+we, y+4, they, colourPeerLack)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="14" fill="#1b1f24">%d</text>`, float64(chartLabel)+we+they+6, y+19, r.P.WeLack+r.P.PeerLacks)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text inside was escaped by text
}

// legend draws one key of the chart at x.
func legend(b *bytes.Buffer, x int, colour, label string) {
	fmt.Fprintf(b, `<rect x="%d" y="6" width="16" height="16" fill="%s"/><text x="%d" y="19" font-size="14" fill="#1b1f24">`, x+chartLabel, colour, x+chartLabel+22)
	text(b, label)
	b.WriteString(`</text>`)
}

// text writes s escaped for XML (an office name could hold "<" or "&").
func text(b *bytes.Buffer, s string) { _ = xml.EscapeText(b, []byte(s)) }

// clip shortens a long office name so it stays in its column; the table
// and the description carry it whole.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// plural says a count, or what zero means.
func plural(n int, some, none string) string {
	if n == 0 {
		return none
	}
	return fmt.Sprintf(some, n)
}
