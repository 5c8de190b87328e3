package api

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// A duplicate-check verdict is the dinas's: a counter officer is refused,
// a Kasi Data's is recorded once however often the call is retried, and
// the audit shows who gave it.
func TestVerdictByAuthorisedOfficerAudited(t *testing.T) {
	nw, _ := serve(t)
	ctx := context.Background()
	dinas := nw.Dinas()
	srv := httptest.NewUnstartedServer(NewHandler(dinas))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	if err := nw.WaitConverged(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	newOfficer(t, dinas, "sari", "Sari Kasi Data", catalog.KasiData)
	newOfficer(t, dinas, "budi", "Budi Loket", catalog.PetugasPendukung, catalog.OperatorKecamatan)
	signIn(t, srv, dinas, "uji")
	dec := sinkronv1connect.NewDecisionServiceClient(srv.Client(), srv.URL)
	verdict := &v1.RecordDedupVerdictRequest{Enrollment: "0123456789ABCDEF", Verdict: "unik"}

	_, err := dec.RecordDedupVerdict(ctx, bearer(verdict, token(t, dinas, "budi")))
	if connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("a counter officer's verdict: %v, want permission denied", err)
	}
	first, err := dec.RecordDedupVerdict(ctx, bearer(verdict, token(t, dinas, "sari")))
	if err != nil || first.Msg.Decision.Refused != "" {
		t.Fatalf("Kasi Data's verdict: %v %v", first, err)
	}
	again, err := dec.RecordDedupVerdict(ctx, bearer(verdict, token(t, dinas, "sari")))
	if err != nil || again.Msg.Decision.Number != first.Msg.Decision.Number {
		t.Fatalf("the retried call decided %v (%v), want the first decision %d", again, err, first.Msg.Decision.Number)
	}
	audit, err := sinkronv1connect.NewNodeServiceClient(srv.Client(), srv.URL).QueryAudit(ctx,
		connect.NewRequest(&v1.QueryAuditRequest{Officer: "Sari"}))
	if err != nil || len(audit.Msg.Entries) == 0 || audit.Msg.Entries[0].Type != "putusan-dedup.dicatat" {
		t.Fatalf("the audit of Sari: %v %v", audit, err)
	}
}
