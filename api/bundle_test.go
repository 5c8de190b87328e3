package api

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// A bundle exported through one node's API imports through another's, as
// `sinkron bundle export` and `import` do with a flash disk between them.
func TestBundleThroughTheAPI(t *testing.T) {
	nw, kec := serve(t)
	ctx := context.Background()
	if _, err := sinkronv1connect.NewRequestServiceClient(kec.Client(), kec.URL).CreateRequest(ctx, connect.NewRequest(createReq())); err != nil {
		t.Fatal(err)
	}
	s, err := sinkronv1connect.NewNodeServiceClient(kec.Client(), kec.URL).ExportBundle(ctx, connect.NewRequest(&v1.ExportBundleRequest{IncludeDocuments: true}))
	if err != nil {
		t.Fatal(err)
	}
	var bundle bytes.Buffer
	for s.Receive() {
		bundle.Write(s.Msg().Chunk)
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if err := nw.WaitConverged(10 * time.Second); err != nil { // the officer's account too
		t.Fatal(err)
	}
	dinas := httptest.NewUnstartedServer(NewHandler(nw.Dinas()))
	dinas.EnableHTTP2 = true
	dinas.StartTLS()
	defer dinas.Close()
	signIn(t, dinas, nw.Dinas(), "uji")
	up := sinkronv1connect.NewNodeServiceClient(dinas.Client(), dinas.URL).ImportBundle(ctx)
	for b := bundle.Bytes(); len(b) > 0; b = b[min(len(b), 1<<10):] {
		if err := up.Send(&v1.ImportBundleRequest{Chunk: b[:min(len(b), 1<<10)]}); err != nil {
			break // CloseAndReceive says why
		}
	}
	r, err := up.CloseAndReceive()
	if err != nil || r.Msg.EventsApplied != 0 || r.Msg.EventsDuplicate == 0 { // the dinas had them by sync
		t.Fatalf("import: %v %v", r, err)
	}
}
