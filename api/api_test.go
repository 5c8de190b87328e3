package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpcreflect"
	"go.uber.org/goleak"
	"google.golang.org/protobuf/reflect/protoreflect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/testnet"
)

// A waiter on a raft future that raft never answers at shutdown
// (hashicorp/raft#498) stays parked by design; see consensus.(*Cluster).wait.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sinkron-id/sinkron/replication/consensus.(*Cluster).wait.func1"))
}

// serve starts a one-kecamatan network and an HTTP/2 test server for the
// kecamatan's API, whose client signs every call as the officer "uji",
// who holds every role (see harness_test.go).
func serve(t *testing.T) (*testnet.Network, *httptest.Server) {
	t.Helper()
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	kec := nw.Kecamatan(0)
	srv := httptest.NewUnstartedServer(NewHandler(kec))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(func() { srv.Close(); nw.Close() })
	staff(t, kec)
	signIn(t, srv, kec, "uji")
	return nw, srv
}

func TestReflectionListsServices(t *testing.T) {
	_, srv := serve(t)
	client := grpcreflect.NewClient(srv.Client(), srv.URL)
	stream := client.NewStream(context.Background())
	defer stream.Close()
	names, err := stream.ListServices()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{sinkronv1connect.RequestServiceName, sinkronv1connect.NodeServiceName} {
		if !slices.ContainsFunc(names, func(n protoreflect.FullName) bool { return string(n) == want }) {
			t.Fatalf("reflection lists %v, missing %s", names, want)
		}
	}
}

func createReq() *v1.CreateRequestRequest {
	return &v1.CreateRequestRequest{
		ApplicantName: "Siti Aminah", Nik: "1806015708900003", Kk: "1806010101150007",
		Problem: "NIK tidak ditemukan di BPJS", Whatsapp: "0812-3456-7890", Officer: "Rina",
		Documents: []*v1.DocumentUpload{
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: testnet.Photo(1)},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: testnet.Photo(2)},
		},
	}
}

func TestRequestLifecycleOverEveryProtocol(t *testing.T) {
	_, srv := serve(t)
	protocols := map[string][]connect.ClientOption{
		"connect": nil, "grpc": {connect.WithGRPC()}, "grpc-web": {connect.WithGRPCWeb()},
	}
	for name, opts := range protocols {
		t.Run(name, func(t *testing.T) {
			c := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL, opts...)
			ctx := context.Background()
			created, err := c.CreateRequest(ctx, connect.NewRequest(createReq()))
			if err != nil {
				t.Fatal(err)
			}
			r := created.Msg.Request
			if r.Status != v1.Status_STATUS_BARU || r.Whatsapp != "081234567890" || len(r.Documents) != 2 || !r.Documents[0].Available {
				t.Fatalf("created %+v", r)
			}
			got, err := c.GetRequest(ctx, connect.NewRequest(&v1.GetRequestRequest{Id: r.Id}))
			if err != nil || got.Msg.Request.ApplicantName != "Siti Aminah" {
				t.Fatalf("get: %v", err)
			}
		})
	}
}

func TestErrorsCarryCodesAndChangeNothing(t *testing.T) {
	nw, srv := serve(t)
	c := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	ctx := context.Background()
	before := nw.Kecamatan(0).Store().Vector().Total()
	bad := func(mut func(*v1.CreateRequestRequest)) *v1.CreateRequestRequest { m := createReq(); mut(m); return m }
	cases := []struct {
		name string
		call func() error
		code connect.Code
	}{
		{"malformed NIK", func() error {
			_, err := c.CreateRequest(ctx, connect.NewRequest(bad(func(m *v1.CreateRequestRequest) { m.Nik = "123" })))
			return err
		}, connect.CodeInvalidArgument},
		{"bad phone", func() error {
			_, err := c.CreateRequest(ctx, connect.NewRequest(bad(func(m *v1.CreateRequestRequest) { m.Whatsapp = "12345" })))
			return err
		}, connect.CodeInvalidArgument},
		{"not an image", func() error {
			_, err := c.CreateRequest(ctx, connect.NewRequest(bad(func(m *v1.CreateRequestRequest) { m.Documents[0].Content = []byte("%PDF-1.4") })))
			return err
		}, connect.CodeInvalidArgument},
		{"oversized upload", func() error {
			_, err := c.CreateRequest(ctx, connect.NewRequest(bad(func(m *v1.CreateRequestRequest) { m.Documents[0].Content = make([]byte, 7<<20) })))
			return err
		}, connect.CodeResourceExhausted},
		{"unknown request", func() error {
			_, err := c.GetRequest(ctx, connect.NewRequest(&v1.GetRequestRequest{Id: "NOPE"}))
			return err
		}, connect.CodeNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if connect.CodeOf(err) != tc.code {
				t.Fatalf("got %v, want %v", err, tc.code)
			}
		})
	}
	if after := nw.Kecamatan(0).Store().Vector().Total(); after != before {
		t.Fatalf("refused calls stored %d events", after-before)
	}
	created, err := c.CreateRequest(ctx, connect.NewRequest(createReq()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TransitionRequest(ctx, connect.NewRequest(&v1.TransitionRequestRequest{Id: created.Msg.Request.Id, To: v1.Status_STATUS_SELESAI, Officer: "Rina"}))
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeFailedPrecondition {
		t.Fatalf("Baru→Selesai: %v", err)
	}
	t.Logf("officer sees: %s", ce.Message())
	_, err = c.CompleteStep(ctx, connect.NewRequest(&v1.CompleteStepRequest{Id: created.Msg.Request.Id, Step: "konsolidasi-manual", Officer: "Rina"}))
	if connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("step at a kecamatan: %v", err)
	}
}
