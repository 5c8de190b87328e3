package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/testnet"
)

// An oversized photo, 3 MB or 30 MB or past the largest message a node
// reads, is refused in Bahasa with what is too big and the limit, over
// Connect, gRPC and gRPC-Web, at the counter and on the residents'
// address, and nothing is filed.
func TestOversizedUploadsInBahasa(t *testing.T) {
	nw, officers := serve(t)
	kec := nw.Kecamatan(0)
	public := httptest.NewUnstartedServer(NewPublicHandler(kec, AttemptLimit(0, 1)))
	public.EnableHTTP2 = true
	public.StartTLS()
	defer public.Close()
	before := kec.Store().Vector().Total()
	ctx := context.Background()
	sizes := []struct {
		name  string
		bytes int
		want  []string // in the message
	}{
		{"3 MB", 3 << 20, []string{"Foto Kartu Keluarga Pemohon terlalu besar: 3,0 MB, paling besar 2 MB"}},
		{"30 MB", 30_006_412, []string{"Foto Kartu Keluarga Pemohon terlalu besar: 28,6 MB, paling besar 2 MB"}},
		{"past the largest message", MaxRequestBytes + 1<<20, []string{"terlalu besar", "paling besar 40 MB", "setiap foto paling besar 2 MB"}},
	}
	protocols := map[string][]connect.ClientOption{"connect": nil, "grpc": {connect.WithGRPC()}, "grpc-web": {connect.WithGRPCWeb()}}
	// A client may send a body without its length (a gRPC stream does):
	// the node then counts what it reads.
	lengths := map[string]func(*httptest.Server) *http.Client{
		"length": func(s *httptest.Server) *http.Client { return s.Client() },
		"no length": func(s *httptest.Server) *http.Client {
			return &http.Client{Transport: withoutLength{next: s.Client().Transport}}
		},
	}
	for _, size := range sizes {
		photo := append(testnet.Photo(1), make([]byte, size.bytes)...)
		for pl, opts := range protocols {
			for ll, client := range lengths {
				proto := pl + "/" + ll
				calls := map[string]func() error{
					"counter": func() error {
						m := createReq()
						m.Documents[0].Content = photo
						_, err := sinkronv1connect.NewRequestServiceClient(client(officers), officers.URL, opts...).CreateRequest(ctx, connect.NewRequest(m))
						return err
					},
					"resident": func() error {
						m := createReq()
						_, err := sinkronv1connect.NewPublicServiceClient(client(public), public.URL, opts...).SubmitRequest(ctx, connect.NewRequest(&v1.SubmitRequestRequest{
							ApplicantName: m.ApplicantName, Nik: m.Nik, Kk: m.Kk, Problem: m.Problem, Whatsapp: m.Whatsapp,
							Documents: []*v1.DocumentUpload{{Name: "foto_kk", Content: photo}, {Name: "foto_ktp_el", Content: testnet.Photo(2)}}}))
						return err
					},
				}
				for who, call := range calls {
					t.Run(size.name+"/"+proto+"/"+who, func(t *testing.T) {
						err := call()
						var ce *connect.Error
						if !errors.As(err, &ce) || (ce.Code() != connect.CodeResourceExhausted && ce.Code() != connect.CodeInvalidArgument) {
							t.Fatalf("got %v, want resource_exhausted or invalid_argument", err)
						}
						for _, w := range size.want {
							if !strings.Contains(ce.Message(), w) {
								t.Errorf("message %q lacks %q", ce.Message(), w)
							}
						}
					})
				}
			}
		}
	}
	if after := kec.Store().Vector().Total(); after != before {
		t.Fatalf("refused uploads stored %d events", after-before)
	}
}

// withoutLength sends every request body without its length.
type withoutLength struct{ next http.RoundTripper }

func (w withoutLength) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.ContentLength, r.GetBody = -1, nil
	r.Body = io.NopCloser(struct{ io.Reader }{r.Body})
	return w.next.RoundTrip(r)
}

func TestMegabytes(t *testing.T) {
	for n, want := range map[int64]string{2 << 20: "2 MB", 40 << 20: "40 MB", 30_006_412: "28,6 MB", 3<<20 + 4000: "3,0 MB", 1 << 19: "0,5 MB"} {
		if got := megabytes(n); got != want {
			t.Errorf("megabytes(%d) = %q, want %q", n, got, want)
		}
	}
}

// Over HTTP/1.1 (a browser's Connect or gRPC-Web client) a body past the
// cap is answered before it is read, and the client reads the answer.
func TestOversizedUploadOverHTTP1(t *testing.T) {
	nw, _ := serve(t)
	srv := httptest.NewServer(NewPublicHandler(nw.Kecamatan(0), AttemptLimit(0, 1)))
	defer srv.Close()
	photo := append(testnet.Photo(1), make([]byte, MaxRequestBytes+1<<20)...)
	for name, opts := range map[string][]connect.ClientOption{"connect": nil, "grpc-web": {connect.WithGRPCWeb()}} {
		t.Run(name, func(t *testing.T) {
			_, err := sinkronv1connect.NewPublicServiceClient(srv.Client(), srv.URL, opts...).SubmitRequest(context.Background(),
				connect.NewRequest(&v1.SubmitRequestRequest{Documents: []*v1.DocumentUpload{{Name: "foto_kk", Content: photo}}}))
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != connect.CodeResourceExhausted || !strings.Contains(ce.Message(), "paling besar 40 MB") {
				t.Fatalf("got %v, want the size refusal in Bahasa", err)
			}
		})
	}
}
