package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/time/rate"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/testnet"
)

// A resident submits online and follows their own request by tracking code
// and NIK; a wrong NIK learns nothing, the officers' API is not there, and
// a client that keeps guessing is slowed down.
func TestResidentsOnline(t *testing.T) {
	nw, _ := serve(t)
	srv := httptest.NewUnstartedServer(NewPublicHandler(nw.Kecamatan(0)))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()
	c := sinkronv1connect.NewPublicServiceClient(srv.Client(), srv.URL)
	sub, err := c.SubmitRequest(ctx, connect.NewRequest(&v1.SubmitRequestRequest{
		ApplicantName: "Siti Aminah", Nik: "1806015708900003", Kk: "1806010101150007",
		Problem: "NIK tidak ditemukan di BPJS", Whatsapp: "081234567890",
		Documents: []*v1.DocumentUpload{{Name: "foto_kk", Content: testnet.Photo(1)}, {Name: "foto_ktp_el", Content: testnet.Photo(2)}}}))
	if err != nil {
		t.Fatal(err)
	}
	code := sub.Msg.TrackingCode
	st, err := c.TrackRequest(ctx, connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: code, Nik: "1806015708900003"}))
	if err != nil || st.Msg.Status != v1.Status_STATUS_BARU || st.Msg.StepsTotal == 0 {
		t.Fatalf("track: %v %v", st, err)
	}
	if r, err := nw.Kecamatan(0).Requests.Get(code); err != nil || r.Channel != int32(v1.Channel_CHANNEL_ONLINE) {
		t.Fatalf("channel: %v %v", r, err)
	}
	if _, err := c.TrackRequest(ctx, connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: code, Nik: "1806015708900004"})); connect.CodeOf(err) != connect.CodeNotFound {
		t.Fatalf("wrong NIK: %v", err)
	}
	officers := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	if _, err := officers.ListRequests(ctx, connect.NewRequest(&v1.ListRequestsRequest{})); connect.CodeOf(err) != connect.CodeUnimplemented {
		t.Fatalf("officers' API on the public address: %v", err)
	}
	if _, err := c.SubmitRequest(ctx, connect.NewRequest(&v1.SubmitRequestRequest{ApplicantName: "Siti Aminah", Nik: "1806015708900003",
		Kk: "1806010101150007", Problem: "NIK tidak ditemukan", Whatsapp: "081234567890",
		Documents: []*v1.DocumentUpload{{Name: "foto_kk", Content: []byte("%PDF-1.4")}}})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("non-image upload: %v", err)
	}
	var last error
	for range 12 {
		_, last = c.TrackRequest(ctx, connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: "TEBAK", Nik: "1806015708900003"}))
	}
	if connect.CodeOf(last) != connect.CodeResourceExhausted {
		t.Fatalf("guessing is not slowed: %v", last)
	}
}

func TestLimiterForgetsQuietClients(t *testing.T) {
	l := newLimiter(time.Hour, 2, func() time.Time { return time.Unix(1_772_000_000, 0) })
	for i := range maxClients {
		l.per[fmt.Sprint(i)] = rate.NewLimiter(rate.Every(l.every), l.burst) // full buckets: quiet clients
	}
	busy := rate.NewLimiter(rate.Every(l.every), l.burst)
	busy.Allow()
	l.per["busy"] = busy
	if err := l.allow(context.WithValue(context.Background(), clientKey{}, "new")); err != nil {
		t.Fatal(err)
	}
	if len(l.per) != 2 || l.per["busy"] == nil {
		t.Fatalf("kept %d clients, want the busy one and the new one", len(l.per))
	}
}
