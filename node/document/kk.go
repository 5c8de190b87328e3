package document

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// KKDocument is the input of a printed Kartu Keluarga.
type KKDocument struct {
	Data    KKData
	Seal    Seal      // from SignKK; KK refuses a seal that does not verify
	Printed time.Time // printing time and PDF date; zero means the issue date
}

// KK renders a Kartu Keluarga as an A4 landscape PDF laid out like the
// KK form: number, address, the two member tables, the issue date and the
// Kepala Dinas's electronic signature block, whose QR code carries the
// signed KK payload (KKQRText) for offline verification with VerifyKKQR.
// The seal is verified against its own signer first, so a KK whose data
// and seal disagree is never printed. The same input gives the same bytes.
func KK(k KKDocument) ([]byte, error) {
	signer, err := peer.Decode(k.Seal.Signer)
	if err != nil {
		return nil, fmt.Errorf("%w: penanda tangan %q tidak terbaca", ErrUntrustedSigner, k.Seal.Signer)
	}
	if err := VerifyKK(k.Data, k.Seal, signer); err != nil {
		return nil, err
	}
	qrText, err := KKQRText(k.Data, k.Seal)
	if err != nil {
		return nil, err
	}
	issued, _ := isoDate(k.Data.IssueDate)
	d := newDoc("L", orTime(k.Printed, issued), "Kartu Keluarga "+k.Data.Number)
	d.footer("Kartu Keluarga No. " + k.Data.Number + printedAt(k.Printed) +
		" - keaslian dapat diperiksa dengan memindai kode QR")
	d.pdf.SetHeaderFunc(func() { kkContinuation(d, k.Data) })
	d.pdf.AddPage()
	kkTitle(d, k.Data)
	kkMembersA(d, k.Data.Members)
	kkMembersB(d, k.Data.Members)
	if err := kkSignature(d, k.Data, k.Seal, qrText); err != nil {
		return nil, err
	}
	return d.output()
}

// kkContinuation heads every page after the first.
func kkContinuation(d *doc, data KKData) {
	if d.pdf.PageNo() == 1 {
		return
	}
	d.font("B", 10)
	d.pdf.SetXY(margin, margin)
	d.cell(d.inner(), 6, "KARTU KELUARGA No. "+data.Number+" (lanjutan)", "L", 1)
	d.pdf.Ln(2)
}

// kkTitle writes the title, the number and the address block.
func kkTitle(d *doc, data KKData) {
	p := d.pdf
	d.font("B", 17)
	d.centered(8, "KARTU KELUARGA")
	d.font("B", 12)
	d.centered(6, "No. "+data.Number)
	p.Ln(3)
	a := data.Address
	left := [][2]string{
		{"Nama Kepala Keluarga", data.HeadName}, {"Alamat", a.Street},
		{"RT/RW", orDash(a.RT) + "/" + orDash(a.RW)}, {"Desa/Kelurahan", a.Village},
		{"Kecamatan", a.District},
	}
	right := [][2]string{
		{"Kabupaten/Kota", a.Regency}, {"Kode Pos", a.PostalCode}, {"Provinsi", a.Province},
	}
	top := p.GetY()
	for _, f := range left {
		d.field(margin, 150, 42, f[0], f[1])
	}
	end := p.GetY()
	p.SetY(top)
	for _, f := range right {
		d.field(d.w-margin-105, 105, 32, f[0], f[1])
	}
	p.SetY(max(end, p.GetY()) + 2)
}

// kkMembersA is the first member table: identity and birth.
func kkMembersA(d *doc, members []KKMember) {
	t := newTable(d, 7.5, 3.4, widths(d.inner(),
		column{title: "No", width: 7, align: "C"},
		column{title: "Nama Lengkap", width: 48, align: "L"},
		column{title: "NIK", width: 31, align: "C", mono: true},
		column{title: "Jenis Kelamin", width: 20, align: "C"},
		column{title: "Tempat Lahir", width: 29, align: "L"},
		column{title: "Tanggal Lahir", width: 19, align: "C"},
		column{title: "Agama", width: 17, align: "C"},
		column{title: "Pendidikan", width: 40, align: "L"},
		column{title: "Jenis Pekerjaan", width: 40, align: "L"},
	)...)
	t.maxLines = 3
	t.header()
	for i, m := range members {
		t.row([]string{strconv.Itoa(i + 1), m.Name, m.NIK, m.Sex, m.BirthPlace,
			dmy(m.BirthDate), m.Religion, m.Education, m.Occupation})
	}
	d.pdf.Ln(2.5)
}

// kkMembersB is the second member table: status and parents.
func kkMembersB(d *doc, members []KKMember) {
	t := newTable(d, 7.5, 3.4, widths(d.inner(),
		column{title: "No", width: 7, align: "C"},
		column{title: "Status Perkawinan", width: 30, align: "C"},
		column{title: "Status Hubungan Dalam Keluarga", width: 42, align: "C"},
		column{title: "Kewarganegaraan", width: 26, align: "C"},
		column{title: "Nama Ayah", width: 73, align: "L"},
		column{title: "Nama Ibu", width: 73, align: "L"},
	)...)
	t.maxLines = 3
	t.header()
	for i, m := range members {
		t.row([]string{strconv.Itoa(i + 1), m.MaritalStatus, m.Relationship,
			m.Citizenship, m.FatherName, m.MotherName})
	}
	d.pdf.Ln(3)
}

// kkSignature writes the issue date on the left and the Kepala Dinas's
// electronic signature block, with the QR code, on the right.
func kkSignature(d *doc, data KKData, seal Seal, qrText string) error {
	const blockW = 150.0
	qrSize, err := qrSide(qrText, 34, 0.42)
	if err != nil {
		return err
	}
	p := d.pdf
	d.ensure(qrSize + 24)
	top := p.GetY()
	d.font("", 8.5)
	d.field(margin, 100, 34, "Dikeluarkan Tanggal", dmy(data.IssueDate))
	d.field(margin, 100, 34, "Tempat", data.IssuePlace)
	x := d.w - margin - blockW
	p.SetXY(x, top)
	d.font("", 8.5)
	d.cell(blockW, 4.5, orDash(data.IssuePlace)+", "+dmy(data.IssueDate), "C", 2)
	d.font("B", 8.5)
	p.SetX(x)
	d.para(blockW, 4, strings.ToUpper(orDash(data.Signatory.Position)), "C")
	qy := p.GetY() + 1
	if err := d.qr(qrText, x, qy, qrSize); err != nil {
		return err
	}
	kkTTENote(d, x+qrSize+2, qy+2, blockW-qrSize-2, seal)
	p.SetXY(x, qy+qrSize+0.5)
	d.font("BU", 9)
	d.cell(blockW, 4.5, orDash(data.Signatory.Name), "C", 2)
	p.SetX(x)
	d.font("", 8.5)
	d.cell(blockW, 4, "NIP. "+orDash(data.Signatory.NIP), "C", 1)
	return nil
}

// kkTTENote explains the electronic signature beside the QR code.
func kkTTENote(d *doc, x, y, w float64, seal Seal) {
	p := d.pdf
	p.SetXY(x, y)
	d.font("B", 8)
	d.cell(w, 4, "Ditandatangani secara elektronik (TTE)", "L", 2)
	d.font("", 7.5)
	p.SetX(x)
	d.para(w, 3.5, "Dokumen ini ditandatangani dengan kunci elektronik klaster Dinas "+
		"Kependudukan dan Pencatatan Sipil. Keasliannya dapat diperiksa tanpa jaringan "+
		"dengan memindai kode QR di kantor pelayanan Dukcapil mana pun.", "L")
	p.Ln(0.8)
	p.SetX(x)
	d.monoFont("", 6.5)
	d.para(w, 3, "Kunci: "+seal.Signer, "L")
	p.SetX(x)
	d.para(w, 3, "Sidik data: "+strings.ToUpper(hex.EncodeToString(seal.Digest[:8])), "L")
}
