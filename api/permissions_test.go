package api

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/emptypb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// manualClock is the time of a node under test, moved by the test.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// loneKecamatan starts one kecamatan node on clk, alone in its regency,
// with its officers' API on an HTTP/2 test server whose client sends no
// token of its own. At a kecamatan the dinas-only calls an allowed officer
// makes are refused by the handler (FailedPrecondition), after the gate.
func loneKecamatan(t *testing.T, clk *manualClock) (*node.Node, *httptest.Server) {
	t.Helper()
	dir := t.TempDir()
	cfgs, err := node.Provision(dir, "Kabupaten Tanggamus", []node.OfficeSpec{{Name: "Kecamatan Kota Agung",
		Role: roster.Kecamatan, Region: "180601", Listen: []string{"/ip4/127.0.0.1/tcp/0"}}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := node.New(cfgs[0], node.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(NewHandler(n))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(func() { srv.Close(); n.Close() })
	return n, srv
}

// roleUser is the username of the test officer who holds only r.
func roleUser(r catalog.Role) string {
	u := "peran-" + string(r)
	return u[:min(len(u), 32)]
}

// procedure is one RPC the officers' handler serves.
type procedure struct {
	path           string // "/sinkron.v1.RequestService/CreateRequest"
	client, server bool   // streaming
}

// servedProcedures lists every method of every service NewHandler serves,
// from the generated descriptors, so a new RPC is in the table below the
// moment it is generated. It also checks that every officers' service of
// the package is served (PublicService has its own handler and address).
func servedProcedures(t *testing.T) []procedure {
	t.Helper()
	protoregistry.GlobalFiles.RangeFilesByPackage("sinkron.v1", func(f protoreflect.FileDescriptor) bool {
		for i := range f.Services().Len() {
			name := string(f.Services().Get(i).FullName())
			if name != sinkronv1connect.PublicServiceName && name != sinkronv1connect.InstitutionServiceName && !slices.Contains(officerServices, name) {
				t.Errorf("service %s is not served to officers (officerServices)", name)
			}
		}
		return true
	})
	var out []procedure
	for _, name := range officerServices {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name))
		if err != nil {
			t.Fatalf("descriptor of %s: %v", name, err)
		}
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		for i := range methods.Len() {
			m := methods.Get(i)
			if m.IsStreamingClient() && m.IsStreamingServer() {
				t.Fatalf("%s is a bidirectional stream: teach call about it", m.FullName())
			}
			out = append(out, procedure{path: "/" + name + "/" + string(m.Name()), client: m.IsStreamingClient(), server: m.IsStreamingServer()})
		}
	}
	return out
}

// call makes the RPC with an empty request (an empty client stream) and
// the given Authorization header value, and returns its error. A stream an
// officer may open stays open: its short deadline ends it with
// DeadlineExceeded, which is not a refusal.
func call(srv *httptest.Server, p procedure, auth string) error {
	c := connect.NewClient[emptypb.Empty, emptypb.Empty](srv.Client(), srv.URL+p.path)
	timeout := 5 * time.Second
	if p.server {
		timeout = 300 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	switch {
	case p.client:
		s := c.CallClientStream(ctx)
		if auth != "" {
			s.RequestHeader().Set("Authorization", auth)
		}
		_, err := s.CloseAndReceive()
		return err
	case p.server:
		s, err := c.CallServerStream(ctx, emptyRequest(auth))
		if err != nil {
			return err
		}
		defer s.Close()
		for s.Receive() {
		}
		return s.Err()
	}
	_, err := c.CallUnary(ctx, emptyRequest(auth))
	return err
}

func emptyRequest(auth string) *connect.Request[emptypb.Empty] {
	r := connect.NewRequest(&emptypb.Empty{})
	if auth != "" {
		r.Header().Set("Authorization", auth)
	}
	return r
}

// refused reports whether err is the gate's refusal, not the handler's
// answer to an empty request.
func refused(err error) bool {
	c := connect.CodeOf(err)
	return err != nil && (c == connect.CodeUnauthenticated || c == connect.CodePermissionDenied)
}

// Every RPC of the officers' API, called with no token, a malformed,
// forged, expired, logged-out or disabled account's token, and with the
// token of an officer of each role: the bad tokens get Unauthenticated, a
// role the permission table does not allow gets PermissionDenied, and an
// allowed role reaches the handler. A few SOP facts are asserted by hand,
// so the test does not only restate the table.
func TestEveryRPCByRole(t *testing.T) {
	clk := &manualClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	n, srv := loneKecamatan(t, clk)
	if err := n.Accounts.Bootstrap("adb", "Admin Database", adminPass); err != nil {
		t.Fatal(err)
	}
	if err := n.Accounts.Create("warga", "Siti Aminah", []catalog.Role{catalog.Pemohon}, officerPass, "adb"); !errors.Is(err, account.ErrInvalid) {
		t.Fatalf("an account for an applicant: %v", err) // residents use the public API
	}
	newOfficer(t, n, "lama", "Petugas Lama", catalog.PetugasPendukung)
	expired := token(t, n, "lama")
	if _, err := n.Accounts.Verify(expired); err != nil {
		t.Fatal(err)
	}
	clk.Advance(n.Accounts.TokenTTL + time.Second) // only the time makes it bad
	newOfficer(t, n, "keluar", "Petugas Keluar", catalog.PetugasPendukung)
	loggedOut := token(t, n, "keluar")
	if err := n.Accounts.Logout(loggedOut); err != nil {
		t.Fatal(err)
	}
	newOfficer(t, n, "dicabut", "Petugas Dicabut", catalog.PetugasPendukung)
	disabled := token(t, n, "dicabut")
	if err := n.Accounts.Disable("dicabut", "pindah tugas", "adb"); err != nil {
		t.Fatal(err)
	}
	forged := []byte(token(t, n, "lama"))
	forged[len(forged)-2] ^= 1
	bad := map[string]string{
		"no token": "", "not bearer": "Basic YWRiOnJhaGFzaWE=", "malformed": "Bearer bukan-token",
		"forged": "Bearer " + string(forged), "expired": "Bearer " + expired, "logged out": "Bearer " + loggedOut,
		"disabled account": "Bearer " + disabled,
	}
	tokens := map[catalog.Role]string{}
	for _, r := range officerRoles() {
		newOfficer(t, n, roleUser(r), "Petugas "+r.Title(), r)
		tokens[r] = token(t, n, roleUser(r))
	}

	allowed := map[string]map[catalog.Role]bool{} // what the calls showed
	for _, p := range servedProcedures(t) {
		if p.path == sinkronv1connect.AccountServiceLoginProcedure {
			continue // TestLoginNeedsNoToken
		}
		op, known := operations[p.path]
		if !known {
			t.Errorf("%s has no entry in operations: nobody may call it; give it one", p.path)
			continue
		}
		for what, auth := range bad {
			err := call(srv, p, auth)
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				t.Errorf("%s with %s: %v, want Unauthenticated", p.path, what, err)
			}
			namesNoPath(t, err)
		}
		allowed[p.path] = map[catalog.Role]bool{}
		for _, r := range officerRoles() {
			tok := tokens[r]
			if p.path == sinkronv1connect.AccountServiceLogoutProcedure {
				tok = token(t, n, roleUser(r)) // keep tokens[r] alive
			}
			err := call(srv, p, "Bearer "+tok)
			want := op == "" || slices.Contains(account.Permissions[op], r)
			allowed[p.path][r] = !refused(err)
			switch {
			case want && refused(err):
				t.Errorf("%s as %s: refused (%v), but %q allows the role", p.path, r, err, op)
			case want && connect.CodeOf(err) == connect.CodeUnimplemented:
				t.Errorf("%s as %s: not served (%v)", p.path, r, err)
			case !want && connect.CodeOf(err) != connect.CodePermissionDenied:
				t.Errorf("%s as %s: %v, want PermissionDenied (%q)", p.path, r, err, op)
			case !want && !strings.Contains(err.Error(), "tidak berwenang "+actions[p.path]):
				t.Errorf("%s as %s: %v does not name the action %q", p.path, r, err, actions[p.path])
			}
			namesNoPath(t, err)
		}
	}
	checkSOPFacts(t, allowed)
}

// checkSOPFacts asserts, from the calls, what the SOPs say about who does
// what, independently of how the permission table is written.
func checkSOPFacts(t *testing.T, allowed map[string]map[catalog.Role]bool) {
	t.Helper()
	only := func(proc string, roles ...catalog.Role) {
		for _, r := range officerRoles() {
			if allowed[proc][r] != slices.Contains(roles, r) {
				t.Errorf("SOP: %s by %s allowed=%v; want only %v", proc, r, allowed[proc][r], roles)
			}
		}
	}
	may := func(r catalog.Role, proc string, want bool) {
		if allowed[proc][r] != want {
			t.Errorf("SOP: %s may %s: %v, want %v", r, proc, allowed[proc][r], want)
		}
	}
	// Only the ADB SIAK administers accounts, the node's network and the
	// dinas cluster.
	for _, p := range []string{sinkronv1connect.AccountServiceCreateAccountProcedure, sinkronv1connect.AccountServiceGrantRoleProcedure,
		sinkronv1connect.AccountServiceRevokeRoleProcedure, sinkronv1connect.AccountServiceDisableAccountProcedure,
		sinkronv1connect.AccountServiceListAccountsProcedure, sinkronv1connect.NodeServiceSetNetworkProcedure,
		sinkronv1connect.ClusterServiceAddVoterProcedure, sinkronv1connect.DecisionServiceChangeRosterProcedure} {
		only(p, catalog.ADBSIAK)
	}
	// Every officer may see and manage their own session.
	for _, p := range []string{sinkronv1connect.AccountServiceWhoAmIProcedure, sinkronv1connect.AccountServiceChangePasswordProcedure,
		sinkronv1connect.AccountServiceLogoutProcedure} {
		only(p, officerRoles()...)
	}
	may(catalog.PetugasPendukung, sinkronv1connect.AccountServiceCreateAccountProcedure, false)
	may(catalog.PetugasPendukung, sinkronv1connect.RequestServiceCreateRequestProcedure, true) // the kecamatan counter takes files
	may(catalog.StafInformasi, sinkronv1connect.RequestServiceCreateRequestProcedure, true)    // the dinas counter too
	may(catalog.KasiData, sinkronv1connect.RequestServiceResolveConflictProcedure, true)       // checks and settles data
	may(catalog.PetugasPendukung, sinkronv1connect.RequestServiceResolveConflictProcedure, false)
	may(catalog.PetugasPendistribusian, sinkronv1connect.RegistryServiceGetResidentProcedure, false) // hands out cards, reads no biodata
	may(catalog.KepalaSeksi, sinkronv1connect.RegistryServiceIssueKKProcedure, true)
	may(catalog.OperatorKecamatan, sinkronv1connect.RegistryServiceIssueKKProcedure, false)
	may(catalog.PetugasPendukung, sinkronv1connect.NodeServiceQueryAuditProcedure, false) // the audit is for supervisors
	may(catalog.KasiData, sinkronv1connect.NodeServiceQueryAuditProcedure, true)
}

// Login needs no token (it is how one gets one), and a bad token sent
// along does not stop it.
func TestLoginNeedsNoToken(t *testing.T) {
	clk := &manualClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	n, srv := loneKecamatan(t, clk)
	if err := n.Accounts.Bootstrap("adb", "Admin Database", adminPass); err != nil {
		t.Fatal(err)
	}
	acc := sinkronv1connect.NewAccountServiceClient(srv.Client(), srv.URL)
	for _, auth := range []string{"", "Bearer bukan-token"} {
		req := connect.NewRequest(&v1.LoginRequest{Username: "adb", Password: adminPass})
		if auth != "" {
			req.Header().Set("Authorization", auth)
		}
		if _, err := acc.Login(context.Background(), req); err != nil {
			t.Fatalf("login with Authorization %q: %v", auth, err)
		}
	}
}

// namesNoPath fails t if an answer shows an officer an RPC path.
func namesNoPath(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "/sinkron.") {
		t.Errorf("an officer reads an RPC path: %v", err)
	}
}
