package outbox

import "fmt"

// Meta's error codes as officers read them. The Cloud API reports them in
// a send's error answer and in failed status webhooks.

// permanentCodes are failures resending the same message cannot fix.
var permanentCodes = map[int]bool{
	131026: true, // not a WhatsApp user, terms not accepted, old client
	131021: true, // recipient is the sender
	131050: true, // the user stopped marketing messages
	131051: true, // unsupported message type
	132000: true, // template parameter count mismatch
	132001: true, // template does not exist in this language
	132005: true, // translated text too long
	132007: true, // template format policy
	132012: true, // parameter format mismatch
	132015: true, // template paused
	132016: true, // template disabled
	132018: true, // parameter with newline, tab or many spaces
}

var reasons = map[int]string{
	131026: "nomor ini tidak dapat menerima pesan WhatsApp (bukan pengguna WhatsApp, belum menyetujui ketentuan WhatsApp, atau aplikasinya terlalu lama); hubungi warga dengan cara lain",
	131021: "nomor penerima sama dengan nomor pengirim",
	131047: "lebih dari 24 jam sejak pesan terakhir warga: hanya pesan template yang dapat dikirim",
	131049: "Meta menahan pesan ini untuk menjaga keterlibatan pengguna; kirim ulang nanti",
	131050: "warga telah berhenti menerima pesan dari nomor ini",
	131051: "jenis pesan tidak didukung",
	131052: "media dari warga tidak dapat diunduh",
	131053: "media tidak dapat diunggah",
	131000: "kesalahan pada layanan WhatsApp; kirim ulang nanti",
	131016: "layanan WhatsApp sedang tidak tersedia; kirim ulang nanti",
	130429: "batas kecepatan kirim tercapai; kirim ulang nanti",
	131056: "terlalu banyak pesan ke nomor ini dalam waktu singkat; kirim ulang nanti",
	131042: "masalah pembayaran akun WhatsApp Business dinas",
	131031: "akun WhatsApp Business dinas dikunci",
	368:    "akun WhatsApp Business dinas dibatasi sementara karena pelanggaran kebijakan",
	132000: "jumlah parameter tidak sesuai dengan template yang disetujui",
	132001: "template tidak ada atau belum disetujui dalam bahasa ini",
	132005: "teks template terlalu panjang",
	132007: "isi template melanggar kebijakan format",
	132012: "format parameter tidak sesuai dengan template",
	132015: "template dijeda oleh Meta karena kualitasnya rendah",
	132016: "template dinonaktifkan oleh Meta",
	132018: "parameter template berisi baris baru, tab, atau terlalu banyak spasi",
}

// Reason is the officer's sentence for Meta's error code; title is Meta's
// own (English) title, kept for a code this table does not know.
func Reason(code int, title string) string {
	if r, ok := reasons[code]; ok {
		return fmt.Sprintf("%s (kode %d)", r, code)
	}
	if title != "" {
		return fmt.Sprintf("pesan gagal terkirim (kode %d: %s)", code, truncate(title, 200))
	}
	return fmt.Sprintf("pesan gagal terkirim (kode %d)", code)
}
