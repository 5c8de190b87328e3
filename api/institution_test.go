package api

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/dwh"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/institution"
)

type institutionNode struct{ s *institution.Service }

func (n institutionNode) Institutions() *institution.Service { return n.s }

// institutionAPI serves the institutions' handler over a warehouse holding
// one consolidated resident, with one institution of the given quota.
func institutionAPI(t testing.TB, perSecond float64, burst int) (sinkronv1connect.InstitutionServiceClient, string) {
	t.Helper()
	svc, key := institutionService(t, perSecond, burst)
	hs := httptest.NewUnstartedServer(NewInstitutionHandler(institutionNode{svc}))
	hs.EnableHTTP2 = true
	hs.Start()
	t.Cleanup(hs.Close)
	return sinkronv1connect.NewInstitutionServiceClient(hs.Client(), hs.URL), key
}

// institutionService is the institution service over a seeded warehouse,
// with one institution (Bank Lampung) of the given quota and its API key.
func institutionService(t testing.TB, perSecond float64, burst int) (*institution.Service, string) {
	t.Helper()
	srv := pgtest.Start(t)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, srv.DSN()+"&pool_max_conns=16")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	if err := dwh.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-time.Minute)
	var changes []dwh.Change
	for i := range warehouseResidents {
		nik := residentN(i)
		changes = append(changes,
			dwh.Change{Pos: dwh.Position{Stream: "kec", Seq: uint64(i + 1)}, Resident: &dwh.Resident{NIK: nik, Nama: "SITI AMINAH",
				TempatLahir: "KOTA AGUNG", TanggalLahir: "1990-01-01", Office: "Kecamatan Kota Agung", UpdatedAt: at}},
			dwh.Change{Pos: dwh.Position{Stream: dwh.StreamDecisions, Seq: uint64(i + 1)}, State: &dwh.State{NIK: nik, State: dwh.StateConsolidated, Since: at}})
	}
	if _, err := dwh.NewSink(pool, "test", 0).Apply(ctx, 1, changes); err != nil {
		t.Fatal(err)
	}
	svc := institution.NewService(pool, institution.Options{Now: time.Now})
	t.Cleanup(svc.Close)
	_, key, err := svc.Registry.Register(ctx, "Bank Lampung", perSecond, burst)
	if err != nil {
		t.Fatal(err)
	}
	return svc, key
}

// residents is how many consolidated residents the warehouse holds.
const warehouseResidents = 10000

// residentN is the NIK of the i-th resident (0: 1806014101900001).
func residentN(i int) string { return fmt.Sprintf("1806014101%06d", 900001+i) }

func checkCall(key, id, nik string) *connect.Request[v1.CheckRequest] {
	req := connect.NewRequest(&v1.CheckRequest{RequestId: id, SentAt: timestamppb.Now(), Nik: nik, Nama: "Siti Aminah"})
	req.Header().Set("Authorization", "Bearer "+key)
	return req
}

func TestInstitutionCheckOverConnect(t *testing.T) {
	c, key := institutionAPI(t, 3, 3)
	ctx := context.Background()
	r, err := c.Check(ctx, checkCall(key, "bank-000001", "1806014101900001"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Msg.Code != institution.CodeConsolidated || len(r.Msg.Fields) != 1 || r.Msg.Fields[0].Match != v1.Match_MATCH_SESUAI || r.Msg.AsOf == nil {
		t.Fatalf("answer %v", r.Msg)
	}
	for _, tc := range []struct {
		name string
		req  *connect.Request[v1.CheckRequest]
		code connect.Code
	}{
		{"replayed", checkCall(key, "bank-000001", "1806014101900001"), connect.CodeFailedPrecondition},
		{"malformed NIK", checkCall(key, "bank-000002", "18060141019000x1"), connect.CodeInvalidArgument},
		{"wrong key", checkCall(key+"x", "bank-000003", "1806014101900001"), connect.CodeUnauthenticated},
		{"over quota", checkCall(key, "bank-000004", "1806014101900001"), connect.CodeResourceExhausted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Check(ctx, tc.req)
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != tc.code {
				t.Fatalf("err %v, want %v", err, tc.code)
			}
			if tc.code == connect.CodeResourceExhausted && ce.Meta().Get("Retry-After") == "" {
				t.Fatal("over quota without Retry-After")
			}
		})
	}
}
