package main

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/testnet"
)

const cliTestPass = "sandi-petugas-uji"

// office is one running office's API and a signed-in officer's token, for
// running client commands against it as an officer's shell would.
type office struct {
	n     *node.Node
	addr  string
	token string
}

// serveOffice starts a network (testnet) of a dinas and, if kecamatan,
// one kecamatan, and serves the API of the last on loopback with the
// officer "uji" (every role) signed in there. Only that node is staffed:
// accounts replicate, so a second ADB SIAK bootstrap would be refused.
func serveOffice(t *testing.T, kecamatan bool) office {
	t.Helper()
	opt := testnet.Options{SyncInterval: 200 * time.Millisecond}
	if kecamatan {
		opt.Kecamatan = 1
	}
	nw, err := testnet.Start(t.TempDir(), opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	n := nw.Nodes[len(nw.Nodes)-1]
	roles := slices.DeleteFunc(catalog.Roles(), func(r catalog.Role) bool { return r == catalog.Pemohon })
	if err := n.Accounts.Bootstrap("adb", "Admin Database", cliTestPass+"-adb"); err != nil {
		t.Fatal(err)
	}
	if err := n.Accounts.Create("uji", "Petugas Uji", roles, cliTestPass, "adb"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := n.Accounts.Login("uji", cliTestPass)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := api.Listen("127.0.0.1:0", api.NewHandler(n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return office{n: n, addr: "http://" + srv.Addr(), token: tok}
}

// runEnv runs a client command as the shell would (os.Args after the
// program name), in the environment the test set, and returns what it
// printed.
func runEnv(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := run(ctx, args, &out)
	return out.String(), err
}
