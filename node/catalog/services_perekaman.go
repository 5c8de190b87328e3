package catalog

import "github.com/sinkron-id/sinkron/replication/roster"

// Seed 004 §1–5: recording of residents already in the database (by static
// on-line, static off-line and mobile devices), and biodata registration
// for residents not yet in it. The SOP gives no time standards here.

func perekamanKTPEl() Service {
	return Service{
		Name:   "perekaman-ktp-el",
		Title:  "Perekaman KTP-el (Data Sudah Terdaftar dalam Database Kependudukan)",
		Source: "004 §1–3",
		Description: "Perekaman pas photo, tanda tangan, sidik jari dan iris mata bagi penduduk yang datanya " +
			"sudah terdaftar dalam database kependudukan. Jika ada perubahan data, mengikuti SOP perubahan data.",
		Form: Form{Fields: []Field{
			name("nama_pemohon", "Nama Pemohon"),
			field("nik", "NIK Pemohon", FieldNIK),
			field("kk", "Nomor Kartu Keluarga", FieldKK).optional(), // the SOP takes a KK or an old KTP
			whatsapp(),
		}},
		Documents: []Document{
			formulirPermohonan(),
			photo("fotokopi_kk_atau_ktp", "Fotokopi KK atau fotokopi KTP non elektronik"),
		},
		Paths: []Path{
			{
				Name:   "statis-online",
				Title:  "Pelayanan perekaman KTP-el menggunakan perangkat statis yang on-line",
				Source: "004 §1",
				Start:  Kecamatan,
				Steps: perekamanStatis(step(7, "validasi-perekaman", OperatorKecamatan, Kecamatan, est(10*minute),
					"Operator memvalidasi hasil perekaman dengan sidik jari, operator memastikan hasil perekaman tersimpan "+
						"dalam server, operator menyerahkan berkas kepada petugas pendukung").waits(DecisionDedup)),
			},
			{
				Name:    "statis-offline",
				Title:   "Pelayanan perekaman KTP-el menggunakan perangkat statis yang off-line",
				Source:  "004 §2",
				Start:   Kecamatan,
				Offline: true,
				Steps: perekamanStatis(step(7, "validasi-backup-perekaman", OperatorKecamatan, Kecamatan, est(15*minute),
					"Operator memvalidasi hasil perekaman dengan sidik jari, operator membackup data perekaman untuk "+
						"dikirimkan ke Pusat Data melalui Server AFIS di Kec/Dinas yang online, operator menyerahkan berkas "+
						"kepada petugas pendukung").input(InputBundle).waits(DecisionDedup)),
			},
			{
				// The mobile unit has no counter officer: the operator
				// takes the file. Its data leave by backup, as off-line.
				Name:    "mobile",
				Title:   "Pelayanan Perekaman KTP-el Menggunakan Perangkat Mobile",
				Source:  "004 §3",
				Start:   Mobile,
				Offline: true,
				Steps: []Step{
					resident(1, "menyerahkan-berkas", Mobile, est(10*minute),
						"Mengisi Formulir Permohonan, membawa fotokopi KK atau fotokopi KTP non elektronik, menyerahkan berkas: "+
							"Formulir Permohonan, Fotokopi KK atau Fotokopi KTP non elektronik"),
					step(2, "verifikasi-berkas", OperatorMobile, Mobile, est(10*minute),
						"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian").logbook(),
					step(3, "perekaman-biometrik", OperatorMobile, Mobile, est(15*minute),
						"Operator membuka dan membacakan data penduduk, operator merekam Pas Photo, tanda tangan, "+
							"sidik jari dan iris mata penduduk").input(InputISOTemplate),
					verifikasiTelunjuk(4, OperatorMobile, Mobile),
					step(5, "validasi-perekaman", OperatorMobile, Mobile, est(5*minute),
						"Operator memvalidasi hasil perekaman dengan sidik jari").waits(DecisionDedup),
					step(6, "backup-perekaman", OperatorMobile, Mobile, est(15*minute),
						"Operator membackup data perekaman untuk dikirimkan ke Pusat Data melalui Server AFIS "+
							"di Kec/Dinas yang online").input(InputBundle),
					step(7, "arsip-bukti-perekaman", OperatorMobile, Mobile, est(5*minute),
						"Mengarsipkan berkas, memberikan bukti perekaman kepada penduduk").archive().gives(OutBuktiPerekaman),
				},
			},
		},
	}
}

// perekamanStatis is the static-device flow of §1 and §2; they differ only
// in box 7.
func perekamanStatis(box7 Step) []Step {
	return []Step{
		resident(1, "mengisi-formulir", Kecamatan, est(10*minute),
			"Mengisi Formulir Permohonan, membawa fotokopi KK atau fotokopi KTP non elektronik"),
		resident(2, "menyerahkan-berkas", Kecamatan, est(5*minute),
			"Menyerahkan berkas ke Petugas Pendukung Pelayanan: Formulir Permohonan, Fotokopi KK atau Fotokopi KTP non elektronik"),
		step(3, "verifikasi-berkas", PetugasPendukung, Kecamatan, est(10*minute),
			"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian").logbook(),
		step(4, "menerima-berkas", OperatorKecamatan, Kecamatan, est(5*minute),
			"Menerima berkas dari Petugas Pendukung Pelayanan"),
		step(5, "perekaman-biometrik", OperatorKecamatan, Kecamatan, est(15*minute),
			"Operator membuka dan membacakan data penduduk, operator merekam Pas Photo, tanda tangan, "+
				"sidik jari dan iris mata penduduk").input(InputISOTemplate),
		verifikasiTelunjuk(6, OperatorKecamatan, Kecamatan),
		box7,
		step(8, "arsip-bukti-perekaman", PetugasPendukung, Kecamatan, est(5*minute),
			"Mengarsipkan berkas, memberikan bukti perekaman kepada penduduk").archive().gives(OutBuktiPerekaman),
	}
}

// verifikasiTelunjuk is the 1:1 check of both index fingers and the
// resident's electronic statement, a box of every recording flow.
func verifikasiTelunjuk(no int, r Role, k roster.Role) Step {
	return step(no, "verifikasi-telunjuk", r, k, est(5*minute),
		"Operator memverifikasi data telunjuk jari kiri dan kanan penduduk, penduduk menandatangani "+
			"pernyataan kebenaran data secara elektronik").input(InputISOTemplate)
}

func ktpElBaru() Service {
	return Service{
		Name:   "ktp-el-baru",
		Title:  "Penerbitan KTP-el bagi Penduduk yang Belum Melakukan Perekaman dan Tidak Terdaftar dalam Database Kependudukan",
		Source: "004 §4–5",
		Description: "Pencatatan biodata penduduk yang belum terdaftar dalam database kependudukan, " +
			"dilanjutkan dengan perekaman KTP-el.",
		Form: Form{Fields: biodata()},
		Documents: []Document{
			kept("formulir_permohonan_biodata", "Formulir permohonan pencatatan biodata dari desa/kelurahan").
				uploaded().only("online"),
			kept("formulir_biodata", "Formulir Biodata Penduduk yang telah ditandatangani Penduduk dan Kepala Desa/Lurah").uploaded(),
			photo("bukti_kelahiran", "Fotokopi Akta Kelahiran atau fotokopi Ijazah yang dimiliki atau "+
				"Surat keterangan dari Kepala Suku/Adat Setempat"),
			photo("bukti_perkawinan", "Fotokopi Buku Nikah/Akte kawin atau fotokopi Akta Perceraian").
				when("status_perkawinan", pernahKawin()...),
		},
		Paths: []Path{baruOnline(), baruOffline()},
	}
}

// baruOnline is §4. The transcript shows boxes 1–6 and 8; box 7 is lost.
func baruOnline() Path {
	return Path{
		Name:   "online",
		Title:  "Pencatatan Biodata Penduduk Melalui Pelayanan SIAK yang sudah tersambung (on-line)",
		Source: "004 §4",
		Start:  Kecamatan,
		Steps: []Step{
			resident(1, "membawa-berkas", Kecamatan, est(5*minute),
				"Membawa berkas: Formulir permohonan pencatatan biodata dari desa/kelurahan, Formulir Biodata Penduduk "+
					"yang telah ditandatangani Penduduk dan Kepala Desa/Lurah, Fotokopi Akta Kelahiran atau fotokopi Ijazah "+
					"yang dimiliki atau Surat keterangan dari Kepala Suku/Adat Setempat, Fotokopi Buku Nikah/Akte kawin "+
					"atau fotokopi Akta Perceraian"),
			step(2, "verifikasi-berkas", PetugasPendukung, Kecamatan, est(15*minute),
				"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, "+
					"memberikan salinan permohonan kepada penduduk").logbook().gives(OutSalinan),
			step(3, "pencatatan-biodata", OperatorKecamatan, Kecamatan, est(30*minute),
				"Menerima berkas dari Petugas Pendukung Pelayanan, merekam hasil pengisian Formulir Biodata Penduduk "+
					"menggunakan aplikasi SIAK, memastikan datanya terkirim ke server Database Kependudukan Kabupaten/Kota").
				waits(DecisionNIK).changes(EffectRegisterResident),
			step(4, "perekaman-biometrik", OperatorKecamatan, Kecamatan, est(15*minute),
				"Operator membuka dan membacakan data penduduk melalui Aplikasi AFIS, operator merekam Pas Photo, "+
					"tanda tangan, sidik jari dan iris mata penduduk").input(InputISOTemplate),
			verifikasiTelunjuk(5, OperatorKecamatan, Kecamatan),
			step(6, "validasi-perekaman", OperatorKecamatan, Kecamatan, est(10*minute),
				"Operator memvalidasi hasil perekaman dengan sidik jari, operator memastikan hasil perekaman tersimpan "+
					"dalam server, operator menyerahkan berkas kepada petugas pendukung").waits(DecisionDedup),
			step(8, "arsip-bukti-perekaman", PetugasPendukung, Kecamatan, est(5*minute),
				"Mengarsipkan berkas, memberikan bukti perekaman kepada penduduk").archive().gives(OutBuktiPerekaman),
		},
	}
}

// baruOffline is §5: the kecamatan cannot reach SIAK, so the dinas records
// the biodata and prints the KK; the resident then goes to recording.
func baruOffline() Path {
	return Path{
		Name:    "offline",
		Title:   "Pelayanan Pencatatan Biodata Penduduk Melalui Pelayanan SIAK yang belum tersambung (off-line)",
		Source:  "004 §5",
		Start:   Kecamatan,
		Offline: true,
		Next:    "perekaman-ktp-el",
		Steps: []Step{
			resident(1, "menyerahkan-berkas", Kecamatan, est(5*minute),
				"Membawa dan menyerahkan berkas: Formulir Biodata Penduduk yang telah ditandatangani Penduduk dan "+
					"Kepala Desa/Lurah, Fotokopi Akta Kelahiran atau Fotokopi Ijazah yang dimiliki, Fotokopi Buku Nikah/"+
					"Akte kawin atau Fotokopi Akta Perceraian atau Surat keterangan dari Kepala Suku/Adat Setempat"),
			step(2, "verifikasi-berkas", PetugasPendukung, Kecamatan, est(15*minute),
				"Menerima berkas, memverifikasi & memvalidasi, mencatat dalam buku harian, mengirimkan berkas ke "+
					"Petugas Pendukung Pelayanan Dinas, memberikan salinan permohonan ke penduduk").
				logbook().gives(OutSalinan).to(Dinas),
			step(3, "verifikasi-berkas-dinas", PetugasPendukung, Dinas, est(day),
				"Menerima berkas dari Petugas Pendukung Pelayanan Kecamatan, memverifikasi & memvalidasi, "+
					"mencatat dalam buku harian, menyerahkan berkas ke operator Dinas").logbook(),
			step(4, "pencatatan-biodata-cetak-kk", OperatorDinas, Dinas, est(hour),
				"Menerima berkas dari Petugas Pendukung Pelayanan, merekam hasil pengisian Formulir Biodata Penduduk "+
					"menggunakan aplikasi SIAK, mencetak Kartu Keluarga (KK), menyerahkan berkas dan KK ke Petugas "+
					"Pendukung Pelayanan, melaporkan kepada ADB untuk melakukan SOP Penyiapan Database Kependudukan").
				waits(DecisionNIK).gives(OutKK).changes(EffectRegisterResident),
			step(5, "tte-kk", PetugasPendukung, Dinas, est(day),
				"Memproses penandatanganan dan stempel KK, mengirimkan berkas dan KK ke Kecamatan").
				gives(OutKKTTE).to(Kecamatan),
			step(6, "kk-diterima-kecamatan", PetugasPendukung, Kecamatan, est(day),
				"Menerima KK dari Dinas Dukcapil, menginformasikan kepada penduduk bahwa sudah bisa melakukan "+
					"perekaman KTP-el").gives(OutPemberitahuan),
			resident(7, "pengambilan-kk", Kecamatan, est(7*day),
				"Menerima KK dari Petugas Kecamatan, melanjutkan ke tahapan perekaman KTP-el"),
		},
	}
}
