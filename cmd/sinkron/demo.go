package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/sinkron-id/sinkron/api"
	"github.com/sinkron-id/sinkron/api/console"
	"github.com/sinkron-id/sinkron/api/portal"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/dwh/pglocal"
	"github.com/sinkron-id/sinkron/node/regency"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/zone"
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
	warehouse, stop, err := startWarehouse()
	if err != nil {
		return err
	}
	defer stop()
	nw, err := regency.Start(*dir, regency.Options{Dinas: *dinasN, Kecamatan: *kec, RaftHeartbeat: 500 * time.Millisecond,
		Logger: newLogger(*level), Configure: func(c *node.Config) {
			c.Dinas = demoDinas
			if warehouse != nil && c.ClusterKeyFile != "" { // a dinas server
				c.DWH.DSN = warehouse.DSN()
			}
		}})
	if err != nil {
		return err
	}
	defer nw.Close()
	for _, n := range nw.Nodes { // a tour outlasts an office's 15 minutes
		n.Accounts.TokenTTL = demoTokenTTL
	}
	var addrs []string
	for i, n := range nw.Nodes {
		officers, con, err := console.Mount(api.NewHandler(n))
		if err != nil {
			return err
		}
		defer con.Close()
		srv, err := listen(*port+i, officers)
		if err != nil {
			return err
		}
		defer srv.Close()
		addrs = append(addrs, "http://"+srv.Addr())
	}
	// The residents' listener of the first kecamatan: the portal (submit
	// online, track) and the public API, as a kecamatan serves them on
	// public_listen.
	first := nw.Kecamatan(0)
	residents := api.NewPublicHandler(first, api.PublicZone(zone.Of(first.Member().Region)),
		api.PublicDinas(portal.Dinas{Name: demoDinas.Nama, Address: demoDinas.Alamat, Phone: demoDinas.Telepon}, first.Member().Office))
	public, err := listen(*port+len(nw.Nodes), residents)
	if err != nil {
		return err
	}
	defer public.Close()
	if err := writeSamples(*dir); err != nil {
		return err
	}
	if err := seedRegistry(nw.Dinas()); err != nil {
		return err
	}
	officers, err := demoOfficers(nw)
	if err != nil {
		return err
	}
	printDemo(out, nw, addrs, *dir, officers)
	fmt.Fprintf(out, "\nResidents' portal of %s (submit online, track by tracking code and NIK): http://%s/\n", first.Member().Office, public.Addr())
	if warehouse != nil {
		// The institutions' listener of the first dinas server: checks
		// answered from the warehouse (register one with institusi daftar).
		inst, err := listen(*port+len(nw.Nodes)+1, api.NewInstitutionHandler(nw.Dinas()))
		if err != nil {
			return err
		}
		defer inst.Close()
		fmt.Fprintf(out, "The regency's data warehouse (PostgreSQL, fed by the dinas leader): %s\n", warehouse.DSN())
		fmt.Fprintf(out, "Institutions' NIK checks (README.md, \"An outside client\"): export I=http://%s; an institution's API key: as $ADB_D $D institusi daftar \"BPJS Kesehatan\"\n", inst.Addr())
	}
	printSkipped(out, warehouse != nil)
	<-ctx.Done()
	fmt.Fprintln(out, "\nmenghentikan demo…")
	return nil
}

// listen serves h on the port, or on any free one when it is busy.
func listen(port int, h http.Handler) (*api.Server, error) {
	srv, err := api.Listen(fmt.Sprintf("127.0.0.1:%d", port), h)
	if err != nil {
		srv, err = api.Listen("127.0.0.1:0", h)
	}
	return srv, err
}

// startWarehouse runs the regency's warehouse on this machine's
// PostgreSQL, when it has one: without it the "Sinkronisasi DWH" step
// waits for a confirmation nobody gives. Its directory is a temporary one
// of its own (the postgres user must reach it), removed by stop.
func startWarehouse() (*pglocal.Server, func(), error) {
	if !pglocal.Installed() {
		return nil, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "sinkron-dwh-")
	if err != nil {
		return nil, nil, err
	}
	s, err := pglocal.Start(dir, pglocal.Options{Fast: true})
	stop := func() {
		if s != nil {
			_ = s.Stop()
		}
		_ = os.RemoveAll(dir)
	}
	if err != nil {
		stop()
		return nil, nil, fmt.Errorf("the demo's warehouse: %w", err)
	}
	return s, stop, nil
}

// printSkipped names the parts of the pipeline this demo does not run, and
// where each comes from, so nobody takes their absence for a feature.
func printSkipped(out io.Writer, warehouse bool) {
	fmt.Fprint(out, "\nNot running in this demo:\n")
	if !warehouse {
		fmt.Fprint(out, `  DWH feed (node/dwh): PostgreSQL is not installed   (apt-get install postgresql); Sinkronisasi DWH steps wait
  institution checks (node/institution)              they answer from the warehouse, which needs PostgreSQL
`)
	}
	fmt.Fprint(out, `  WhatsApp through the Cloud API                     notices are logged: no [whatsapp] number configured
  1:N duplicate search of recordings                 package biometric (the demo records no biometrics;
                                                     a recording waits for an officer's verdict: decide verdict)
  card chip writing and printing (PC/SC, CUPS)       not built yet (cardprint)
`)
}

// demoDinas is the [dinas] section every demo office gets: what the
// residents' portal names as the office to reach.
var demoDinas = node.DinasConfig{Nama: "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Tanggamus",
	Alamat: "Jl. Contoh No. 1, Kota Agung, Kabupaten Tanggamus (alamat contoh untuk demo)", Telepon: "0722-000000 (contoh)"}

// demoTokenTTL is how long a demo login lasts.
const demoTokenTTL = 8 * time.Hour

// demoOfficer is one account of the demo, with this run's password.
type demoOfficer struct {
	user, name string
	role       catalog.Role
	at         string // where the tour signs them in: "K", "D" or both
	password   string
}

// demoOfficers creates the tour's accounts at the dinas, one role each as
// the SOPs split the work, and waits until every office holds them.
func demoOfficers(nw *regency.Regency) ([]demoOfficer, error) {
	officers := []demoOfficer{
		{user: "adb", name: "Admin Database Demo", role: catalog.ADBSIAK, at: "K, D"},
		{user: "rina", name: "Rina Wati", role: catalog.PetugasPendukung, at: "K"},
		{user: "dewi", name: "Dewi Lestari", role: catalog.KasiData, at: "D"},
		{user: "sari", name: "Sari Puspita", role: catalog.StafInformasi, at: "D"},
		{user: "andi", name: "Andi Saputra", role: catalog.OperatorDinas, at: "D"},
	}
	accounts := nw.Dinas().Accounts
	for i := range officers {
		o := &officers[i]
		o.password = rand.Text() // fresh every run: the demo has no default password
		var err error
		if o.role == catalog.ADBSIAK {
			err = accounts.Bootstrap(o.user, o.name, o.password)
		} else {
			err = accounts.Create(o.user, o.name, []catalog.Role{o.role}, o.password, "adb")
		}
		if err != nil {
			return nil, fmt.Errorf("demo account %s: %w", o.user, err)
		}
	}
	if err := nw.WaitConverged(30 * time.Second); err != nil {
		return nil, fmt.Errorf("demo accounts: %w", err)
	}
	return officers, nil
}

// seedRegistry registers the tour's resident and her family card.
func seedRegistry(n *node.Node) error {
	siti := registry.Biodata{NIK: "1806015708900003", NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung", TanggalLahir: "1990-08-17",
		JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin", Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI",
		NamaIbu: "Rukiah", Address: registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung",
			KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}}
	if _, err := n.RegisterResident(siti, "Petugas Demo"); err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	if _, err := n.Residents.CreateFamily("1806010101150007", siti.NIK, siti.Address, "Petugas Demo"); err != nil {
		return fmt.Errorf("demo registry: %w", err)
	}
	return nil
}

func writeSamples(dir string) error {
	for name, seed := range map[string]int{"foto-kk.png": 1, "foto-ktp.png": 2} {
		if err := os.WriteFile(filepath.Join(dir, name), regency.Photo(seed), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func printDemo(out io.Writer, nw *regency.Regency, addrs []string, dir string, officers []demoOfficer) {
	fmt.Fprintf(out, "Sinkron demo: %s, %d nodes, data in %s\n\n", nw.Dinas().Roster().Regency(), len(nw.Nodes), dir)
	for i, n := range nw.Nodes {
		fmt.Fprintf(out, "  %-36s api %-24s console %s%s\n", n.Member().Office, addrs[i], addrs[i], console.Prefix)
	}
	fmt.Fprintf(out, "\nOfficer accounts (this run only; they replicate to every office, tokens last %d hours here):\n\n", int(demoTokenTTL.Hours()))
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  USER\tROLE\tSIGNS IN AT\tPASSWORD")
	pws := ""
	for _, o := range officers {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", o.user, o.role, o.at, o.password)
		pws += fmt.Sprintf(" PW_%s=%s", strings.ToUpper(o.user), o.password)
	}
	tw.Flush()
	kec, dinas := addrs[len(nw.DinasNodes())], addrs[0]
	third := addrs[min(2, len(nw.DinasNodes())-1)]
	fmt.Fprintf(out, `
In the browser (README.md, "A tour in the browser"): %[1]s/konsol/ as rina, then %[2]s/konsol/ as dewi and adb.

The tour (README.md, "A tour with the CLI"), in another terminal at the repository root:

  export K=%[1]s D=%[2]s D3=%[3]s DEMO_DIR=%[4]s
  export%[5]s
  go build -o sinkron ./cmd/sinkron
  login() { echo "$3" | ./sinkron login --user $1 --addr $2 --token-only; }
  as() { t=$1 a=$2; shift 2; SINKRON_TOKEN=$t SINKRON_ADDR=$a ./sinkron "$@"; }
  ADB_K=$(login adb $K $PW_ADB) ADB_D=$(login adb $D $PW_ADB) RINA=$(login rina $K $PW_RINA)
  DEWI=$(login dewi $D $PW_DEWI) SARI=$(login sari $D $PW_SARI) ANDI=$(login andi $D $PW_ANDI)
  as $ADB_K $K network offline
  as $RINA $K request create --nama "Siti Aminah" --nik 1806015708900003 --kk 1806010101150007 \
      --masalah "NIK tidak ditemukan di BPJS" --wa 081234567890 \
      --foto-kk $DEMO_DIR/foto-kk.png --foto-ktp $DEMO_DIR/foto-ktp.png
  as $RINA $K request approve ID --peran petugas-pendukung-pelayanan
  …

One officer at one office: eval $(echo $PW_RINA | ./sinkron login --user rina --addr $K) sets SINKRON_ADDR and SINKRON_TOKEN.

Outside clients (reflection needs no token, calls do):
  go tool -modfile=tools/go.mod buf curl --http2-prior-knowledge --list-methods $K

Ctrl-C stops the demo.
`, kec, dinas, third, dir, pws)
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
