package form

import (
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	const bad = "nomor WA harus diawali 08 dan terdiri dari 10–13 digit"
	tests := []struct{ name, in, want, msg string }{
		{"plain 12 digits", "081234567890", "081234567890", ""},
		{"shortest 10", "0812345678", "0812345678", ""},
		{"longest 13", "0812345678901", "0812345678901", ""},
		{"+62", "+6281234567890", "081234567890", ""},
		{"62", "6281234567890", "081234567890", ""},
		{"+62 spaced and dashed", "+62 812-3456-7890", "081234567890", ""},
		{"62 spaced", "62 812 3456 7890", "081234567890", ""},
		{"08 dashed", "0812-3456-7890", "081234567890", ""},
		{"surrounding and nbsp", " 0812\u00a03456\u00a07890 \n", "081234567890", ""},
		{"empty", "", "", "nomor WA wajib diisi"},
		{"only separators", " - - ", "", "nomor WA wajib diisi"},
		{"9 digits", "081234567", "", bad},
		{"14 digits", "08123456789012", "", bad},
		{"+62 longest 13", "+62812345678901", "0812345678901", ""},
		{"+62 too long", "+628123456789012", "", bad},
		{"+62 too short", "+62812345", "", bad},
		{"landline 021", "0215551234", "", bad},
		{"+62 landline", "+62215551234", "", bad},
		{"missing leading 0", "81234567890", "", bad},
		{"+620 prefix", "+62081234567890", "", bad},
		{"+08", "+081234567890", "", bad},
		{"0062", "006281234567890", "", bad},
		{"letters", "08123abc5678", "", bad},
		{"parentheses", "(0812)34567890", "", bad},
		{"dots", "0812.3456.7890", "", bad},
		{"full-width digits", "０８１２３４５６７８９０", "", bad},
		{"+ in middle", "08+1234567890", "", bad},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NormalizePhone(tc.in)
			if tc.msg != "" {
				if err == nil {
					t.Fatalf("NormalizePhone(%q) = %q, want error", tc.in, got)
				}
				checkFieldErr(t, err, "whatsapp", tc.msg)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestValidName(t *testing.T) {
	const chars = "hanya boleh berisi huruf, spasi, dan tanda . ' , -"
	const length = "harus terdiri dari 2–100 karakter"
	tests := []struct{ name, in, want, msg string }{
		{"simple", "Siti Nurhaliza", "Siti Nurhaliza", ""},
		{"trimmed", "  Ahmad Dhani \n", "Ahmad Dhani", ""},
		{"punctuation", "Muh. Ali-Rahman, S.Kom.", "Muh. Ali-Rahman, S.Kom.", ""},
		{"apostrophe", "Ma'ruf", "Ma'ruf", ""},
		{"single word", "Soekarno", "Soekarno", ""},
		{"two letters", "Al", "Al", ""},
		{"unicode letters", "José Ñúñez", "José Ñúñez", ""},
		{"vietnamese", "Nguyễn Văn An", "Nguyễn Văn An", ""},
		{"decomposed accent", "Jose\u0301", "Jose\u0301", ""},
		{"100 runes", strings.Repeat("é", 100), strings.Repeat("é", 100), ""},
		{"empty", "", "", "wajib diisi"},
		{"only spaces", "   ", "", "wajib diisi"},
		{"one letter", "A", "", length},
		{"101 runes", strings.Repeat("a", 101), "", length},
		{"digits", "Budi123", "", chars},
		{"tab", "Budi\tSantoso", "", chars},
		{"newline", "Budi\nSantoso", "", chars},
		{"at sign", "budi@mail", "", chars},
		{"html", "<b>Budi</b>", "", chars},
		{"curly apostrophe", "Ma’ruf", "", chars},
		{"leading mark", "\u0301abc", "", chars},
		{"mark after space", "ab \u0301c", "", chars},
		{"no letters", "..-", "", "harus mengandung huruf"},
		{"invalid utf-8", "Bu\xffdi", "", "mengandung karakter yang tidak valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidName("nama", tc.in)
			if tc.msg != "" {
				if err == nil {
					t.Fatalf("ValidName(%q) = %q, want error", tc.in, got)
				}
				checkFieldErr(t, err, "nama", tc.msg)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ValidName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestValidText(t *testing.T) {
	tests := []struct{ name, in, want, msg string }{
		{"simple", "Nama ibu salah ketik", "Nama ibu salah ketik", ""},
		{"multi-line", "baris satu\nbaris dua", "baris satu\nbaris dua", ""},
		{"CRLF normalised", "baris satu\r\nbaris dua\r\n", "baris satu\nbaris dua", ""},
		{"lone CR normalised", "baris satu\rbaris dua", "baris satu\nbaris dua", ""},
		{"trimmed", "  \n tanggal lahir salah \n\n", "tanggal lahir salah", ""},
		{"exactly 5", "abcde", "abcde", ""},
		{"1000 runes", strings.Repeat("é", 1000), strings.Repeat("é", 1000), ""},
		{"empty", "", "", "wajib diisi"},
		{"only whitespace", " \r\n\t ", "", "wajib diisi"},
		{"too short", "abcd", "", "minimal 5 karakter"},
		{"too short after trim", "   abcd   ", "", "minimal 5 karakter"},
		{"1001 runes", strings.Repeat("é", 1001), "", "maksimal 1000 karakter"},
		{"tab", "kolom\tsatu", "", "tidak boleh mengandung karakter kontrol"},
		{"NUL", "abc\x00def", "", "tidak boleh mengandung karakter kontrol"},
		{"DEL", "abc\x7fdef", "", "tidak boleh mengandung karakter kontrol"},
		{"ANSI escape", "\x1b[31mmerah", "", "tidak boleh mengandung karakter kontrol"},
		{"C1 NEL inside", "abc\u0085def", "", "tidak boleh mengandung karakter kontrol"},
		{"invalid utf-8", "abc\xffdef", "", "mengandung karakter yang tidak valid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ValidText("permasalahan", tc.in, 5, 1000)
			if tc.msg != "" {
				if err == nil {
					t.Fatalf("ValidText(%q) = %q, want error", tc.in, got)
				}
				checkFieldErr(t, err, "permasalahan", tc.msg)
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ValidText(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
