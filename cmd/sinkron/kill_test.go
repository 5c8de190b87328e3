package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/replication/roster"
	"github.com/sinkron-id/sinkron/testnet"
)

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// proc is one `sinkron node` process.
type proc struct {
	bin, cfg, api string
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
		_, err := dial(p.api).node.GetStatus(context.Background(), connect.NewRequest(&v1.GetStatusRequest{}))
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("node %s not up: %v", p.api, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

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
		specs = append(specs, node.OfficeSpec{Name: name, Role: role, Region: testnet.Regions[0],
			Listen: []string{fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", freePort(t))}, APIListen: fmt.Sprintf("127.0.0.1:%d", freePort(t))})
	}
	cfgs, err := node.Provision(filepath.Join(dir, "regency"), "Kabupaten Uji", specs)
	if err != nil {
		t.Fatal(err)
	}
	var procs []*proc
	for _, c := range cfgs {
		p := &proc{bin: bin, cfg: filepath.Join(c.DataDir, "sinkron.toml"), api: "http://" + c.APIListen}
		p.start(t)
		procs = append(procs, p)
	}
	dinas, kec := procs[0], procs[1]
	defer func() { dinas.kill(); kec.kill() }()

	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // a counter filing requests until its node dies
		defer close(done)
		c := dial(kec.api).req
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

func waitAll(t *testing.T, p *proc, ids []string) {
	t.Helper()
	c := dial(p.api).req
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
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: testnet.Photo(i)},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: testnet.Photo(i + 7)},
		},
	}
}
