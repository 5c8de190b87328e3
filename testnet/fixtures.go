package testnet

import (
	"bytes"
	"image"
	"image/color"
	"image/png"

	"github.com/sinkron-id/sinkron/node/request"
)

// Photo returns a small valid PNG, distinct per seed, for uploads.
func Photo(seed int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 120, 120))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + seed)
	}
	img.Set(0, 0, color.RGBA{byte(seed), byte(seed >> 8), 1, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// SampleForm is a valid Sinkronisasi Data form for a resident.
func SampleForm(seed int) request.Form {
	return request.Form{
		ApplicantName: "Siti Aminah",
		NIK:           "1806015708900003", // 17-08-1990, female (+40)
		KK:            "1806010101150007",
		Problem:       "NIK tidak ditemukan di BPJS Kesehatan",
		WhatsApp:      "081234567890",
		Channel:       1,
		Officer:       "Rina (petugas pendukung)",
		Documents: []request.Upload{
			{Kind: request.DocKK, Content: Photo(seed)},
			{Kind: request.DocKTPEl, Content: Photo(seed + 1000)},
		},
	}
}
