package api

import (
	"bytes"
	"context"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// A counter lists the catalog, files a request, prints the resident's copy
// and the day's logbook, and sees the request in the logbook.
func TestCatalogCopyAndLogbook(t *testing.T) {
	_, srv := serve(t)
	c := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	ctx := context.Background()
	svcs, err := c.ListServices(ctx, connect.NewRequest(&v1.ListServicesRequest{}))
	if err != nil || len(svcs.Msg.Services) != len(catalog.All()) {
		t.Fatalf("services: %d, %v", len(svcs.Msg.GetServices()), err)
	}
	created, err := c.CreateRequest(ctx, connect.NewRequest(createReq()))
	if err != nil {
		t.Fatal(err)
	}
	id := created.Msg.Request.Id
	if created.Msg.Request.Path != "kecamatan" || created.Msg.Request.Holder != "kecamatan" || len(created.Msg.Request.Steps) == 0 {
		t.Fatalf("request: %+v", created.Msg.Request)
	}
	cp, err := c.PrintRequestCopy(ctx, connect.NewRequest(&v1.GetRequestRequest{Id: id}))
	if err != nil || !bytes.HasPrefix(cp.Msg.Content, []byte("%PDF-")) {
		t.Fatalf("copy: %v", err)
	}
	if bytes.Contains(cp.Msg.Content, []byte(createReq().Nik)) {
		t.Fatal("the copy prints the whole NIK")
	}
	lb, err := c.GetLogbook(ctx, connect.NewRequest(&v1.GetLogbookRequest{}))
	if err != nil || len(lb.Msg.Entries) != 1 || lb.Msg.Entries[0].RequestId != id {
		t.Fatalf("logbook: %v %v", lb, err)
	}
	pdf, err := c.PrintLogbook(ctx, connect.NewRequest(&v1.GetLogbookRequest{}))
	if err != nil || !bytes.HasPrefix(pdf.Msg.Content, []byte("%PDF-")) {
		t.Fatalf("logbook PDF: %v", err)
	}
	if _, err := c.GetLogbook(ctx, connect.NewRequest(&v1.GetLogbookRequest{Date: "24/11/2026"})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("bad date: %v", err)
	}
}
