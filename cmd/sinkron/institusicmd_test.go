package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/testnet"
)

// `sinkron institusi` registers an institution (its key shown once), rotates
// its key, sets its quota and shows its usage, on a dinas server with a DWH.
func TestInstitusiCommands(t *testing.T) {
	pg := pgtest.Start(t)
	nw, err := testnet.Start(t.TempDir(), testnet.Options{Configure: func(c *node.Config) { c.DWH.DSN = pg.DSN() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	srv, err := api.Listen("127.0.0.1:0", api.NewHandler(nw.Dinas(), api.AllowAnonymous()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"institusi"}, append(args, "--addr", srv.Addr())...), &out)
		return out.String(), err
	}
	var out string
	deadline := time.Now().Add(15 * time.Second)
	for out, err = cli("daftar", "BPJS Kesehatan", "--per-detik", "20"); err != nil; out, err = cli("daftar", "BPJS Kesehatan", "--per-detik", "20") {
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "DWH") && !strings.Contains(err.Error(), "relation") {
			t.Fatalf("daftar: %v", err)
		}
		time.Sleep(50 * time.Millisecond) // the feed migrates the schema at start
	}
	m := regexp.MustCompile(`dengan ID ([0-9a-f]{12})\nkunci API \(hanya ditampilkan sekali\): (sk_\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("daftar printed %q", out)
	}
	id := m[1]
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"kunci-baru", id}, "kunci API baru"},
		{[]string{"kuota", id, "--per-detik", "5"}, "kuota " + id + ": 5 per detik"},
		{[]string{"pemakaian"}, "BPJS Kesehatan"},
		{[]string{"pemakaian", id}, "5"},
	} {
		got, err := cli(tc.args...)
		if err != nil || !strings.Contains(got, tc.want) {
			t.Fatalf("institusi %v: %q, %v; want %q", tc.args, got, err, tc.want)
		}
	}
	if _, err := cli("kuota", "000000000000", "--per-detik", "5"); err == nil || !strings.Contains(err.Error(), "tidak ditemukan") {
		t.Fatalf("quota of an unknown institution: %v", err)
	}
}
