package web

import (
	"bytes"
	"errors"
	"mime/multipart"
	"testing"
)

// upload makes a parsed form's file header for content.
func upload(t *testing.T, content []byte) *multipart.FileHeader {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("foto", "foto.png")
	fw.Write(content)
	mw.Close()
	form, err := multipart.NewReader(&body, mw.Boundary()).ReadForm(1 << 20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { form.RemoveAll() })
	return form.File["foto"][0]
}

func TestReadUpload(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		max  int64
		want error
	}{
		{"within the limit", 1000, 1 << 20, nil},
		{"exactly the limit", 1 << 20, 1 << 20, nil},
		{"over the limit", 1<<20 + 1, 1 << 20, ErrTooLarge},
	} {
		b, err := ReadUpload(upload(t, bytes.Repeat([]byte{7}, tc.size)), tc.max)
		if !errors.Is(err, tc.want) || err == nil && len(b) != tc.size {
			t.Errorf("%s: %d bytes, %v; want %v", tc.name, len(b), err, tc.want)
		}
	}
	fh := upload(t, bytes.Repeat([]byte{7}, 2<<20))
	fh.Size = 10 // a header that understates the file
	if _, err := ReadUpload(fh, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("understated size: %v", err)
	}
}
