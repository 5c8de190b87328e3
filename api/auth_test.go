package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/catalog"
)

func bearer[T any](m *T, token string) *connect.Request[T] {
	r := connect.NewRequest(m)
	if token != "" {
		r.Header().Set("Authorization", "Bearer "+token)
	}
	return r
}

// An ADB SIAK signs in and creates a counter officer; the officer files
// and approves a request in their own role and name, and calls without a
// token, with a forged one, or outside the officer's roles are refused
// with the code a client acts on. Login is required by default.
func TestSignedInOfficers(t *testing.T) {
	nw, _ := serve(t)
	kec := nw.Kecamatan(0)
	srv := httptest.NewUnstartedServer(NewHandler(kec)) // a client without a token of its own
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()
	acc := sinkronv1connect.NewAccountServiceClient(srv.Client(), srv.URL)
	req := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	login := func(user, pw string) string {
		t.Helper()
		r, err := acc.Login(ctx, connect.NewRequest(&v1.LoginRequest{Username: user, Password: pw}))
		if err != nil {
			t.Fatal(err)
		}
		return r.Msg.Token
	}
	admin := login("adb", adminPass)
	if _, err := acc.CreateAccount(ctx, bearer(&v1.CreateAccountRequest{Username: "rina", FullName: "Rina Wati",
		Roles: []string{"petugas-pendukung-pelayanan"}, Password: "loket-kota-agung"}, admin)); err != nil {
		t.Fatal(err)
	}
	rina := login("rina", "loket-kota-agung")
	created, err := req.CreateRequest(ctx, bearer(createReq(), rina))
	if err != nil || created.Msg.Request.History[0].Officer != "Rina Wati (rina)" {
		t.Fatalf("create: %v %v", created, err)
	}
	ok, err := req.TransitionRequest(ctx, bearer(&v1.TransitionRequestRequest{Id: created.Msg.Request.Id, To: v1.Status_STATUS_DISETUJUI}, rina))
	if err != nil || ok.Msg.Request.History[1].Officer != "Rina Wati (rina)" {
		t.Fatalf("approve: %v %v", ok, err)
	}
	forged := []byte(rina)
	forged[len(forged)-3] ^= 1
	refused := []struct {
		name string
		call func() error
		code connect.Code
	}{
		{"no token", func() error { _, err := req.ListRequests(ctx, bearer(&v1.ListRequestsRequest{}, "")); return err }, connect.CodeUnauthenticated},
		{"forged token", func() error {
			_, err := req.ListRequests(ctx, bearer(&v1.ListRequestsRequest{}, string(forged)))
			return err
		}, connect.CodeUnauthenticated},
		{"counter officer administers accounts", func() error {
			_, err := acc.ListAccounts(ctx, bearer(&v1.ListAccountsRequest{}, rina))
			return err
		}, connect.CodePermissionDenied},
		{"a role the officer does not hold", func() error {
			_, err := req.TransitionRequest(ctx, bearer(&v1.TransitionRequestRequest{Id: created.Msg.Request.Id, To: v1.Status_STATUS_DIBATALKAN, Note: "x", Role: "kasi-data"}, rina))
			return err
		}, connect.CodePermissionDenied},
		{"wrong password", func() error {
			_, err := acc.Login(ctx, connect.NewRequest(&v1.LoginRequest{Username: "rina", Password: "salah-sandi-1234"}))
			return err
		}, connect.CodeUnauthenticated},
	}
	for _, tc := range refused {
		if err := tc.call(); connect.CodeOf(err) != tc.code {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.code)
		}
	}
	if _, err := acc.DisableAccount(ctx, bearer(&v1.DisableAccountRequest{Username: "rina", Reason: "pindah tugas"}, admin)); err != nil {
		t.Fatal(err)
	}
	if _, err := req.ListRequests(ctx, bearer(&v1.ListRequestsRequest{}, rina)); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("token of a disabled account: %v", err)
	}
}

// A lab's handler (AllowAnonymous) lets calls without a token through,
// records the name the call gives, and still checks a token that is sent.
func TestAllowAnonymousIsOptIn(t *testing.T) {
	nw, _ := serve(t)
	kec := nw.Kecamatan(0)
	srv := httptest.NewUnstartedServer(NewHandler(kec, AllowAnonymous()))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()
	req := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	created, err := req.CreateRequest(ctx, bearer(createReq(), ""))
	if err != nil || created.Msg.Request.History[0].Officer != "Rina" {
		t.Fatalf("anonymous create in a lab: %v %v", created, err)
	}
	if _, err := req.ListRequests(ctx, bearer(&v1.ListRequestsRequest{}, "v1.bukan.token")); connect.CodeOf(err) != connect.CodeUnauthenticated {
		t.Fatalf("a bad token in a lab: %v", err)
	}
	newOfficer(t, kec, "rina", "Rina Wati", catalog.PetugasPendukung)
	nodes := sinkronv1connect.NewNodeServiceClient(srv.Client(), srv.URL)
	if _, err := nodes.SetNetwork(ctx, bearer(&v1.SetNetworkRequest{Online: true}, token(t, kec, "rina"))); connect.CodeOf(err) != connect.CodePermissionDenied {
		t.Fatalf("a counter officer's token in a lab: %v", err)
	}
}

// Every procedure of every service of the package, from the generated
// descriptors, has a Bahasa phrase for a refusal to name, and no phrase
// is a path.
func TestEveryProcedureHasAnAction(t *testing.T) {
	n := 0
	protoregistry.GlobalFiles.RangeFilesByPackage("sinkron.v1", func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			svc := f.Services().Get(i)
			for j := range svc.Methods().Len() {
				path := "/" + string(svc.FullName()) + "/" + string(svc.Methods().Get(j).Name())
				n++
				if a := actions[path]; a == "" || strings.ContainsAny(a, "/.") {
					t.Errorf("%s: action %q; give it a Bahasa phrase (actions, auth.go)", path, a)
				}
			}
		}
		return true
	})
	if n == 0 || len(actions) != n {
		t.Errorf("%d procedures, %d actions: a phrase for a procedure that no longer exists?", n, len(actions))
	}
}

// A refusal reads as the officer's role and what they tried, in Bahasa.
func TestRefusalNamesTheAction(t *testing.T) {
	clk := &manualClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	n, srv := loneKecamatan(t, clk)
	if err := n.Accounts.Bootstrap("adb", "Admin Database", adminPass); err != nil {
		t.Fatal(err)
	}
	newOfficer(t, n, "budi", "Budi Santoso", catalog.OperatorKecamatan)
	newOfficer(t, n, "rina", "Rina Wati", catalog.PetugasPendukung)
	ctx := context.Background()
	nodes := sinkronv1connect.NewNodeServiceClient(srv.Client(), srv.URL)
	req := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"operator sets the network", func() error {
			_, err := nodes.SetNetwork(ctx, bearer(&v1.SetNetworkRequest{Online: false}, token(t, n, "budi")))
			return err
		}, "peran Anda (Operator Kecamatan) tidak berwenang mengubah status jaringan kantor"},
		{"counter reads the audit", func() error {
			_, err := nodes.QueryAudit(ctx, bearer(&v1.QueryAuditRequest{}, token(t, n, "rina")))
			return err
		}, "peran Anda (Petugas Pendukung Pelayanan) tidak berwenang melihat jejak audit"},
		{"counter settles a conflict", func() error {
			_, err := req.ResolveConflict(ctx, bearer(&v1.ResolveConflictRequest{}, token(t, n, "rina")))
			return err
		}, "peran Anda (Petugas Pendukung Pelayanan) tidak berwenang menyelesaikan konflik data permohonan; " +
			"konflik diselesaikan oleh Operator Kecamatan, Operator Dinas, Kepala Seksi, Kepala Seksi Pengelolaan dan Penyajian Data atau Administrator Database SIAK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != connect.CodePermissionDenied || ce.Message() != tt.want {
				t.Errorf("got %v, want permission_denied: %s", err, tt.want)
			}
		})
	}
}

// An officer who signed in at the dinas and sends that token to a
// kecamatan is told the token is another office's, not that it is bad; a
// bad token still reads as one.
func TestTokenOfAnotherOffice(t *testing.T) {
	nw, srv := serve(t)
	dinas := nw.Dinas()
	deadline := time.Now().Add(10 * time.Second)
	for _, err := dinas.Accounts.Get("uji"); err != nil; _, err = dinas.Accounts.Get("uji") {
		if time.Now().After(deadline) {
			t.Fatalf("the account never reached the dinas: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	fromDinas := token(t, dinas, "uji")
	forged := []byte(token(t, nw.Kecamatan(0), "uji"))
	forged[len(forged)-2] ^= 1
	c := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	tests := []struct {
		name, token, want string
	}{
		{"signed in at the dinas", fromDinas, "token ini dari kantor lain (" + dinas.Office() + "); masuk lagi di kantor ini"},
		{"forged", string(forged), "token tidak berlaku"},
		{"malformed", "bukan-token", "token tidak berlaku"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.ListRequests(context.Background(), bearer(&v1.ListRequestsRequest{}, tt.token))
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Code() != connect.CodeUnauthenticated || ce.Message() != tt.want {
				t.Errorf("got %v, want unauthenticated: %s", err, tt.want)
			}
		})
	}
}
