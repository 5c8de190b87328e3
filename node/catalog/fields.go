package catalog

// Field groups shared by several service forms.

// applicant identifies a resident already in the database.
func applicant() []Field {
	return []Field{
		name("nama_pemohon", "Nama Pemohon"),
		field("nik", "NIK Pemohon", FieldNIK),
		field("kk", "Nomor Kartu Keluarga", FieldKK),
	}
}

// whatsapp is the number the resident is told on; optional except where
// the SOP asks for it.
func whatsapp() Field {
	return field("whatsapp", "Nomor WA Pemohon", FieldPhone).optional()
}

// Choices as the KTP-el and KK print them (functions, so no list is shared).
func jenisKelamin() []string  { return []string{"Laki-laki", "Perempuan"} }
func golonganDarah() []string { return []string{"A", "B", "AB", "O", "Tidak Tahu"} }
func pernahKawin() []string   { return []string{"Kawin", "Cerai Hidup", "Cerai Mati"} }

func agama() []string {
	return []string{"Islam", "Kristen", "Katolik", "Hindu", "Buddha", "Khonghucu", "Kepercayaan terhadap Tuhan YME"}
}

func statusPerkawinan() []string { return append([]string{"Belum Kawin"}, pernahKawin()...) }

func hubunganKeluarga() []string {
	return []string{"Kepala Keluarga", "Suami", "Istri", "Anak", "Menantu", "Cucu", "Orang Tua", "Mertua", "Famili Lain", "Lainnya"}
}

// address is an address down to RT/RW, as on the KK.
func address(prefix, what string) []Field {
	return []Field{
		text(prefix+"alamat", "Alamat"+what, 100),
		number(prefix+"rt", "RT"+what, 3),
		number(prefix+"rw", "RW"+what, 3),
		text(prefix+"desa_kelurahan", "Desa/Kelurahan"+what, 60),
		text(prefix+"kecamatan", "Kecamatan"+what, 60),
	}
}

// biodata is the Formulir Biodata Penduduk of a resident not yet in the
// database (004 §4–5): everything the KTP-el and the KK print.
func biodata() []Field {
	return fields([]Field{
		name("nama_lengkap", "Nama Lengkap"),
		text("tempat_lahir", "Tempat Lahir", 60),
		field("tanggal_lahir", "Tanggal Lahir", FieldDate),
		choice("jenis_kelamin", "Jenis Kelamin", jenisKelamin()...),
		choice("golongan_darah", "Golongan Darah", golonganDarah()...).optional(),
		choice("agama", "Agama", agama()...),
		choice("status_perkawinan", "Status Perkawinan", statusPerkawinan()...),
		text("pekerjaan", "Pekerjaan", 60),
		choice("kewarganegaraan", "Kewarganegaraan", "WNI", "WNA"),
		name("nama_ibu", "Nama Ibu Kandung").optional(), // on the KK, not the KTP-el; institutions check it
	}, address("", ""), []Field{
		field("kk", "Nomor KK (bila bergabung ke KK yang ada)", FieldKK).optional(),
		choice("hubungan_keluarga", "Hubungan dalam Keluarga", hubunganKeluarga()...),
		whatsapp(),
	})
}
