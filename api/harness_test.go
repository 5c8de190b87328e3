package api

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// Passwords of the test accounts: the ADB SIAK "adb" and every officer.
const (
	adminPass   = "rahasia-kuat-2026"
	officerPass = "sandi-petugas-uji"
)

// officerRoles are the roles an account may hold: the catalog's, but the
// applicant's (residents use the public API).
func officerRoles() []catalog.Role {
	return slices.DeleteFunc(catalog.Roles(), func(r catalog.Role) bool { return r == catalog.Pemohon })
}

// staff gives n its ADB SIAK "adb" and the officer "uji" (Petugas Uji),
// who holds every officer role, so tests of the handlers pass the gate.
func staff(t *testing.T, n *node.Node) {
	t.Helper()
	if err := n.Accounts.Bootstrap("adb", "Admin Database", adminPass); err != nil {
		t.Fatal(err)
	}
	newOfficer(t, n, "uji", "Petugas Uji", officerRoles()...)
}

// newOfficer has the ADB SIAK create an account at n.
func newOfficer(t *testing.T, n *node.Node, username, fullName string, roles ...catalog.Role) {
	t.Helper()
	if err := n.Accounts.Create(username, fullName, roles, officerPass, "adb"); err != nil {
		t.Fatalf("create %s: %v", username, err)
	}
}

// token signs username in at n (the officers' password, or the ADB
// SIAK's for "adb").
func token(t *testing.T, n *node.Node, username string) string {
	t.Helper()
	pw := officerPass
	if username == "adb" {
		pw = adminPass
	}
	tok, _, err := n.Accounts.Login(username, pw)
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
	return tok
}

// signIn makes srv's client sign every call as username at n, unless a
// call carries its own Authorization header.
func signIn(t *testing.T, srv *httptest.Server, n *node.Node, username string) {
	t.Helper()
	hc := srv.Client()
	hc.Transport = withBearer{next: hc.Transport, token: token(t, n, username)}
}

// withBearer adds a token to requests that have none.
type withBearer struct {
	next  http.RoundTripper
	token string
}

func (w withBearer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") == "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+w.token)
	}
	return w.next.RoundTrip(r)
}

// CloseIdleConnections lets httptest.Server.Close close the client's
// connections, as it does for its own transport.
func (w withBearer) CloseIdleConnections() {
	if c, ok := w.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
