package api

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/testnet"
)

// The public listener faces the internet, so what residents (or anyone)
// send it is fuzzed. Invariants: no panic, no Internal/Unknown error and no
// 5xx for any input, and nothing stored when the answer is an error. Run
// the seeds with `go test ./api/`, or fuzz one target at a time:
//
//	go test ./api/ -run '^$' -fuzz '^FuzzPublicHTTP$' -fuzztime 2m -fuzzminimizetime 200x
//
// (Minimizing a new input of the size of two photos takes the default 60s
// each time; a bound on it keeps the fuzzer fuzzing.)

// ownSeq is how many events the node itself has written: a refused
// submission must not move it. (Events from other offices may arrive at
// any time, so the whole vector is not compared.)
func ownSeq(n *node.Node) uint64 { return n.Store().Vector()[n.ID()] }

// validSubmit is a submission the kecamatan accepts.
func validSubmit() *v1.SubmitRequestRequest {
	return &v1.SubmitRequestRequest{ApplicantName: "Siti Aminah", Nik: residentNIK, Kk: "1806010101150007",
		Problem: "NIK tidak ditemukan di BPJS", Whatsapp: "081234567890",
		Documents: []*v1.DocumentUpload{{Name: "foto_kk", Content: testnet.Photo(1)}, {Name: "foto_ktp_el", Content: testnet.Photo(2)}}}
}

func FuzzSubmitRequest(f *testing.F) {
	kec := publicNode(f)
	h := &public{n: kec}
	v := validSubmit()
	f.Add(v.ApplicantName, v.Nik, v.Kk, v.Problem, v.Whatsapp, "foto_kk", int32(0), testnet.Photo(1))
	f.Add("", "", "", "", "", "", int32(0), []byte(nil))
	f.Add("<script>alert(1)</script>", "180601570890000\x00", "1806010101150007 ", strings.Repeat("x", 2000), "+62 812-3456-7890", "foto_kk", int32(7), []byte("\x89PNG\r\n\x1a\n"))
	f.Add("Siti\u202eAminah", "１８０６０１５７０８９００００３", "1806010101150007", "NIK\ttidak\nditemukan", "08", "../../etc/passwd", int32(-1), []byte("\xff\xd8\xff"))
	f.Fuzz(func(t *testing.T, name, nik, kk, problem, wa, doc string, kind int32, content []byte) {
		before := ownSeq(kec)
		msg := &v1.SubmitRequestRequest{ApplicantName: name, Nik: nik, Kk: kk, Problem: problem, Whatsapp: wa,
			Documents: []*v1.DocumentUpload{{Name: doc, Kind: v1.DocumentKind(kind), Content: content}, {Name: "foto_ktp_el", Content: testnet.Photo(2)}}}
		resp, err := h.SubmitRequest(context.Background(), connect.NewRequest(msg))
		if err != nil {
			if code := connect.CodeOf(err); code != connect.CodeInvalidArgument {
				t.Fatalf("bad input answered %v: %v", code, err)
			}
			if after := ownSeq(kec); after != before {
				t.Fatalf("a refused submission wrote %d events", after-before)
			}
			return
		}
		if _, err := kec.Requests.Get(resp.Msg.TrackingCode); err != nil {
			t.Fatalf("accepted %q but not stored: %v", resp.Msg.TrackingCode, err)
		}
	})
}

func FuzzTrackRequest(f *testing.F) {
	kec := publicNode(f)
	r, err := kec.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		f.Fatal(err)
	}
	h := &public{n: kec}
	f.Add(r.ID, residentNIK)
	f.Add(r.ID, "1806015708900004")
	f.Add(r.ID, residentNIK+" ")
	f.Add(strings.ToLower(r.ID), residentNIK)
	f.Add("", "")
	f.Add(r.ID+"\x00", residentNIK)
	f.Add("\xff\xfe", "\x00")
	f.Fuzz(func(t *testing.T, code, nik string) {
		before := ownSeq(kec)
		resp, err := h.TrackRequest(context.Background(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: code, Nik: nik}))
		mine := code == r.ID && nik == residentNIK
		switch {
		case err == nil && !mine:
			t.Fatalf("code %q with NIK %q read request %s", code, nik, resp.Msg.TrackingCode)
		case err == nil && resp.Msg.TrackingCode != r.ID:
			t.Fatalf("read %s", resp.Msg.TrackingCode)
		case err != nil && mine:
			t.Fatalf("the resident's own pair refused: %v", err)
		case err != nil && (connect.CodeOf(err) != connect.CodeNotFound || err.Error() != errNotYours.Error()):
			t.Fatalf("code %q NIK %q: %v (want the one not-found answer)", code, nik, err)
		}
		if ownSeq(kec) != before {
			t.Fatal("tracking wrote an event")
		}
	})
}

// publicTargets are what FuzzPublicHTTP sends raw bytes to. The portal's
// posts carry a browser's cookie and form token, so the bytes reach the
// form's reading and the API rather than stopping at the CSRF check.
var publicTargets = []struct{ method, path, contentType string }{
	{http.MethodPost, sinkronv1connect.PublicServiceSubmitRequestProcedure, "application/json"},
	{http.MethodPost, sinkronv1connect.PublicServiceSubmitRequestProcedure, "application/proto"},
	{http.MethodPost, sinkronv1connect.PublicServiceTrackRequestProcedure, "application/json"},
	{http.MethodPost, sinkronv1connect.PublicServiceTrackRequestProcedure, "application/proto"},
	{http.MethodPost, sinkronv1connect.PublicServiceSubmitRequestProcedure, "application/connect+json"},
	{http.MethodPost, sinkronv1connect.PublicServiceTrackRequestProcedure, "text/plain"},
	{http.MethodPost, "/lacak", "application/x-www-form-urlencoded"},
	{http.MethodGet, "/status", ""}, // the bytes are the query
	{http.MethodGet, "/", ""},
	{http.MethodPost, "/ajukan", "multipart/form-data; boundary=" + fuzzBoundary},
	{http.MethodGet, "/lacak", ""},
}

const fuzzBoundary = "sinkron-uji"

// Raw bytes through the whole public handler, as a client could send them.
func FuzzPublicHTTP(f *testing.F) {
	kec := publicNode(f)
	r, err := kec.Requests.Create(testnet.SampleForm(1))
	if err != nil {
		f.Fatal(err)
	}
	handler := NewPublicHandler(kec, AttemptLimit(0, 0))
	b := openBrowser(f, handler)
	notFound := serveRaw(handler, b, 6, []byte("kode=TEBAK&nik=1")).Body.String()
	submit, _ := protojson.Marshal(validSubmit())
	submitPB, _ := proto.Marshal(validSubmit())
	track, _ := json.Marshal(map[string]string{"trackingCode": r.ID, "nik": residentNIK})
	trackPB, _ := proto.Marshal(&v1.TrackRequestRequest{TrackingCode: r.ID, Nik: residentNIK})
	query := []byte("kode=" + r.ID + "&nik=" + residentNIK)
	seeds := []struct {
		target int
		body   []byte
	}{
		{0, submit}, {0, []byte(`{"documents":[{"content":"!!"}]}`)}, {0, []byte(`{"nik":1}`)}, {1, submitPB}, {1, []byte("\x0a\xff\xff\xff\xff\x0f")},
		{2, track}, {2, []byte("{}")}, {3, trackPB}, {4, submit}, {5, track}, {6, query}, {6, []byte("kode=%zz&nik=;;")}, {6, []byte("kode=AB&nik=32%ff")},
		{7, query}, {7, []byte("kode=\x00&nik=%00")}, {8, nil}, {9, multipartSubmit(f)}, {9, []byte("--" + fuzzBoundary + "\r\n")},
		{10, query},
	}
	for _, s := range seeds {
		f.Add(uint8(s.target), s.body)
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		target := publicTargets[int(which)%len(publicTargets)]
		before := ownSeq(kec)
		w := serveRaw(handler, b, int(which), body)
		if w.Code >= 500 {
			t.Fatalf("%s %s: HTTP %d %s", target.method, target.path, w.Code, w.Body)
		}
		if strings.Contains(w.Body.String(), `"code":"internal"`) || strings.Contains(w.Body.String(), `"code":"unknown"`) {
			t.Fatalf("%s: %s", target.path, w.Body)
		}
		if w.Code == http.StatusNotFound && target.path == "/lacak" && w.Body.String() != notFound {
			t.Fatalf("a second not-found page:\n%s", w.Body)
		}
		if target.method == http.MethodGet && strings.Contains(w.Body.String(), r.ID) {
			t.Fatalf("GET %s?%q revealed the request", target.path, body)
		}
		created := (target.path == sinkronv1connect.PublicServiceSubmitRequestProcedure || target.path == "/ajukan") && w.Code == http.StatusOK
		if after := ownSeq(kec); after != before && !created {
			t.Fatalf("%s answered %d and wrote %d events", target.path, w.Code, after-before)
		}
	})
}

// fuzzBrowser is a resident's browser: its cookie and form token.
type fuzzBrowser struct {
	cookies []*http.Cookie
	token   string
}

var csrfValue = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// openBrowser opens the track form once, as a browser would.
func openBrowser(f *testing.F, h http.Handler) fuzzBrowser {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/lacak", nil))
	m := csrfValue.FindStringSubmatch(w.Body.String())
	if m == nil {
		f.Fatalf("no form token:\n%s", w.Body)
	}
	return fuzzBrowser{cookies: w.Result().Cookies(), token: html.UnescapeString(m[1])}
}

// multipartSubmit is a valid online request as the portal's form posts it.
func multipartSubmit(f *testing.F) []byte {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if err := mw.SetBoundary(fuzzBoundary); err != nil {
		f.Fatal(err)
	}
	v := validSubmit()
	for k, val := range map[string]string{"nama_pemohon": v.ApplicantName, "nik": v.Nik, "kk": v.Kk, "permasalahan": v.Problem, "whatsapp": v.Whatsapp} {
		mw.WriteField(k, val)
	}
	for _, d := range v.Documents {
		w, _ := mw.CreateFormFile(d.Name, d.Name+".jpg")
		w.Write(d.Content)
	}
	mw.Close()
	return buf.Bytes()
}

// serveRaw sends b to publicTargets[which]: as the body, or for a GET as
// the raw query (set on the parsed request, so any bytes get through).
func serveRaw(h http.Handler, br fuzzBrowser, which int, b []byte) *httptest.ResponseRecorder {
	target := publicTargets[which%len(publicTargets)]
	var req *http.Request
	if target.method == http.MethodGet {
		req = httptest.NewRequest(target.method, target.path, nil)
		req.URL.RawQuery = string(b)
	} else {
		req = httptest.NewRequest(target.method, target.path, bytes.NewReader(b))
		req.Header.Set("Content-Type", target.contentType)
	}
	for _, c := range br.cookies {
		req.AddCookie(c)
	}
	req.Header.Set("X-CSRF-Token", br.token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}
