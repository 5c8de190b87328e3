package console

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// FuzzPosts sends a signed-in officer's forms with arbitrary fields and
// files to each of the console's form handlers: every answer is a page
// (never a server error), and the node keeps serving.
func FuzzPosts(f *testing.F) {
	h := newOfficeHarness(f)
	b := h.kec.signIn(f, "loket")
	paths := []string{"/konsol/layanan/sinkronisasi-data", "/konsol/permohonan/X/status", "/konsol/permohonan/X/langkah",
		"/konsol/permohonan/X/konflik", "/konsol/permohonan/X/efek", "/konsol/kantor/akun", "/konsol/kantor/bundel/impor"}
	f.Add(uint8(0), "nik", "1806015708900003", "foto_kk", []byte("\x89PNG\r\n\x1a\n"))
	f.Add(uint8(1), "ke", "disetujui", "masukan-iso-template", []byte("FMR\x00 20\x00"))
	f.Add(uint8(6), "x", strings.Repeat("9", 300), "bundel", []byte("SINKRON-BUNDLE"))
	f.Fuzz(func(t *testing.T, which uint8, field, value, file string, content []byte) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("_csrf", b.csrf)
		mw.WriteField(field, value)
		if fw, err := mw.CreateFormFile(file, "berkas"); err == nil {
			fw.Write(content)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", h.kec.srv.URL+paths[int(which)%len(paths)], &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("%s answered %d", req.URL.Path, res.StatusCode)
		}
	})
}
