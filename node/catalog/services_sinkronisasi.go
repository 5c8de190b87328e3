package catalog

// Seeds 000 (Petunjuk Pengajuan Layanan Sinkronisasi Data) and 001 (SOP
// 09/SOP-Disdukcapil/PIAK/2020, Penyelesaian Sinkronisasi NIK pada Data
// Warehouse). SOP 09's table lost its Pelaksana columns; the roles below
// follow its text: step 3 is the Kasi Data who orders the ADB SIAK, step 4
// the ADB SIAK; steps 2 and 5 are the counter (Staf Informasi). Step names 3
// and 4 are the processing steps seed 000 shows the resident (Konsolidasi
// Manual, Sinkronisasi DWH), as node/request names them.

func sinkronisasiData() Service {
	return Service{
		Name:   "sinkronisasi-data",
		Title:  "Sinkronisasi Data (Permasalahan Data)",
		Source: "000; 001 (SOP 09/SOP-Disdukcapil/PIAK/2020)",
		Description: "Sinkronisasi data kependudukan yang bermasalah atau belum terbaca di instansi lain " +
			"seperti BPJS, Bank, Imigrasi, Penerimaan Sekolah Kedinasan, pengurusan SIM, Pajak, dll. " +
			"Tidak menghasilkan dokumen kependudukan.",
		Form: Form{Fields: []Field{
			name("nama_pemohon", "Nama Pemohon"),
			field("nik", "NIK Pemohon", FieldNIK),
			field("kk", "Nomor Kartu Keluarga", FieldKK),
			text("permasalahan", "Permasalahan Data", 1000).atLeast(5),
			field("whatsapp", "Nomor WA Pemohon", FieldPhone), // SOP 09 step 1: Nomor HP/WA required
		}},
		Documents: []Document{
			photo("foto_kk", "Foto Kartu Keluarga Pemohon"),
			photo("foto_ktp_el", "Foto KTP-el Pemohon"),
		},
		Paths: []Path{
			{
				Name:   "dinas",
				Title:  "Pemohon datang langsung ke ruang pelayanan Dinas",
				Source: "001 (SOP 09) langkah 1–5",
				Start:  Dinas,
				Steps: append([]Step{
					resident(1, "membawa-persyaratan", Dinas, sop(5*minute),
						"Pemohon datang langsung ke ruang pelayanan dengan membawa persyaratan sinkronisasi NIK di DWH "+
							"(fotokopi KK/KTP-el, nomor HP/WA) serta menginformasikan di lembaga pengguna mana data NIK tidak sinkron").
						recordedBy(StafInformasi),
					step(2, "verifikasi-berkas", StafInformasi, Dinas, sop(5*minute),
						"Melakukan verifikasi terhadap data NIK, mencatat permasalahan sinkronisasi NIK dan "+
							"mencantumkan Nomor HP/WA pemohon pada fotokopi KK").logbook(),
				}, sinkronisasiDinas()...),
			},
			{
				// The DESIGN's "kec → dinas → DWH": the kecamatan takes the
				// request; SOP 09's counter steps and times apply there.
				Name:   "kecamatan",
				Title:  "Pengajuan di Kecamatan, diproses di Dinas",
				Source: "001 (SOP 09) langkah 1–5, diajukan di kecamatan",
				Start:  Kecamatan,
				Steps: append([]Step{
					resident(1, "membawa-persyaratan", Kecamatan, sop(5*minute),
						"Pemohon datang ke tempat pelayanan dengan membawa persyaratan sinkronisasi NIK di DWH "+
							"(fotokopi KK/KTP-el, nomor HP/WA) serta menginformasikan di lembaga pengguna mana data NIK tidak sinkron"),
					step(2, "verifikasi-berkas", PetugasPendukung, Kecamatan, sop(5*minute),
						"Melakukan verifikasi terhadap data NIK, mencatat permasalahan sinkronisasi NIK, "+
							"mencantumkan Nomor HP/WA pemohon pada fotokopi KK dan menyampaikan berkas ke Dinas Dukcapil").
						logbook().to(Dinas),
				}, sinkronisasiDinas()...),
			},
		},
	}
}

// sinkronisasiDinas is SOP 09 steps 3–5, done at the dinas on either path.
func sinkronisasiDinas() []Step {
	return []Step{
		step(3, "konsolidasi-manual", KasiData, Dinas, sop(10*minute),
			"Konsolidasi Manual: melakukan verifikasi NIK dan memerintahkan ADB SIAK untuk melakukan sinkronisasi data "+
				"pada Konsolidasi serta merekap data permohonan untuk disampaikan kepada admin Data Warehouse pusat"),
		step(4, "sinkronisasi-dwh", ADBSIAK, Dinas, sop(day),
			"Sinkronisasi DWH: melakukan sinkronisasi data NIK dan KK pada Konsolidasi serta merekap data permohonan "+
				"dan mengirimkannya secara daring kepada admin Data Warehouse pusat; selesai ketika DWH memegang data yang sudah dikonsolidasi").
			waits(DecisionKonsolidasi, DecisionDWH),
		step(5, "informasi-pemohon", StafInformasi, Dinas, sop(5*minute),
			"Menginformasikan kepada pemohon secara daring bahwa datanya sudah sinkron di DWH dan sudah bisa diakses "+
				"pada lembaga pengguna data kependudukan").gives(OutPemberitahuan),
	}
}
