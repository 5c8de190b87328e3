package api

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// The ADB SIAK resets a password through the API; an officer without the
// permission is refused in Bahasa, naming the action, with nothing changed.
func TestResetPasswordThroughTheAPI(t *testing.T) {
	nw, _ := serve(t)
	kec := nw.Kecamatan(0)
	srv := httptest.NewUnstartedServer(NewHandler(kec))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	ctx := context.Background()
	acc := sinkronv1connect.NewAccountServiceClient(srv.Client(), srv.URL)
	newOfficer(t, kec, "rina", "Rina Wati", "petugas-pendukung-pelayanan")
	rina := token(t, kec, "rina")
	_, err := acc.ResetPassword(ctx, bearer(&v1.ResetPasswordRequest{Username: "adb", NewPassword: "sandi-rampasan-1"}, rina))
	if connect.CodeOf(err) != connect.CodePermissionDenied || !strings.Contains(err.Error(), "mengatur ulang kata sandi petugas") {
		t.Fatalf("reset by a counter officer: %v", err)
	}
	token(t, kec, "adb") // the administrator's password still works
	res, err := acc.ResetPassword(ctx, bearer(&v1.ResetPasswordRequest{Username: "rina", NewPassword: "loket-baru-2026"}, token(t, kec, "adb")))
	if err != nil || res.Msg.Username != "rina" {
		t.Fatalf("reset: %v %v", res, err)
	}
	if _, err := acc.Login(ctx, connect.NewRequest(&v1.LoginRequest{Username: "rina", Password: "loket-baru-2026"})); err != nil {
		t.Fatalf("login with the new password: %v", err)
	}
}
