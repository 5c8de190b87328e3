package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/regency"
	"github.com/sinkron-id/sinkron/replication/roster"
)

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// proc is one `sinkron node` process, and the token of an officer signed
// in there (a token is valid only at the node that issued it).
type proc struct {
	bin, cfg, api string
	token         string
	cmd           *exec.Cmd
}

func (p *proc) start(t *testing.T) {
	t.Helper()
	p.cmd = exec.Command(p.bin, "node", "--config", p.cfg)
	p.cmd.Stderr = os.Stderr
	if !testing.Verbose() {
		p.cmd.Stderr = nil
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		// Up once the API answers; before anyone signed in, with a refusal.
		_, err := dialAs(p.api, p.token).node.GetStatus(context.Background(), connect.NewRequest(&v1.GetStatusRequest{}))
		if err == nil || (p.token == "" && connect.CodeOf(err) == connect.CodeUnauthenticated) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s not up: %v", p.api, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pendingAdmin runs `sinkron akun admin` for the stopped node, with the
// password on stdin.
func (p *proc) pendingAdmin(t *testing.T, user string) {
	t.Helper()
	cmd := exec.Command(p.bin, "akun", "admin", "--config", p.cfg, "--user", user, "--name", "Admin Uji")
	cmd.Stdin = strings.NewReader(killTestPass + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("akun admin: %v\n%s", err, out)
	}
}

// login signs user in at the node and keeps the token for later calls.
func (p *proc) login(t *testing.T, user string) {
	t.Helper()
	cl := dialAs(p.api, "")
	r, err := sinkronv1connect.NewAccountServiceClient(cl.hc, cl.base).Login(context.Background(),
		connect.NewRequest(&v1.LoginRequest{Username: user, Password: killTestPass}))
	if err != nil {
		t.Fatalf("login %s at %s: %v", user, p.api, err)
	}
	p.token = r.Msg.Token
}

// killTestPass is every account's password in TestSIGKILLMidSyncLosesNothingAcknowledged.
const killTestPass = "sandi-uji-sigkill"

func (p *proc) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	_ = p.cmd.Wait()
}

// TestSIGKILLMidSyncLosesNothingAcknowledged runs real node processes,
// kills them with SIGKILL while requests are being filed and synced, and
// checks that every request the API acknowledged is on both nodes after
// restart.
func TestSIGKILLMidSyncLosesNothingAcknowledged(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs node processes")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "sinkron")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	var specs []node.OfficeSpec
	for i, name := range []string{"Dinas", "Kecamatan Kota Agung"} {
		role := roster.Dinas
		if i > 0 {
			role = roster.Kecamatan
		}
		specs = append(specs, node.OfficeSpec{Name: name, Role: role, Region: regency.Regions[0],
			Listen: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t))}, APIListen: fmt.Sprintf("127.0.0.1:%d", freePort(t))})
	}
	cfgs, err := node.Provision(filepath.Join(dir, "regency"), "Kabupaten Uji", specs)
	if err != nil {
		t.Fatal(err)
	}
	var procs []*proc
	for i, c := range cfgs {
		p := &proc{bin: bin, cfg: filepath.Join(c.DataDir, "sinkron.toml"), api: "http://" + c.APIListen}
		p.pendingAdmin(t, fmt.Sprintf("adb-%d", i)) // each office's own: one username at two would be a duplicate
		p.start(t)
		p.login(t, fmt.Sprintf("adb-%d", i))
		procs = append(procs, p)
	}
	dinas, kec := procs[0], procs[1]
	defer func() { dinas.kill(); kec.kill() }()
	counter := signInCounter(t, kec)

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a counter filing requests until its node dies
		defer close(done)
		c := dialAs(kec.api, counter).req
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r, err := c.CreateRequest(context.Background(), connect.NewRequest(createMsg(i)))
			if err != nil {
				return
			}
			mu.Lock()
			acked = append(acked, r.Msg.Request.Id)
			mu.Unlock()
		}
	}()
	for range 3 { // the dinas dies mid-sync, three times
		time.Sleep(700 * time.Millisecond)
		dinas.kill()
		time.Sleep(200 * time.Millisecond)
		dinas.start(t)
	}
	time.Sleep(500 * time.Millisecond)
	kec.kill() // and the kecamatan dies mid-write
	<-done
	close(stop)
	kec.start(t)

	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 20 {
		t.Fatalf("only %d requests acknowledged; the test did not exercise much", len(acked))
	}
	t.Logf("%d requests acknowledged across 4 SIGKILLs", len(acked))
	for _, p := range procs {
		waitAll(t, p, acked)
	}
}

// signInCounter has the kecamatan's ADB SIAK create a counter officer
// there, and returns the officer's token: the ADB SIAK may read requests
// but not file them.
func signInCounter(t *testing.T, kec *proc) string {
	t.Helper()
	cl := dialAs(kec.api, kec.token)
	acc := sinkronv1connect.NewAccountServiceClient(cl.hc, cl.base)
	ctx := context.Background()
	if _, err := acc.CreateAccount(ctx, connect.NewRequest(&v1.CreateAccountRequest{Username: "loket", FullName: "Petugas Loket",
		Roles: []string{string(catalog.PetugasPendukung)}, Password: killTestPass})); err != nil {
		t.Fatal(err)
	}
	r, err := acc.Login(ctx, connect.NewRequest(&v1.LoginRequest{Username: "loket", Password: killTestPass}))
	if err != nil {
		t.Fatal(err)
	}
	return r.Msg.Token
}

func waitAll(t *testing.T, p *proc, ids []string) {
	t.Helper()
	c := dialAs(p.api, p.token).req
	deadline := time.Now().Add(30 * time.Second)
	for _, id := range ids {
		for {
			_, err := c.GetRequest(context.Background(), connect.NewRequest(&v1.GetRequestRequest{Id: id}))
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s lost acknowledged request %s: %v", p.api, id, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
}

func createMsg(i int) *v1.CreateRequestRequest {
	return &v1.CreateRequestRequest{
		ApplicantName: "Warga Uji", Nik: "1806015708900003", Kk: "1806010101150007",
		Problem: fmt.Sprintf("NIK tidak ditemukan di BPJS (%d)", i), Whatsapp: "081234567890", Officer: "Rina",
		Documents: []*v1.DocumentUpload{
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: regency.Photo(i)},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: regency.Photo(i + 7)},
		},
	}
}
