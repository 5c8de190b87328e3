package document

import (
	"bytes"
	"compress/zlib"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"io"
	"regexp"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

var wib = time.FixedZone("WIB", 7*3600)

var office = Office{
	Regency: "Kabupaten Sukamaju",
	Unit:    "Tempat Pelayanan KTP-el Kecamatan Cibadak",
	Address: "Jl. Raya Cibadak No. 12, Cibadak 43351 - Telp. (0266) 531234",
}

func sampleRequest() Request {
	return Request{
		Office:    office,
		Service:   "Sinkronisasi Data (Permasalahan Data Kependudukan)",
		Tracking:  "20261124-AB12CD",
		Applicant: "Siti Nurhaliza",
		NIK:       "3299014907880002",
		KK:        "3299012411260001",
		Channel:   "Langsung (datang ke loket)",
		Status:    "Baru",
		Filed:     time.Date(2026, 11, 24, 9, 15, 0, 0, wib),
		Officer:   "Dedi Kurniawan",
		Documents: []string{"Foto Kartu Keluarga (KK)", "Foto KTP-el",
			"Formulir permohonan yang telah ditandatangani pemohon"},
		Steps: []Step{
			{"Verifikasi dan validasi berkas", "Petugas Pendukung Pelayanan", "Kecamatan Cibadak", 5 * time.Minute},
			{"Konsolidasi Manual", "Operator Dinas", "Dinas Dukcapil", 10 * time.Minute},
			{"Sinkronisasi DWH", "ADB SIAK", "Dinas Dukcapil", 24 * time.Hour},
		},
	}
}

var logServices = []string{
	"Sinkronisasi Data", "Perekaman KTP-el", "KTP-el Pengganti (Hilang)",
	"KTP-el Pengganti (Rusak)", "Pindah Dalam Kabupaten",
}

func sampleLog(n int) DailyLog {
	day := time.Date(2026, 11, 24, 0, 0, 0, 0, wib)
	l := DailyLog{Office: office, Date: day, Keeper: "Dedi Kurniawan"}
	for i := range n {
		l.Entries = append(l.Entries, LogEntry{
			Time:      day.Add(8*time.Hour + time.Duration(i*3)*time.Minute),
			Tracking:  fmt.Sprintf("20261124-%06X", 0xA10000+i*37),
			Service:   logServices[i%len(logServices)],
			Applicant: fmt.Sprintf("Pemohon Nomor %03d", i+1),
			NIK:       fmt.Sprintf("32990115038%05d", i+1),
			Officer:   []string{"Dedi Kurniawan", "Rina Marlina"}[i%2],
			Step:      []string{"Diterima", "Verifikasi", "Diserahkan ke Dinas"}[i%3],
			Note:      []string{"", "Berkas lengkap", "Menunggu surat keterangan kehilangan dari kepolisian"}[i%3],
		})
	}
	return l
}

func sampleKK() KKData {
	return KKData{
		Number:   "3299012411260001",
		HeadName: "Ahmad Hidayat",
		Address: KKAddress{Street: "Kp. Babakan Sirna No. 17", RT: "003", RW: "005",
			Village: "Sukamulya", District: "Cibadak", Regency: "Kabupaten Sukamaju",
			Province: "Jawa Barat", PostalCode: "43351"},
		Members: []KKMember{
			member("3299011503850001", "Ahmad Hidayat", "LAKI-LAKI", "Sukamaju", "1985-03-15",
				"SLTA/Sederajat", "Wiraswasta", "KAWIN", "KEPALA KELUARGA", "Karta", "Empon"),
			member("3299014907880002", "Siti Nurhaliza", "PEREMPUAN", "Cianjur", "1988-07-09",
				"Diploma III", "Mengurus Rumah Tangga", "KAWIN", "ISTRI", "Usman", "Aisyah"),
			member("3299010501120003", "Muhammad Rizky Hidayat", "LAKI-LAKI", "Sukamaju", "2012-01-05",
				"SLTP/Sederajat", "Pelajar/Mahasiswa", "BELUM KAWIN", "ANAK", "Ahmad Hidayat", "Siti Nurhaliza"),
			member("3299016110150001", "Nur Aini Putri", "PEREMPUAN", "Sukamaju", "2015-10-21",
				"Belum Tamat SD/Sederajat", "Pelajar/Mahasiswa", "BELUM KAWIN", "ANAK", "Ahmad Hidayat", "Siti Nurhaliza"),
		},
		IssueDate:  "2026-11-24",
		IssuePlace: "Sukamaju",
		Signatory: Official{Name: "Drs. H. Bambang Supriyadi, M.Si.", NIP: "196805121994031007",
			Position: "Kepala Dinas Kependudukan dan Pencatatan Sipil Kabupaten Sukamaju"},
	}
}

// bigKK is sampleKK grown to the most members a KK may list.
func bigKK() KKData {
	data := sampleKK()
	for i := 0; len(data.Members) < maxMembers; i++ {
		m := data.Members[2]
		m.NIK = fmt.Sprintf("32990105011201%02d", i)
		m.Name = fmt.Sprintf("Anggota Keluarga Tambahan %02d", i+1)
		data.Members = append(data.Members, m)
	}
	return data
}

func member(nik, name, sex, place, born, edu, job, marital, rel, father, mother string) KKMember {
	return KKMember{NIK: nik, Name: name, Sex: sex, BirthPlace: place, BirthDate: born,
		Religion: "ISLAM", Education: edu, Occupation: job, MaritalStatus: marital,
		Relationship: rel, Citizenship: "WNI", FatherName: father, MotherName: mother}
}

// testKey derives a fixed ed25519 key from name.
func testKey(t testing.TB, name string) (crypto.PrivKey, peer.ID) {
	t.Helper()
	seed := sha256.Sum256([]byte(name))
	priv, err := crypto.UnmarshalEd25519PrivateKey(ed25519.NewKeyFromSeed(seed[:]))
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return priv, id
}

func signedKK(t testing.TB) (KKData, Seal, peer.ID) {
	t.Helper()
	priv, id := testKey(t, "dinas-cluster")
	data := sampleKK()
	seal, err := SignKK(data, priv)
	if err != nil {
		t.Fatal(err)
	}
	return data, seal, id
}

var pageRE = regexp.MustCompile(`/Type /Page\b[^s]`)

// checkPDF checks the envelope of a PDF and returns its page count.
func checkPDF(t *testing.T, b []byte) int {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-")) {
		t.Fatalf("does not start with %%PDF-: %q", b[:min(len(b), 16)])
	}
	if !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		t.Fatalf("does not end with %%%%EOF")
	}
	return len(pageRE.FindAll(b, -1))
}

var streamRE = regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`)

// pdfText returns the PDF's content streams, inflated where compressed.
func pdfText(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	for _, m := range streamRE.FindAllSubmatch(b, -1) {
		r, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			out.Write(m[1])
			continue
		}
		if _, err := io.Copy(&out, r); err != nil {
			t.Fatalf("inflating stream: %v", err)
		}
	}
	return out.String()
}
