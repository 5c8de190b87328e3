package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/testnet"
)

// demo runs a regency in one process: one dinas node and kecamatan nodes on
// loopback, each with its API, and prints how to reach them.
func demo(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	kec := fs.Int("kecamatan", 3, "number of kecamatan nodes")
	dinasN := fs.Int("dinas", 3, "number of dinas nodes (the Raft group)")
	port := fs.Int("api-port", 8080, "API port of the dinas; kecamatan use the next ones (busy ports fall back to any free port)")
	dir := fs.String("dir", "", "data directory (default: a new temporary one, removed on exit)")
	level := fs.String("log", "warn", "log level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "sinkron-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	}
	nw, err := testnet.Start(*dir, testnet.Options{Dinas: *dinasN, Kecamatan: *kec, RaftHeartbeat: 500 * time.Millisecond, Logger: newLogger(*level)})
	if err != nil {
		return err
	}
	defer nw.Close()
	var addrs []string
	for i, n := range nw.Nodes {
		srv, err := api.Listen(fmt.Sprintf("127.0.0.1:%d", *port+i), api.NewHandler(n))
		if err != nil {
			if srv, err = api.Listen("127.0.0.1:0", api.NewHandler(n)); err != nil {
				return err
			}
		}
		defer srv.Close()
		addrs = append(addrs, "http://"+srv.Addr())
	}
	if err := writeSamples(*dir); err != nil {
		return err
	}
	if err := seedRegistry(nw.Dinas()); err != nil {
		return err
	}
	pw := make([]byte, 9)
	if _, err := rand.Read(pw); err != nil {
		return err
	}
	adminPW := base64.RawURLEncoding.EncodeToString(pw)
	if err := nw.Dinas().Accounts.Bootstrap("adb", "Admin Database Demo", adminPW); err != nil {
		return fmt.Errorf("demo account: %w", err)
	}
	printDemo(out, nw, addrs, *dir)
	fmt.Fprintf(out, "\nOfficer accounts: ADB SIAK \"adb\", password %s (this run only; accounts replicate to every office):\n"+
		"  echo %s | go run ./cmd/sinkron login --user adb --addr %s\n", adminPW, adminPW, addrs[0])
	<-ctx.Done()
	fmt.Fprintln(out, "\nmenghentikan demo…")
	return nil
}

// seedRegistry registers the tour's resident and her family card.
func seedRegistry(n *node.Node) error {
	siti := registry.Biodata{NIK: "1806015708900003", NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung", TanggalLahir: "1990-08-17",
		JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin", Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI",
		Address: registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung",
			KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}}
	if _, err := n.Residents.Register(siti, "Petugas Demo"); err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	if _, err := n.Residents.CreateFamily("1806010101150007", siti.NIK, siti.Address, "Petugas Demo"); err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	return nil
}

func writeSamples(dir string) error {
	for name, seed := range map[string]int{"foto-kk.png": 1, "foto-ktp.png": 2} {
		if err := os.WriteFile(filepath.Join(dir, name), testnet.Photo(seed), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func printDemo(out io.Writer, nw *testnet.Network, addrs []string, dir string) {
	fmt.Fprintf(out, "Sinkron demo: %s, %d nodes, data in %s\n\n", nw.Dinas().Roster().Regency(), len(nw.Nodes), dir)
	for i, n := range nw.Nodes {
		fmt.Fprintf(out, "  %-36s api %-24s peer %s\n", n.Member().Office, addrs[i], n.ID())
	}
	kec, dinas := addrs[len(nw.DinasNodes())], addrs[0]
	fmt.Fprintf(out, `
Try it (another terminal):
  export SINKRON_OFFICER="Rina" DEMO_DIR=%[3]s
  go run ./cmd/sinkron network offline --addr %[1]s
  go run ./cmd/sinkron request create --addr %[1]s --nama "Siti Aminah" --nik 1806015708900003 \
      --kk 1806010101150007 --masalah "NIK tidak ditemukan di BPJS" --wa 081234567890 \
      --foto-kk %[3]s/foto-kk.png --foto-ktp %[3]s/foto-ktp.png
  go run ./cmd/sinkron request list --addr %[2]s        # not at the dinas yet
  go run ./cmd/sinkron network online --addr %[1]s
  go run ./cmd/sinkron request list --addr %[2]s        # arrived
  go run ./cmd/sinkron request approve ID --peran petugas-pendukung-pelayanan --addr %[1]s
  go run ./cmd/sinkron request process ID --addr %[2]s
  go run ./cmd/sinkron request step ID konsolidasi-manual --peran kasi-data --addr %[2]s
  go run ./cmd/sinkron request step ID sinkronisasi-dwh --peran adb-siak --addr %[2]s   # waits for the dinas decision
  go run ./cmd/sinkron request step ID informasi-pemohon --peran staf-informasi-pelayanan --addr %[2]s
  go run ./cmd/sinkron request finish ID --addr %[2]s
  go run ./cmd/sinkron request services --addr %[2]s    # the whole catalog: forms, paths, steps, roles
  go run ./cmd/sinkron peers --addr %[1]s

The dinas cluster (Raft):
  go run ./cmd/sinkron cluster status --addr %[2]s
  go run ./cmd/sinkron decide nik --wilayah 180601 --lahir 1990-08-17 --perempuan --subjek warga-1 --addr %[2]s
  go run ./cmd/sinkron cluster transfer --addr %[2]s
  go run ./cmd/sinkron decide lease --wilayah 180601 --jumlah 20 --addr %[1]s     # a kecamatan's offline NIK block

Outside clients:
  go tool -modfile=tools/go.mod buf curl --http2-prior-knowledge --list-methods %[4]s

Ctrl-C stops the demo.
`, kec, dinas, dir, kec)
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}
