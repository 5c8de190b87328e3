package document

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sinkron-id/sinkron/node/zone"
)

// DailyLog is the input of an office's daily logbook (buku harian).
type DailyLog struct {
	Office  Office
	Date    time.Time  // the day; its location sets how entry times print. Required.
	Entries []LogEntry // printed in time order (stable for equal times)
	Keeper  string     // officer who keeps the book, for the signature; optional
	Printed time.Time  // printing time and PDF date; zero means Date
}

// LogEntry is one line of the logbook.
type LogEntry struct {
	Time      time.Time
	Tracking  string // tracking code of the request
	Service   string
	Applicant string // applicant's name
	NIK       string // printed masked: only the last 4 digits show
	Officer   string
	Step      string // step or status reached: "Diterima", "Konsolidasi Manual"
	Note      string
}

// Logbook renders the daily logbook of one office for one date as an A4
// landscape PDF: a table of entries that breaks across pages with the title
// and column header repeated on each page, then the totals per service and
// the keeper's signature. The same input always gives the same bytes.
func Logbook(l DailyLog) ([]byte, error) {
	if l.Date.IsZero() {
		return nil, fmt.Errorf("%w: tanggal buku harian wajib diisi", ErrInput)
	}
	d := newDoc("L", orTime(l.Printed, l.Date), "Buku Harian "+l.Date.Format("2006-01-02"))
	d.footer("Buku Harian Pelayanan - " + unitName(l.Office) + " - " + tanggal(l.Date) +
		printedAt(l.Printed) + " - memuat data pribadi yang dilindungi")
	d.pdf.SetHeaderFunc(func() { logbookHeader(d, l) })
	d.pdf.AddPage()
	entries := sortedEntries(l.Entries)
	logbookEntries(d, l.Date.Location(), entries)
	logbookTotals(d, entries)
	d.pdf.Ln(4)
	d.signature(d.w-margin-80, 80, tanggal(l.Date), "Petugas Pendukung Pelayanan,", l.Keeper)
	return d.output()
}

// unitName is the office's service point, or the dinas itself.
func unitName(o Office) string {
	if strings.TrimSpace(o.Unit) != "" {
		return o.Unit
	}
	return "Dinas Kependudukan dan Pencatatan Sipil " + o.Regency
}

// logbookHeader repeats the title block and title on every page.
func logbookHeader(d *doc, l DailyLog) {
	d.kop(l.Office)
	d.font("B", 12)
	d.centered(6, "BUKU HARIAN PELAYANAN ADMINISTRASI KEPENDUDUKAN")
	d.font("", 9.5)
	// The times in the table are of the day's zone: say which, once.
	d.centered(5, unitName(l.Office)+" - "+hariTanggal(l.Date)+" - waktu "+zone.Name(l.Date))
	d.pdf.Ln(2)
}

// sortedEntries copies entries into time order.
func sortedEntries(in []LogEntry) []LogEntry {
	out := append([]LogEntry(nil), in...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out
}

// logbookEntries draws the entry table.
func logbookEntries(d *doc, loc *time.Location, entries []LogEntry) {
	t := newTable(d, 8, 3.8, widths(d.inner(),
		column{title: "No", width: 9, align: "C"},
		column{title: "Waktu", width: 13, align: "C"},
		column{title: "Kode Pelacakan", width: 33, align: "L", mono: true},
		column{title: "Layanan", width: 44, align: "L"},
		column{title: "Nama Pemohon", width: 38, align: "L"},
		column{title: "NIK", width: 31, align: "L", mono: true},
		column{title: "Petugas", width: 30, align: "L"},
		column{title: "Tahap / Status", width: 34, align: "L"},
		column{title: "Catatan", width: 41, align: "L"},
	)...)
	t.maxLines = 4
	t.header()
	if len(entries) == 0 {
		t.row([]string{"", "", "", "Tidak ada pelayanan yang tercatat pada tanggal ini."})
		return
	}
	for i, e := range entries {
		at := ""
		if !e.Time.IsZero() {
			at = e.Time.In(loc).Format("15.04")
		}
		t.row([]string{strconv.Itoa(i + 1), at, e.Tracking, e.Service, e.Applicant,
			maskID(e.NIK), e.Officer, e.Step, e.Note})
	}
}

// serviceCount is one line of the totals.
type serviceCount struct {
	service string
	n       int
}

// countServices counts entries per service, sorted by service name.
func countServices(entries []LogEntry) []serviceCount {
	m := map[string]int{}
	for _, e := range entries {
		s := strings.TrimSpace(e.Service)
		if s == "" {
			s = "(layanan tidak disebut)"
		}
		m[s]++
	}
	out := make([]serviceCount, 0, len(m))
	for s, n := range m {
		out = append(out, serviceCount{s, n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].service < out[j].service })
	return out
}

// logbookTotals draws the totals per service and the grand total.
func logbookTotals(d *doc, entries []LogEntry) {
	counts := countServices(entries)
	d.pdf.Ln(3)
	d.ensure(float64(min(len(counts), 4)+3) * 6)
	d.font("B", 10)
	d.pdf.SetX(margin)
	d.cell(d.inner(), 6, "REKAPITULASI PER JENIS LAYANAN", "L", 1)
	t := newTable(d, 9, 4.5,
		column{title: "No", width: 10, align: "C"},
		column{title: "Jenis Layanan", width: 120, align: "L"},
		column{title: "Jumlah", width: 25, align: "R"},
	)
	t.header()
	for i, c := range counts {
		t.row([]string{strconv.Itoa(i + 1), c.service, strconv.Itoa(c.n)})
	}
	d.ensure(6)
	d.font("B", 9)
	d.pdf.SetX(margin)
	d.pdf.CellFormat(130, 6, "Jumlah seluruhnya", "1", 0, "R", false, 0, "")
	d.pdf.CellFormat(25, 6, strconv.Itoa(len(entries)), "1", 1, "R", false, 0, "")
}
