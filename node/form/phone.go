package form

import (
	"strings"
	"unicode"
)

const (
	fieldPhone    = "whatsapp"
	msgPhone      = "nomor WA harus diawali 08 dan terdiri dari 10–13 digit"
	msgPhoneEmpty = "nomor WA wajib diisi"
)

// NormalizePhone checks a WhatsApp number and returns it as an Indonesian
// mobile number "08" followed by 8..11 digits. Spaces and dashes are
// removed and a "+62" or "62" prefix becomes "0". Errors are *FieldError
// with Field "whatsapp".
func NormalizePhone(s string) (string, error) {
	n := strings.Map(func(r rune) rune {
		if r == '-' || unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	if n == "" {
		return "", fieldErr(fieldPhone, msgPhoneEmpty)
	}
	switch {
	case strings.HasPrefix(n, "+62"):
		n = "0" + n[3:]
	case strings.HasPrefix(n, "62"):
		n = "0" + n[2:]
	}
	if len(n) < 10 || len(n) > 13 || !strings.HasPrefix(n, "08") || !allDigits(n) {
		return "", fieldErr(fieldPhone, msgPhone)
	}
	return n, nil
}
