package conversation

// What the resident reads.
const (
	txtMenu = "Selamat datang di layanan WhatsApp Dinas Dukcapil. Balas:\n" +
		"1 untuk cek status permohonan,\n2 untuk mengajukan Sinkronisasi Data,\n" +
		"PETUGAS untuk dihubungi petugas,\nBERHENTI untuk berhenti menerima pesan."
	txtAskCode      = "Kirim kode permohonan Anda (tertulis pada tanda terima atau pesan sebelumnya)."
	txtAskNIK       = "Kirim NIK yang dipakai saat mengajukan permohonan tersebut."
	txtNotFound     = "Permohonan dengan kode dan NIK tersebut tidak ditemukan. Balas 1 untuk mencoba lagi."
	txtLimited      = "Terlalu banyak percobaan. Silakan coba lagi beberapa menit lagi."
	txtStopped      = "Anda tidak akan menerima pemberitahuan WhatsApp lagi dari Dinas Dukcapil. Status permohonan tetap dapat dicek di kantor atau halaman layanan online."
	txtCancelled    = "Pengajuan dibatalkan. Balas 2 untuk mulai lagi."
	txtExpired      = "Percakapan Anda dihentikan karena tidak ada balasan selama %d menit; isian yang belum selesai tidak disimpan. Kirim pesan apa saja untuk mulai lagi."
	txtWantPhoto    = "Kirim %s sebagai foto (gambar), bukan teks atau dokumen."
	txtPhotoFailed  = "Foto tidak dapat diunduh dari WhatsApp. Silakan kirim ulang %s."
	txtFiled        = "Permohonan Sinkronisasi Data Anda telah diterima dengan nomor %s. Simpan nomor ini untuk melacak status permohonan."
	txtFileFailed   = "Permohonan belum dapat disimpan: %s. Petugas akan menghubungi Anda."
	txtOfficer      = "Permintaan Anda sudah dicatat. Petugas Dinas Dukcapil akan menghubungi Anda."
	txtStatus       = "Permohonan %s (%s): %s. Langkah selesai %d dari %d."
	txtAskStart     = "Pengajuan Sinkronisasi Data lewat WhatsApp. Balas BATAL kapan saja untuk membatalkan.\n"
	txtAskField     = "Kirim %s."
	txtAskPhoto     = "Kirim %s sebagai foto."
	txtFieldInvalid = "%s. Silakan kirim lagi."
)
