package document

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRequestCopyRenders(t *testing.T) {
	b, err := RequestCopy(sampleRequest())
	if err != nil {
		t.Fatal(err)
	}
	if n := checkPDF(t, b); n != 1 {
		t.Fatalf("request copy has %d pages, want 1", n)
	}
	text := pdfText(t, b)
	for _, want := range []string{"SALINAN PERMOHONAN", "PEMERINTAH KABUPATEN SUKAMAJU",
		"DINAS KEPENDUDUKAN DAN PENCATATAN SIPIL", "20261124-AB12CD", "Siti Nurhaliza",
		"************0002", "************0001", "Konsolidasi Manual", "1 hari", "10 menit",
		"24 November 2026 09.15 WIB", "CARA MENGETAHUI STATUS", "Foto KTP-el"} {
		if !strings.Contains(text, want) {
			t.Errorf("request copy lacks %q", want)
		}
	}
	for _, full := range []string{"3299014907880002", "3299012411260001"} {
		if strings.Contains(text, full) {
			t.Errorf("request copy shows the full number %s", full)
		}
	}
}

func TestRequestCopyManyStepsBreaksPages(t *testing.T) {
	r := sampleRequest()
	for range 40 {
		r.Steps = append(r.Steps, r.Steps[1])
	}
	b, err := RequestCopy(r)
	if err != nil {
		t.Fatal(err)
	}
	if n := checkPDF(t, b); n < 2 {
		t.Fatalf("request copy with 43 steps has %d pages, want at least 2", n)
	}
}

func TestRequestCopyRefusesMissingFields(t *testing.T) {
	for name, mutate := range map[string]func(*Request){
		"no tracking code": func(r *Request) { r.Tracking = " " },
		"no filing time":   func(r *Request) { r.Filed = time.Time{} },
	} {
		r := sampleRequest()
		mutate(&r)
		if _, err := RequestCopy(r); !errors.Is(err, ErrInput) {
			t.Errorf("%s: err = %v, want ErrInput", name, err)
		}
	}
}

func TestLogbookSpansPages(t *testing.T) {
	b, err := Logbook(sampleLog(120))
	if err != nil {
		t.Fatal(err)
	}
	n := checkPDF(t, b)
	if n < 4 || n > 12 {
		t.Fatalf("logbook of 120 entries has %d pages, want 4..12", n)
	}
	text := pdfText(t, b)
	if got := strings.Count(text, "BUKU HARIAN PELAYANAN"); got != n {
		t.Errorf("title appears %d times on %d pages", got, n)
	}
	if got := strings.Count(text, "(Kode Pelacakan)"); got < n-1 {
		t.Errorf("column header appears %d times on %d pages", got, n)
	}
	for _, want := range []string{"REKAPITULASI PER JENIS LAYANAN", "Jumlah seluruhnya",
		"(120)", "(24)", "Selasa, 24 November 2026", "************0120"} {
		if !strings.Contains(text, want) {
			t.Errorf("logbook lacks %q", want)
		}
	}
	if strings.Contains(text, "3299011503800120") {
		t.Error("logbook shows a full NIK")
	}
}

func TestLogbookEmptyAndUnsorted(t *testing.T) {
	empty := sampleLog(0)
	b, err := Logbook(empty)
	if err != nil {
		t.Fatal(err)
	}
	if n := checkPDF(t, b); n != 1 {
		t.Fatalf("empty logbook has %d pages", n)
	}
	if !strings.Contains(pdfText(t, b), "Tidak ada pelayanan") {
		t.Error("empty logbook does not say so")
	}
	l := sampleLog(3)
	l.Entries[0], l.Entries[2] = l.Entries[2], l.Entries[0]
	before := l.Entries[0].Tracking
	if _, err := Logbook(l); err != nil {
		t.Fatal(err)
	}
	if l.Entries[0].Tracking != before {
		t.Error("Logbook reordered its input")
	}
	if _, err := Logbook(DailyLog{}); !errors.Is(err, ErrInput) {
		t.Errorf("logbook without a date: err = %v", err)
	}
}

func TestKKRenders(t *testing.T) {
	data, seal, _ := signedKK(t)
	b, err := KK(KKDocument{Data: data, Seal: seal})
	if err != nil {
		t.Fatal(err)
	}
	if n := checkPDF(t, b); n != 1 {
		t.Fatalf("KK of 4 members has %d pages, want 1", n)
	}
	text := pdfText(t, b)
	for _, want := range []string{"KARTU KELUARGA", "No. 3299012411260001", "Ahmad Hidayat",
		"3299016110150001", "15-03-1985", "KEPALA KELUARGA", "Status Hubungan Dalam Keluarga",
		"Ditandatangani secara elektronik", seal.Signer, "NIP. 196805121994031007"} {
		if !strings.Contains(text, want) {
			t.Errorf("KK lacks %q", want)
		}
	}
}

func TestKKManyMembersBreaksPages(t *testing.T) {
	priv, _ := testKey(t, "dinas-cluster")
	data := bigKK()
	seal, err := SignKK(data, priv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := KK(KKDocument{Data: data, Seal: seal})
	if err != nil {
		t.Fatal(err)
	}
	if n := checkPDF(t, b); n < 2 {
		t.Fatalf("KK of %d members has %d pages", len(data.Members), n)
	}
}

func TestKKRefusesBadSeal(t *testing.T) {
	data, seal, _ := signedKK(t)
	changed := data
	changed.HeadName = "Orang Lain"
	if _, err := KK(KKDocument{Data: changed, Seal: seal}); !errors.Is(err, ErrDigestMismatch) {
		t.Errorf("changed data: err = %v", err)
	}
	broken := seal
	broken.Signer = "bukan-peer-id"
	if _, err := KK(KKDocument{Data: data, Seal: broken}); !errors.Is(err, ErrUntrustedSigner) {
		t.Errorf("unreadable signer: err = %v", err)
	}
}

func TestDeterministic(t *testing.T) {
	data, seal, _ := signedKK(t)
	render := map[string]func() ([]byte, error){
		"request": func() ([]byte, error) { return RequestCopy(sampleRequest()) },
		"logbook": func() ([]byte, error) { return Logbook(sampleLog(60)) },
		"kk":      func() ([]byte, error) { return KK(KKDocument{Data: data, Seal: seal}) },
	}
	for name, f := range render {
		a, err := f()
		if err != nil {
			t.Fatal(err)
		}
		b, err := f()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renderings differ", name)
		}
		if !bytes.Contains(a, []byte("/CreationDate (D:2026112")) {
			t.Errorf("%s: creation date not taken from the input", name)
		}
	}
	r := sampleRequest()
	r.Printed = r.Filed.Add(time.Hour)
	a, _ := RequestCopy(sampleRequest())
	b, _ := RequestCopy(r)
	if bytes.Equal(a, b) {
		t.Error("printing time does not reach the PDF")
	}
}

func TestTextOutsideCP1252(t *testing.T) {
	r := sampleRequest()
	r.Applicant = "Nguyễn Thị Ánh 阮氏 Ş\x00\u200b — «Ёжик» 😀 \xff"
	r.Service = strings.Repeat("Perubahan elemen data ", 40)
	r.Documents = append(r.Documents, "Surat keterangan (ditandatangani) \\ Lurah")
	b, err := RequestCopy(r)
	if err != nil {
		t.Fatal(err)
	}
	checkPDF(t, b)
	text := pdfText(t, b)
	if !strings.Contains(text, "Nguyen Thi \xc1nh ?? S") {
		t.Errorf("non-cp1252 name not transliterated:\n%q", text[strings.Index(text, "Nguyen")-5:][:60])
	}
	l := sampleLog(2)
	l.Entries[0].Note = strings.Repeat("catatan-tanpa-spasi", 80)
	l.Entries[1].Applicant = "Ölçer Ğüneş Đorđe"
	if b, err = Logbook(l); err != nil {
		t.Fatal(err)
	}
	checkPDF(t, b)
}
