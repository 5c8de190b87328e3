package catalog

import "github.com/sinkron-id/sinkron/replication/roster"

// Seed 004 §15–18: KTP-el pengganti for a whole family (seluruh KK) that
// moves, which issues a new KK and new KTP-el. Within the kabupaten the
// arrival is taken at the kecamatan (on-line or off-line) or at the dinas;
// between kabupaten only at the dinas (seed 002: changes can be made at the
// kecamatan "kecuali pindah antar kabupaten/kota dan Provinsi"). The SOP
// gives no time standards here.

func pindahForm(own ...Field) Form {
	return Form{Fields: fields(
		[]Field{
			name("nama_pemohon", "Nama Pemohon"),
			field("nik", "NIK Pemohon", FieldNIK),
			field("kk", "Nomor KK Asal", FieldKK),
			text("nomor_surat_pindah", "Nomor Surat Keterangan Pindah", 60),
			field("tanggal_surat_pindah", "Tanggal Surat Keterangan Pindah", FieldDate),
			number("jumlah_anggota", "Jumlah Anggota Keluarga yang Pindah", 2),
		},
		own,
		address("tujuan_", " Tujuan"),
		// The new KK is numbered in the destination kecamatan's region.
		[]Field{number("kode_wilayah_tujuan", "Kode Wilayah Kecamatan Tujuan", 6), whatsapp()},
	)}
}

func pindahDocuments() []Document {
	return []Document{
		shown("ktp_el_asal", "KTP-el daerah asal"),
		kept("surat_keterangan_pindah", "Surat Keterangan Pindah").uploaded(),
		kept("formulir_kedatangan", "Formulir permohonan Kedatangan"),
	}
}

// Boxes shared by the four flows, with the SOP's words.

func bawaPindah(k roster.Role) Step {
	return resident(1, "membawa-berkas", k, est(5*minute),
		"Membawa berkas: KTP-el daerah asal, Surat Keterangan Pindah, Formulir permohonan Kedatangan")
}

func serahPindah(k roster.Role) Step {
	return resident(2, "menyerahkan-berkas", k, est(5*minute),
		"Memperlihatkan KTP-el daerah asal, menyerahkan Surat Keterangan Pindah, menyerahkan Formulir permohonan kedatangan")
}

func verifikasiDinasPindah(no int) Step {
	return step(no, "verifikasi-berkas-dinas", PetugasPendukung, Dinas, est(day),
		"Menerima berkas dari Petugas Pendukung Pelayanan Kecamatan, memverifikasi & memvalidasi, "+
			"mencatat dalam buku harian, memberikan berkas ke operator").logbook()
}

// kedatanganCetak is the dinas operator's box when the arrival is also
// processed at the dinas (§16–18).
func kedatanganCetak(no int) Step {
	return step(no, "kedatangan-cetak-kk-ktp-el", OperatorDinas, Dinas, est(hour),
		"Menerima berkas dari Petugas Pendukung, melakukan proses kedatangan melalui SIAK, mencetak KK dan KTP-el, "+
			"verifikasi data dalam Chip, menyerahkan berkas ke Kepala Seksi").
		waits(DecisionKK, DecisionKonsolidasi, DecisionKartu).input(InputPrintedCard).gives(OutKK, OutKTPEl).changes(EffectMove)
}

func tteDistribusi(no int) Step {
	return step(no, "tte-kk-penyerahan-distribusi", PetugasPendukung, Dinas, est(day),
		"Memproses penandatanganan dan stempel KK, menyerahkan KTP-el ke Petugas Pendistribusian KTP-el, "+
			"melakukan pengarsipan").gives(OutKKTTE).archive()
}

// penyerahanPindah is the kecamatan's last box. §22 box 5 adds that the
// kecamatan archives the old KTP-el and the receipt.
func penyerahanPindah(no int) Step {
	return step(no, "penyerahan-kk-ktp-el", PetugasPendukung, Kecamatan, est(7*day),
		"Menerima KK & KTP-el dari Petugas Pendistribusian KTP-el disertai Berita Acara, menginformasikan kepada "+
			"penduduk untuk mengambil KK & KTP-el, menyerahkan KK & KTP-el kepada penduduk dengan tanda terima").
		gives(OutPemberitahuan, OutTandaTerima).archive()
}

func pindahDalamKabupaten() Service {
	return Service{
		Name:   "pindah-dalam-kabupaten",
		Title:  "Penerbitan KTP-el Pengganti (Perpindahan Penduduk WNI Seluruh KK dalam 1 Kabupaten/Kota)",
		Source: "004 §15–17",
		Description: "Perpindahan penduduk WNI seluruh KK dalam/antar desa/kelurahan/kecamatan dalam 1 kabupaten/kota; " +
			"menerbitkan KK dan KTP-el baru.",
		Form: pindahForm(choice("klasifikasi_pindah", "Klasifikasi Pindah",
			"Dalam Desa/Kelurahan", "Antar Desa/Kelurahan", "Antar Kecamatan")),
		Documents: pindahDocuments(),
		Paths: []Path{pindahOnline(), pindahOffline(), pindahDiDinas("dinas",
			"C. Perpindahan Penduduk WNI Seluruh KK Dalam 1 Kabupaten/Kota di Dinas (Dalam/Antar Desa/Kelurahan/Kecamatan)",
			"004 §17")},
	}
}

func pindahAntarKabupaten() Service {
	return Service{
		Name:        "pindah-antar-kabupaten",
		Title:       "Penerbitan KTP-el Pengganti (Perpindahan Penduduk WNI antar Kabupaten/Kota)",
		Source:      "004 §18",
		Description: "Kedatangan penduduk WNI dari kabupaten/kota lain; menerbitkan KK dan KTP-el baru.",
		Form:        pindahForm(text("kabupaten_asal", "Kabupaten/Kota Asal", 60)),
		Documents:   pindahDocuments(),
		Paths:       []Path{pindahDiDinas("dinas", "B. Perpindahan Penduduk WNI antar Kabupaten/Kota", "004 §18")},
	}
}

// pindahOnline is §15: the connected kecamatan processes the arrival in
// SIAK; the dinas prints KK and KTP-el.
func pindahOnline() Path {
	return Path{
		Name:   "online",
		Title:  "A. Perpindahan Penduduk WNI Seluruh KK Dalam 1 Kabupaten/Kota Online (Dalam/Antar Desa/Kelurahan/Kecamatan)",
		Source: "004 §15",
		Start:  Kecamatan,
		Steps: []Step{
			bawaPindah(Kecamatan), serahPindah(Kecamatan),
			step(3, "verifikasi-berkas", PetugasPendukung, Kecamatan, est(15*minute),
				"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, menyampaikan ke operator").logbook(),
			step(4, "proses-kedatangan", OperatorKecamatan, Kecamatan, est(30*minute),
				"Menerima berkas, melakukan proses kedatangan melalui SIAK, menyerahkan berkas ke Petugas Pendukung Pelayanan").
				waits(DecisionKK, DecisionKonsolidasi).changes(EffectMove),
			// The SOP's box 5 reads "Memberikan …….. ke penduduk"; every other
			// box that sends a file to the dinas gives the salinan permohonan.
			step(5, "surat-kedatangan", PetugasPendukung, Kecamatan, est(15*minute),
				"Menandatangani Surat keterangan Kedatangan, menyampaikan berkas ke Dinas Dukcapil, "+
					"memberikan salinan permohonan ke penduduk").gives(OutSuratKedatangan, OutSalinan).to(Dinas),
			verifikasiDinasPindah(6),
			step(7, "cetak-kk-ktp-el", OperatorDinas, Dinas, est(hour),
				"Menerima berkas dari Petugas Pendukung, mencetak KK dan KTP-el, verifikasi data dalam Chip, "+
					"menyerahkan berkas ke Kepala Seksi").
				waits(DecisionKartu).input(InputPrintedCard).gives(OutKK, OutKTPEl),
			kepalaSeksi(8),
			tteDistribusi(9),
			distribution("KK & KTP-el"),
			penyerahanPindah(10),
		},
	}
}

// pindahOffline is §16: the kecamatan cannot reach SIAK, so the dinas
// processes the arrival too.
func pindahOffline() Path {
	return Path{
		Name:    "offline",
		Title:   "B. Perpindahan Penduduk WNI Seluruh KK Dalam 1 Kabupaten/Kota Offline (Dalam/Antar Desa/Kelurahan/Kecamatan)",
		Source:  "004 §16",
		Start:   Kecamatan,
		Offline: true,
		Steps: []Step{
			bawaPindah(Kecamatan), serahPindah(Kecamatan),
			step(3, "verifikasi-berkas", PetugasPendukung, Kecamatan, est(15*minute),
				"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, "+
					"menyampaikan ke Petugas Pendukung Pelayanan Dinas").logbook().to(Dinas),
			verifikasiDinasPindah(4),
			kedatanganCetak(5),
			kepalaSeksi(6),
			tteDistribusi(7),
			distribution("KK & KTP-el"),
			penyerahanPindah(8),
		},
	}
}

// pindahDiDinas is §17 and §18, which have the same boxes. Box 3 keeps the
// SOP's words although the file stays at the dinas. The new cards still go
// out through distribution to the kecamatan of the new address, as box 7
// says ("Menerima KK & KTP-el dari Petugas Pendistribusian ... disertai
// Berita Acara").
func pindahDiDinas(name, title, source string) Path {
	return Path{
		Name:   name,
		Title:  title,
		Source: source,
		Start:  Dinas,
		Steps: []Step{
			bawaPindah(Dinas), serahPindah(Dinas),
			step(3, "verifikasi-berkas", PetugasPendukung, Dinas, est(15*minute),
				"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, "+
					"menyampaikan ke Petugas Pendukung Pelayanan Dinas").logbook(),
			kedatanganCetak(4),
			kepalaSeksi(5),
			tteDistribusi(6),
			distribution("KK & KTP-el"),
			penyerahanPindah(7),
		},
	}
}
