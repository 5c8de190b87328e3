package form

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	minNameLen = 2
	maxNameLen = 100
	nameMarks  = ".',-"

	msgRequired    = "wajib diisi"
	msgBadEncoding = "mengandung karakter yang tidak valid"
	msgNameChars   = "hanya boleh berisi huruf, spasi, dan tanda . ' , -"
	msgNameLetter  = "harus mengandung huruf"
	msgControl     = "tidak boleh mengandung karakter kontrol"
)

// ValidName trims s and checks it is a person's name: 2..100 characters
// (runes) of Unicode letters, spaces and . ' , - with at least one
// letter. Combining marks are accepted after a letter, so decomposed
// accents work. It returns the trimmed name.
func ValidName(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fieldErr(field, msgBadEncoding)
	}
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", fieldErr(field, msgRequired)
	}
	if n < minNameLen || n > maxNameLen {
		return "", fieldErr(field, fmt.Sprintf("harus terdiri dari %d–%d karakter", minNameLen, maxNameLen))
	}
	if msg := checkNameRunes(s); msg != "" {
		return "", fieldErr(field, msg)
	}
	return s, nil
}

// checkNameRunes returns an error message, or "" if every rune is allowed.
func checkNameRunes(s string) string {
	hasLetter, afterLetter := false, false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			hasLetter, afterLetter = true, true
		case unicode.IsMark(r) && afterLetter:
		case r == ' ' || strings.ContainsRune(nameMarks, r):
			afterLetter = false
		default:
			return msgNameChars
		}
	}
	if !hasLetter {
		return msgNameLetter
	}
	return ""
}

// ValidText trims free text and checks it has min..max characters (runes)
// and no control characters other than newline. Browser line endings
// ("\r\n" or "\r") are normalised to "\n" first. It returns the cleaned text.
func ValidText(field, s string, min, max int) (string, error) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", fieldErr(field, msgBadEncoding)
	}
	for _, r := range s {
		if r != '\n' && unicode.IsControl(r) {
			return "", fieldErr(field, msgControl)
		}
	}
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0 && min > 0:
		return "", fieldErr(field, msgRequired)
	case n < min:
		return "", fieldErr(field, fmt.Sprintf("minimal %d karakter", min))
	case n > max:
		return "", fieldErr(field, fmt.Sprintf("maksimal %d karakter", max))
	}
	return s, nil
}
