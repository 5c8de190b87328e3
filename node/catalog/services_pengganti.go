package catalog

import "github.com/sinkron-id/sinkron/replication/roster"

// Seed 004 §6–14: replacement KTP-el (KTP-el pengganti). Path A is taken at
// the kecamatan, which hands the file to the dinas and gets the card back
// through distribution (§22); path B is served entirely at the dinas. The
// SOP gives no time standards here. The dinas operator's box both changes
// data (a consolidated change) and prints the card (an IssueCard decision
// and a printed-card record).

// penggantiForm is the applicant block, the service's own fields, and WA.
func penggantiForm(own ...Field) Form {
	return Form{Fields: fields(applicant(), own, []Field{whatsapp()})}
}

// Steps shared by the A and B paths, with the SOP's words.

func kepalaSeksi(no int) Step {
	return step(no, "pemeriksaan-kepala-seksi", KepalaSeksi, Dinas, est(30*minute),
		"Meneliti dan mencocokan hasil cetakan KTP-el dengan berkas, menyerahkan KTP-el dan berkas kepada "+
			"Petugas Pendukung Pelayanan")
}

func verifikasiKecamatan(no int, dinas string) Step {
	return step(no, "verifikasi-berkas", PetugasPendukung, Kecamatan, est(15*minute),
		"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, menyampaikan ke "+dinas+
			", memberikan salinan permohonan ke penduduk").logbook().gives(OutSalinan).to(Dinas)
}

func verifikasiDinas(no int) Step {
	return step(no, "verifikasi-berkas-dinas", PetugasPendukung, Dinas, est(day),
		"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, "+
			"menyampaikan berkas ke Operator Dinas").logbook()
}

func verifikasiLoket(no int) Step {
	return step(no, "verifikasi-berkas", PetugasPendukung, Dinas, est(15*minute),
		"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian").logbook()
}

func cetakKTPEl(no int, title string, waits ...Decision) Step {
	return step(no, "cetak-ktp-el", OperatorDinas, Dinas, est(hour), title).
		waits(append(waits, DecisionKartu)...).input(InputPrintedCard).gives(OutKTPEl)
}

// cetakUlangRekam is the B-path operator box of §8, §10 and §12, which
// re-records the photo and/or signature before printing.
func cetakUlangRekam(no int) Step {
	st := cetakKTPEl(no, "Menerima berkas dari Petugas Pendukung, merekam ulang Photo dan/atau Tanda Tangan, "+
		"mencetak KTP-el, verifikasi data dalam Chip, menyerahkan berkas dan KTP-el ke Kepala Seksi")
	st.Inputs = append([]Input{InputISOTemplate}, st.Inputs...) // recording comes before printing
	return st
}

func keDistribusi(no int) Step {
	return step(no, "penyerahan-distribusi", PetugasPendukung, Dinas, est(30*minute),
		"Menyerahkan KTP-el ke Petugas Pendistribusian KTP-el, melakukan pengarsipan").archive()
}

func diterimaKecamatan(no int, title string) Step {
	return step(no, "ktp-el-diterima-kecamatan", PetugasPendukung, Kecamatan, est(day), title).gives(OutPemberitahuan)
}

func pengambilan(no int) Step {
	return resident(no, "pengambilan-ktp-el", Kecamatan, est(7*day), "Menerima KTP-el dari Petugas Pendukung Pelayanan")
}

func penyerahanDinas(no int, title string) Step {
	return step(no, "penyerahan-ktp-el", PetugasPendukung, Dinas, est(30*minute), title).archive()
}

// bawa and serah are the applicant's two boxes: bring the file, hand it in.
func bawa(k roster.Role, berkas string) Step {
	return resident(1, "membawa-berkas", k, est(5*minute), "Membawa berkas: "+berkas)
}

func serah(k roster.Role, berkas string) Step {
	return resident(2, "menyerahkan-berkas", k, est(5*minute), "Menyerahkan berkas ke Petugas Pendukung Pelayanan: "+berkas)
}

func pathA(source string, steps ...Step) Path {
	return Path{Name: "kecamatan", Title: "A. Pelayanan di Tempat Pelayanan KTP-el Kecamatan/Kelurahan",
		Source: source, Start: Kecamatan, Steps: steps}
}

func pathB(source string, steps ...Step) Path {
	return Path{Name: "dinas", Title: "B. Pelayanan di Tempat Pelayanan KTP-el di Dinas Kabupaten/Kota",
		Source: source, Start: Dinas, Steps: steps}
}

const berkasSalahData = "KTP-el yang salah data, formulir permohonan, fotokopi dokumen pendukung lainnya"

func penggantiSalahData() Service {
	const perbaiki = "Menerima berkas dari Petugas Pendukung, memperbaiki data yang salah melalui SIAK, mencetak KTP-el, " +
		"verifikasi data dalam Chip, "
	return Service{
		Name: "ktp-el-pengganti-salah-data", Title: "Penerbitan KTP-el Pengganti (Salah Data)", Source: "004 §6–7",
		Form: penggantiForm(
			text("data_salah", "Data yang Salah pada KTP-el", 200),
			text("data_benar", "Data yang Benar", 200)),
		Documents: []Document{
			kept("ktp_el_salah", "KTP-el yang salah data"),
			formulirPermohonan(),
			photo("dokumen_pendukung", "Fotokopi dokumen pendukung lainnya"),
		},
		Paths: []Path{
			pathA("004 §6",
				bawa(Kecamatan, berkasSalahData), serah(Kecamatan, berkasSalahData),
				verifikasiKecamatan(3, "Pet. pelayanan Dinas Dukcapil Kab/Kota"),
				verifikasiDinas(4),
				cetakKTPEl(5, perbaiki+"menyerahkan berkas ke Kepala Seksi", DecisionKonsolidasi),
				kepalaSeksi(6),
				keDistribusi(7),
				distribution("KTP-el"),
				diterimaKecamatan(8, "Menerima KTP-el dari Petugas Pendistribusian KTP-el disertai Berita Acara, "+
					"menginformasikan penduduk untuk mengambil KTP-el"),
				pengambilan(9)),
			pathB("004 §7",
				bawa(Dinas, berkasSalahData), serah(Dinas, berkasSalahData),
				verifikasiLoket(3),
				cetakKTPEl(4, perbaiki+"menyerahkan berkas dan KTP-el ke Kepala Seksi", DecisionKonsolidasi),
				kepalaSeksi(5),
				penyerahanDinas(6, "Menerima berkas dan KTP-el, menyerahkan KTP-el ke Penduduk, "+
					"mengarsipkan berkas dan KTP-el yang salah")),
		},
	}
}

// penggantiSalahFoto is §8, which has no A/B split. Its flow (printing,
// the Kepala Seksi's check and the hand-over in one place) is the dinas.
func penggantiSalahFoto() Service {
	const berkas = "KTP-el yang salah, formulir permohonan, fotokopi dokumen pendukung lainnya"
	return Service{
		Name: "ktp-el-pengganti-salah-foto", Title: "Penerbitan KTP-el Pengganti (Salah Pas Photo dan/atau Tanda Tangan)",
		Source: "004 §8",
		Form: penggantiForm(
			choice("bagian_salah", "Bagian yang Salah", "Pas Photo", "Tanda Tangan", "Pas Photo dan Tanda Tangan")),
		Documents: []Document{
			kept("ktp_el_salah", "KTP-el yang salah"),
			formulirPermohonan(),
			photo("dokumen_pendukung", "Fotokopi dokumen pendukung lainnya").optional(),
		},
		Paths: []Path{
			pathB("004 §8",
				bawa(Dinas, berkas), serah(Dinas, berkas),
				verifikasiLoket(3),
				cetakUlangRekam(4),
				kepalaSeksi(5),
				penyerahanDinas(6, "Menerima berkas dan KTP-el, menyerahkan KTP-el ke Penduduk, "+
					"mengarsipkan berkas dan KTP-el yang salah")),
		},
	}
}

func penggantiRusak() Service {
	const berkas = "KTP-el yang rusak, formulir permohonan, fotokopi dokumen pendukung lainnya"
	return Service{
		Name: "ktp-el-pengganti-rusak", Title: "Penerbitan KTP-el Pengganti (Rusak Secara Fisik)", Source: "004 §9–10",
		Form: penggantiForm(text("keterangan_kerusakan", "Keterangan Kerusakan", 200).optional()),
		Documents: []Document{
			kept("ktp_el_rusak", "KTP-el yang rusak"),
			formulirPermohonan(),
			photo("dokumen_pendukung", "Fotokopi dokumen pendukung lainnya").optional(),
		},
		Paths: []Path{
			pathA("004 §9",
				bawa(Kecamatan, berkas), serah(Kecamatan, berkas),
				verifikasiKecamatan(3, "Dinas Dukcapil Kab/Kota"),
				verifikasiDinas(4),
				cetakKTPEl(5, "Menerima berkas dari Petugas Pendukung, mencetak KTP-el, verifikasi data dalam Chip, "+
					"menyerahkan berkas dan KTP-el ke Kepala Seksi"),
				kepalaSeksi(6),
				keDistribusi(7),
				distribution("KTP-el"),
				diterimaKecamatan(8, "Menerima KTP-el dari Petugas Pendistribusian KTP-el disertai Berita Acara, "+
					"menginformasikan penduduk untuk mengambil KTP-el"),
				pengambilan(9)),
			// §10's last box omits handing the card to the resident; it is
			// added as in §7, §8 and §12.
			pathB("004 §10",
				bawa(Dinas, berkas), serah(Dinas, berkas),
				verifikasiLoket(3),
				cetakUlangRekam(4),
				kepalaSeksi(5),
				penyerahanDinas(6, "Menerima berkas dan KTP-el, menyerahkan KTP-el ke Penduduk, "+
					"mengarsipkan berkas dan KTP-el yang salah")),
		},
	}
}

func penggantiHilang() Service {
	const berkasA = "Surat Keterangan Kehilangan dari Kepolisian, formulir permohonan, fotokopi dokumen pendukung lainnya"
	const berkasB = "Surat Keterangan Hilang dari Kepolisian, formulir permohonan, fotokopi dokumen pendukung lainnya"
	return Service{
		Name: "ktp-el-pengganti-hilang", Title: "Penerbitan KTP-el Pengganti (Hilang)", Source: "004 §11–12",
		Form: penggantiForm(
			text("nomor_surat_kehilangan", "Nomor Surat Keterangan Kehilangan dari Kepolisian", 60),
			field("tanggal_surat_kehilangan", "Tanggal Surat Keterangan Kehilangan", FieldDate)),
		Documents: []Document{
			kept("surat_kehilangan", "Surat Keterangan Kehilangan dari Kepolisian").uploaded(),
			formulirPermohonan(),
			photo("dokumen_pendukung", "Fotokopi dokumen pendukung lainnya").optional(),
		},
		Paths: []Path{
			pathA("004 §11",
				bawa(Kecamatan, berkasA), serah(Kecamatan, berkasA),
				verifikasiKecamatan(3, "Dinas Dukcapil Kab/Kota"),
				verifikasiDinas(4),
				cetakKTPEl(5, "Menerima berkas dari Petugas Pendukung, mencetak KTP-el, verifikasi data dalam Chip, "+
					"menyerahkan berkas ke Kepala Seksi"),
				kepalaSeksi(6),
				keDistribusi(7),
				distribution("KTP-el"),
				diterimaKecamatan(8, "Menerima KTP-el dari Petugas Pendistribusian KTP-el disertai Berita Acara, "+
					"menginformasikan kepada penduduk untuk mengambil KTP-el"),
				pengambilan(9)),
			pathB("004 §12",
				bawa(Dinas, berkasB), serah(Dinas, berkasB),
				verifikasiLoket(3),
				cetakUlangRekam(4),
				kepalaSeksi(5),
				penyerahanDinas(6, "Menerima berkas dan KTP-el, menyerahkan KTP-el ke Penduduk, "+
					"mengarsipkan berkas dan KTP-el yang salah")),
		},
	}
}

func penggantiPerubahanElemen() Service {
	const berkas = "KTP-el yang lama, formulir permohonan, fotokopi dokumen pendukung"
	const ubah = "Menerima berkas dari Petugas Pendukung, merubah data penduduk melalui SIAK, mencetak KTP-el, " +
		"verifikasi data dalam Chip, menyerahkan berkas ke Kepala Seksi"
	return Service{
		Name: "ktp-el-pengganti-perubahan-elemen", Title: "Penerbitan KTP-el Pengganti (Perubahan Elemen Data)",
		Source: "004 §13–14",
		Form: penggantiForm(
			choice("elemen_berubah", "Elemen Data yang Berubah", "Nama", "Agama", "Status Perkawinan", "Pekerjaan",
				"Golongan Darah", "Kewarganegaraan", "Lainnya"),
			text("data_baru", "Data Baru", 200)),
		Documents: []Document{
			kept("ktp_el_lama", "KTP-el yang lama"),
			formulirPermohonan(),
			photo("dokumen_pendukung", "Fotokopi dokumen pendukung"),
		},
		Paths: []Path{
			pathA("004 §13",
				bawa(Kecamatan, berkas), serah(Kecamatan, berkas),
				verifikasiKecamatan(3, "Dinas Dukcapil Kab/Kota"),
				verifikasiDinas(4),
				cetakKTPEl(5, ubah, DecisionKonsolidasi).changes(EffectChangeElement),
				kepalaSeksi(6),
				keDistribusi(7),
				distribution("KTP-el"),
				diterimaKecamatan(8, "Menerima KTP-el dari Petugas Pendistribusian KTP-el disertai Berita Acara, "+
					"menginformasikan kepada penduduk untuk mengambil KTP-el, menyerahkan KTP-el kepada penduduk "+
					"dengan tanda terima").gives(OutTandaTerima).within(est(7*day))),
			pathB("004 §14",
				bawa(Dinas, berkas), serah(Dinas, berkas),
				step(3, "verifikasi-berkas", PetugasPendukung, Dinas, est(15*minute),
					"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, "+
						"memberikan salinan permohonan ke penduduk").logbook().gives(OutSalinan),
				cetakKTPEl(4, ubah, DecisionKonsolidasi).changes(EffectChangeElement),
				kepalaSeksi(5),
				penyerahanDinas(6, "Menyerahkan KTP-el ke Penduduk dengan tanda terima, melakukan pengarsipan").
					gives(OutTandaTerima)),
		},
	}
}
