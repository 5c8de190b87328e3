package console

import (
	"crypto/hmac"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/web"
)

// maxBundle bounds an uploaded bundle. It is streamed to the API as it
// arrives, never held whole, so the bound is only against a runaway post;
// a day of an office's photos fits well inside it.
const maxBundle = 4 << 30

// maxVector bounds an uploaded version vector (`sinkron vv --out`).
const maxVector = 1 << 20

func (con *Console) bundleRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /konsol/kantor/bundel", con.signedIn(con.bundles))
	mux.HandleFunc("GET /konsol/kantor/bundel/vektor.json", con.signedIn(con.vector))
	mux.HandleFunc("POST /konsol/kantor/bundel/ekspor", con.signedIn(con.exportBundle))
	mux.HandleFunc("POST /konsol/kantor/bundel/impor", con.signedInStream(con.importBundle))
}

// bundlePage offers export and import, with an import's outcome.
type bundlePage struct {
	notice
	Imported *v1.ImportBundleResponse
}

func (con *Console) bundles(w http.ResponseWriter, r *http.Request, o *officer) {
	con.render(w, r, http.StatusOK, "kantor-bundel.html", o, bundlePage{})
}

func (con *Console) showBundles(w http.ResponseWriter, r *http.Request, o *officer, status int, n notice) {
	con.render(w, r, status, "kantor-bundel.html", o, bundlePage{notice: n})
}

// vector downloads this node's version vector, the file the office that
// has the data exports against (as `sinkron vv --out` writes it).
func (con *Console) vector(w http.ResponseWriter, r *http.Request, o *officer) {
	st, err := con.api.nodes.GetStatus(r.Context(), call(o, &v1.GetStatusRequest{}))
	if err != nil {
		con.fail(w, r, o, err)
		return
	}
	b, err := protojson.Marshal(&v1.ExportBundleRequest{Since: st.Msg.VersionVector})
	if err != nil {
		con.fail(w, r, o, fmt.Errorf("version vector: %w", err))
		return
	}
	sendFile(w, "application/json", "vektor-"+slug(st.Msg.Office)+".json", b)
}

// exportBundle streams ExportBundle to the browser as a file, chunk by
// chunk: with the target's vector (optional, as the CLI's --since) and
// with or without photos (the CLI's --no-documents).
func (con *Console) exportBundle(w http.ResponseWriter, r *http.Request, o *officer) {
	req, err := sinceVector(r)
	if err != nil {
		con.showBundles(w, r, o, http.StatusUnprocessableEntity, notice{Error: err.Error()})
		return
	}
	req.IncludeDocuments = r.PostFormValue("dokumen") != ""
	s, err := con.api.nodes.ExportBundle(r.Context(), call(o, req))
	if err == nil && !s.Receive() {
		err = cmpErr(s.Err(), errors.New("the API sent no bundle"))
	}
	if err != nil {
		con.showBundles(w, r, o, outcome(err), refused(err))
		return
	}
	defer s.Close()
	name := fmt.Sprintf("sinkron-%s-%s.bundle", slug(o.Here.Name), con.now().In(o.Here.Zone).Format("20060102-1504"))
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	for ok := true; ok; ok = s.Receive() {
		if _, err := w.Write(s.Msg().Chunk); err != nil {
			return // the browser went away
		}
	}
	if err := s.Err(); err != nil {
		// The file is half sent: break the download rather than end it
		// cleanly, so the browser reports a failure, not a short bundle
		// (which the importing node would refuse anyway).
		con.log.Warn("console: bundle export broke off", "err", err)
		panic(http.ErrAbortHandler)
	}
}

// cmpErr is err, or fallback when err is nil.
func cmpErr(err, fallback error) error {
	if err != nil {
		return err
	}
	return fallback
}

// sinceVector reads the uploaded vector file, if any.
func sinceVector(r *http.Request) (*v1.ExportBundleRequest, error) {
	req := &v1.ExportBundleRequest{}
	if r.MultipartForm == nil || len(r.MultipartForm.File["sejak"]) == 0 {
		return req, nil
	}
	fh := r.MultipartForm.File["sejak"][0]
	if fh.Filename == "" && fh.Size == 0 {
		return req, nil // no file chosen
	}
	b, err := readFile(fh, maxVector)
	if err == nil {
		err = protojson.Unmarshal(b, req)
	}
	if err != nil {
		return nil, errors.New("berkas vektor versi tidak terbaca: pilih berkas dari \"Unduh vektor versi\" (atau sinkron vv --out) kantor tujuan")
	}
	return req, nil
}

func readFile(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errors.New("file too large")
	}
	return b, err
}

// importBundle streams the uploaded file into ImportBundle as it arrives.
// The form sends its CSRF token before the file, so a forged post is
// refused before a byte of it reaches the API.
func (con *Console) importBundle(w http.ResponseWriter, r *http.Request, o *officer) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBundle)
	mr, err := r.MultipartReader()
	if err != nil {
		con.forged(w, r, o) // not the console's form
		return
	}
	want := []byte(con.sessions.CSRF(o.token))
	trusted := hmac.Equal([]byte(r.Header.Get(web.CSRFHeader)), want)
	for {
		part, err := mr.NextPart()
		if err != nil {
			con.forged(w, r, o) // ended (or broke) before a trusted file
			return
		}
		switch part.FormName() {
		case web.CSRFField:
			got, _ := io.ReadAll(io.LimitReader(part, 256))
			trusted = trusted || hmac.Equal(got, want)
		case "bundel":
			if !trusted {
				con.forged(w, r, o)
				return
			}
			con.upload(w, r, o, part)
			return
		}
	}
}

// upload sends one bundle file to the API and shows what it did.
func (con *Console) upload(w http.ResponseWriter, r *http.Request, o *officer, file *multipart.Part) {
	if file.FileName() == "" {
		con.showBundles(w, r, o, http.StatusUnprocessableEntity, notice{Error: "Pilih berkas bundel yang akan diimpor."})
		return
	}
	s := con.api.nodes.ImportBundle(r.Context())
	s.RequestHeader().Set("Authorization", "Bearer "+o.token)
	buf := make([]byte, 1<<20)
	var readErr error
	for {
		n, err := io.ReadFull(file, buf)
		if n > 0 && s.Send(&v1.ImportBundleRequest{Chunk: buf[:n]}) != nil {
			break // the API refused; CloseAndReceive says why
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
	}
	res, err := s.CloseAndReceive()
	switch {
	case readErr != nil:
		con.log.Warn("console: bundle upload broke off", "err", readErr)
		con.showBundles(w, r, o, http.StatusBadRequest, notice{Error: "Unggahan bundel terputus sebelum selesai; tidak ada data yang diubah. Unggah ulang."})
	case err != nil:
		con.showBundles(w, r, o, outcome(err), notice{Error: "Bundel ditolak seluruhnya; tidak ada data yang diubah. " + strings.TrimSpace(web.Message(err))})
	default:
		con.render(w, r, http.StatusOK, "kantor-bundel.html", o, bundlePage{Imported: res.Msg,
			notice: done(fmt.Sprintf("Bundel %s diimpor.", file.FileName()))})
	}
}

// slug makes an office name safe in a file name: "Kecamatan Kota Agung"
// becomes "kecamatan-kota-agung".
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(s) {
		switch {
		case c >= 'a' && c <= 'z' || c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
