package document

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Request is the input of the resident's copy of a request.
type Request struct {
	Office    Office
	Service   string    // service title as in the catalog
	Tracking  string    // tracking code, printed and drawn as a QR code
	Applicant string    // applicant's full name
	NIK       string    // printed masked: only the last 4 digits show
	KK        string    // Nomor KK, masked the same way; optional
	Channel   string    // Langsung, Online, WhatsApp; optional
	Status    string    // Baru, Disetujui, Dibatalkan, Diproses, Selesai
	Filed     time.Time // when the request was filed; required
	Officer   string    // officer who received the files; optional
	Documents []string  // documents handed in
	Steps     []Step    // the steps still ahead, in order
	CheckHint string    // how to check the status; a default when empty
	Printed   time.Time // printing time and PDF date; zero means Filed
}

// Step is one step still ahead of a request, with its time standard.
type Step struct {
	Name     string        // "Konsolidasi Manual"
	Role     string        // who does it: "Operator Dinas"
	Place    string        // where: "Dinas Dukcapil"
	Standard time.Duration // the SOP's time standard; zero if none
}

// RequestCopy renders the resident's copy (salinan permohonan) of a
// request as a one- or more-page A4 PDF: title block, the request's data
// with NIK and KK masked, the tracking code as a QR code, the documents
// handed in, the steps ahead with their time standards and how to check
// the status. The same input always gives the same bytes.
func RequestCopy(r Request) ([]byte, error) {
	if strings.TrimSpace(r.Tracking) == "" || r.Filed.IsZero() {
		return nil, fmt.Errorf("%w: kode pelacakan dan waktu permohonan wajib diisi", ErrInput)
	}
	printed := orTime(r.Printed, r.Filed)
	d := newDoc("P", printed, "Salinan Permohonan "+r.Tracking)
	d.footer("Salinan untuk pemohon" + printedAt(printed) +
		" - Data pribadi dilindungi: NIK dan Nomor KK ditampilkan sebagian.")
	d.pdf.SetHeaderFunc(func() { d.kop(r.Office) })
	d.pdf.AddPage()
	if err := requestHead(d, r); err != nil {
		return nil, err
	}
	requestDocuments(d, r.Documents)
	requestSteps(d, r.Steps)
	requestHint(d, r)
	d.pdf.Ln(4)
	d.signature(d.w-margin-70, 70, tanggal(r.Filed), "Petugas Penerima,", r.Officer)
	return d.output()
}

// requestHead writes the title, the request's fields and the QR code.
func requestHead(d *doc, r Request) error {
	p := d.pdf
	d.font("B", 14)
	d.centered(7, "SALINAN PERMOHONAN")
	d.font("", 10)
	d.centered(5.5, orDash(r.Service))
	p.Ln(3)
	top := p.GetY()
	const qrSize = 40.0
	qrX := d.w - margin - qrSize
	if err := d.qr(r.Tracking, qrX, top, qrSize); err != nil {
		return err
	}
	p.SetXY(qrX, top+qrSize)
	d.font("", 7.5)
	d.cell(qrSize, 4, "Kode Pelacakan", "C", 2)
	d.monoFont("B", 9)
	d.cell(qrSize, 4.5, r.Tracking, "C", 0)
	p.SetXY(margin, top)
	fieldW := qrX - margin - 4
	for _, f := range requestFields(r) {
		d.field(margin, fieldW, 40, f[0], f[1])
	}
	if y := top + qrSize + 10; p.GetY() < y {
		p.SetY(y)
	}
	return nil
}

// requestFields lists the label/value pairs of the request's data.
func requestFields(r Request) [][2]string {
	place := r.Office.Unit
	if strings.TrimSpace(place) == "" {
		place = "Dinas Kependudukan dan Pencatatan Sipil"
	}
	fields := [][2]string{
		{"Kode Pelacakan", r.Tracking},
		{"Jenis Layanan", r.Service},
		{"Nama Pemohon", r.Applicant},
		{"NIK", maskID(r.NIK)},
	}
	if strings.TrimSpace(r.KK) != "" {
		fields = append(fields, [2]string{"Nomor KK", maskID(r.KK)})
	}
	if strings.TrimSpace(r.Channel) != "" {
		fields = append(fields, [2]string{"Saluran", r.Channel})
	}
	return append(fields,
		[2]string{"Status", r.Status},
		[2]string{"Tanggal Permohonan", waktu(r.Filed)},
		[2]string{"Tempat Pelayanan", place},
	)
}

// requestDocuments lists the documents handed in.
func requestDocuments(d *doc, docs []string) {
	d.heading("A. BERKAS YANG DISERAHKAN")
	t := newTable(d, 9, 4.5, widths(d.inner(),
		column{title: "No", width: 10, align: "C"},
		column{title: "Nama Berkas", width: 150, align: "L"},
		column{title: "Diterima", width: 26, align: "C"},
	)...)
	t.header()
	if len(docs) == 0 {
		t.row([]string{"", "Tidak ada berkas yang diserahkan.", ""})
	}
	for i, name := range docs {
		t.row([]string{strconv.Itoa(i + 1), name, "Ya"})
	}
}

// requestSteps lists the steps ahead with their time standards and the
// sum of those standards.
func requestSteps(d *doc, steps []Step) {
	d.heading("B. TAHAPAN SELANJUTNYA")
	t := newTable(d, 9, 4.5, widths(d.inner(),
		column{title: "No", width: 10, align: "C"},
		column{title: "Tahapan", width: 64, align: "L"},
		column{title: "Pelaksana", width: 44, align: "L"},
		column{title: "Tempat", width: 40, align: "L"},
		column{title: "Standar Waktu", width: 28, align: "C"},
	)...)
	t.header()
	if len(steps) == 0 {
		t.row([]string{"", "Tidak ada tahapan tersisa.", "", "", ""})
		return
	}
	var total time.Duration
	for i, s := range steps {
		t.row([]string{strconv.Itoa(i + 1), s.Name, s.Role, s.Place, Durasi(s.Standard)})
		total += max(s.Standard, 0)
	}
	d.ensure(6)
	d.font("I", 8.5)
	d.pdf.SetX(margin)
	d.cell(d.inner(), 5, "Perkiraan waktu seluruhnya menurut standar pelayanan: "+Durasi(total)+".", "R", 1)
}

// requestHint tells the resident how to follow the request.
func requestHint(d *doc, r Request) {
	d.heading("C. CARA MENGETAHUI STATUS PERMOHONAN")
	hint := strings.TrimSpace(r.CheckHint)
	if hint == "" {
		hint = "Simpan salinan ini. Untuk mengetahui status permohonan, sebutkan kode pelacakan " +
			r.Tracking + " atau tunjukkan kode QR pada salinan ini kepada petugas di Dinas " +
			"Dukcapil atau tempat pelayanan kecamatan mana pun. Petugas tidak akan meminta " +
			"imbalan apa pun; layanan administrasi kependudukan tidak dipungut biaya."
	}
	d.ensure(16)
	d.font("", 9.5)
	d.pdf.SetX(margin)
	d.para(d.inner(), 5, hint, "J")
}
