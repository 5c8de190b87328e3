package testnet

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
)

// TestDiskFull fills a kecamatan's disk (its data directory is a
// size-limited tmpfs): the counter's next request is refused with a clear
// message in Bahasa Indonesia and changes nothing, the node keeps running
// and serving what it holds, and once space is freed it takes requests
// again and is in step with the dinas, every acknowledged change kept,
// also across a restart.
func TestDiskFull(t *testing.T) { diskFull(t, false) }

// TestDiskFullWhileSyncing is TestDiskFull with the dinas filing while the
// kecamatan's disk is full: the synced events must be refused (the store's
// write path checks the disk) rather than reach badger, whose memory-mapped
// memtable dies of SIGBUS on a full disk (see node.DiskReserve).
func TestDiskFullWhileSyncing(t *testing.T) {
	diskFull(t, true)
}

func diskFull(t *testing.T, dinasWrites bool) {
	disk := &tmpfsDisk{t: t, size: "128m"}
	nw, err := Start(t.TempDir(), Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond, Configure: disk.mountUnder})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	kec, dinas := counterAt(t, nw, kecIdx), counterAt(t, nw, dinasIdx)
	var acked []string
	for i := range 3 {
		acked = append(acked, mustFile(t, kec, i))
	}
	waitSame(t, nw)

	disk.fill()
	_, err = kec.CreateRequest(context.Background(), connect.NewRequest(formAt(99)))
	if connect.CodeOf(err) != connect.CodeResourceExhausted || !strings.Contains(err.Error(), "penyimpanan") {
		t.Fatalf("filing on a full disk: %v, want ResourceExhausted with a message on the storage (penyimpanan)", err)
	}
	t.Logf("the counter is told: %v", err)
	if got := listed(t, kec); got != len(acked) {
		t.Fatalf("the refused request changed the office: %d requests, want %d", got, len(acked))
	}
	if dinasWrites { // the full kecamatan cannot take these in, and must not crash
		for i := range 3 {
			acked = append(acked, mustFile(t, dinas, 10+i))
		}
	}
	time.Sleep(time.Second) // a few sync rounds against the full disk
	for _, id := range acked[:3] {
		if _, err := kec.GetRequest(context.Background(), connect.NewRequest(&v1.GetRequestRequest{Id: id})); err != nil {
			t.Fatalf("an acknowledged request is unreadable on the full disk: %v", err)
		}
	}

	disk.free()
	acked = append(acked, mustFile(t, kec, 20))
	waitSame(t, nw)
	if err := nw.Restart(kecIdx); err != nil {
		t.Fatalf("restart after the disk was full: %v", err)
	}
	kec = counterAt(t, nw, kecIdx)
	waitSame(t, nw)
	for _, c := range []sinkronv1connect.RequestServiceClient{kec, dinas} {
		for _, id := range acked {
			if _, err := c.GetRequest(context.Background(), connect.NewRequest(&v1.GetRequestRequest{Id: id})); err != nil {
				t.Errorf("acknowledged request %s lost: %v", id, err)
			}
		}
	}
}

// tmpfsMagic is statfs's f_type of a tmpfs.
const tmpfsMagic = 0x01021994

// tmpfsDisk is a kecamatan's disk: a tmpfs of a given size mounted over
// its data directory, which a filler file can fill to the last byte.
type tmpfsDisk struct {
	t      *testing.T
	size   string
	dir    string
	filler string
}

// mountUnder is a Configure hook: it moves the first kecamatan's
// provisioned data directory onto a fresh tmpfs. Without root or mount,
// the test skips, but fails under CI=true: CI must run it.
func (d *tmpfsDisk) mountUnder(c *node.Config) {
	t := d.t
	if c.ClusterKeyFile != "" || d.dir != "" { // a dinas server, or done
		return
	}
	d.dir = c.DataDir
	t.Logf("the disk of %s is a %s tmpfs at %s", c.Office, d.size, d.dir)
	prov := c.DataDir + ".provisioned"
	if err := os.Rename(c.DataDir, prov); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(c.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+d.size, "tmpfs", c.DataDir).CombinedOutput(); err != nil {
		why := fmt.Sprintf("disk-full test needs to mount a tmpfs (root): %v: %s", err, out)
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s; CI must run it, not skip it", why)
		}
		t.Skip(why)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", d.dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", d.dir, err, out)
		}
	})
	if out, err := exec.Command("cp", "-a", prov+"/.", c.DataDir).CombinedOutput(); err != nil {
		t.Fatalf("copy data directory onto the tmpfs: %v: %s", err, out)
	}
}

// fill writes a file until the disk has no byte left. It writes only to
// the tmpfs it mounted, and at most its size: never to a shared disk.
func (d *tmpfsDisk) fill() {
	var fs syscall.Statfs_t
	if err := syscall.Statfs(d.dir, &fs); d.dir == "" || err != nil || fs.Type != tmpfsMagic {
		d.t.Fatalf("refusing to fill %q: not the tmpfs this test mounted (%v)", d.dir, err)
	}
	d.filler = filepath.Join(d.dir, "pengisi")
	f, err := os.Create(d.filler)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for range fs.Blocks * uint64(fs.Bsize) / uint64(len(buf)) {
		if _, err := f.Write(buf); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				d.t.Fatalf("fill the disk: %v", err)
			}
			break
		}
	}
	for n := len(buf) / 2; n > 0; n /= 2 { // the last partial megabyte
		_, _ = f.Write(buf[:n])
	}
}

func (d *tmpfsDisk) free() {
	if err := os.Remove(d.filler); err != nil {
		d.t.Fatal(err)
	}
}

// counterAt is counter software at node i, through the Connect API.
func counterAt(t *testing.T, nw *Network, i int) sinkronv1connect.RequestServiceClient {
	srv := httptest.NewUnstartedServer(api.NewHandler(nw.Nodes[i], api.AllowAnonymous()))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
}

func formAt(i int) *v1.CreateRequestRequest {
	f := SampleForm(i)
	return &v1.CreateRequestRequest{ApplicantName: f.ApplicantName, Nik: f.NIK, Kk: f.KK, Problem: f.Problem,
		Whatsapp: f.WhatsApp, Officer: "Petugas Loket", Channel: v1.Channel_CHANNEL_LANGSUNG,
		Documents: []*v1.DocumentUpload{
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: Photo(2 * i)},
			{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: Photo(2*i + 1)},
		}}
}

func mustFile(t *testing.T, c sinkronv1connect.RequestServiceClient, i int) string {
	t.Helper()
	r, err := c.CreateRequest(context.Background(), connect.NewRequest(formAt(i)))
	if err != nil {
		t.Fatalf("file request %d: %v", i, err)
	}
	return r.Msg.Request.Id
}

func listed(t *testing.T, c sinkronv1connect.RequestServiceClient) int {
	t.Helper()
	r, err := c.ListRequests(context.Background(), connect.NewRequest(&v1.ListRequestsRequest{PageSize: 500}))
	if err != nil {
		t.Fatal(err)
	}
	return len(r.Msg.Requests)
}

func waitSame(t *testing.T, nw *Network) {
	t.Helper()
	if err := nw.WaitConverged(30 * time.Second); err != nil {
		t.Fatal(err)
	}
}
