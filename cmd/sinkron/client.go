package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// clients are Connect clients for one node, over h2c so streams work.
type clients struct {
	req  sinkronv1connect.RequestServiceClient
	node sinkronv1connect.NodeServiceClient
	hc   *http.Client
	base string
}

// dialAs connects to the node at addr, signing every call with token (none
// when empty).
func dialAs(addr, token string) clients {
	if !strings.Contains(addr, "://") {
		addr = "http://" + addr
	}
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	hc := &http.Client{Transport: withToken{&http.Transport{Protocols: p}, token}}
	return clients{
		req:  sinkronv1connect.NewRequestServiceClient(hc, addr),
		node: sinkronv1connect.NewNodeServiceClient(hc, addr),
		hc:   hc, base: addr,
	}
}

// withToken signs every call with the officer's token from `sinkron login`
// (SINKRON_TOKEN), when there is one.
type withToken struct {
	next  http.RoundTripper
	token string
}

func (w withToken) RoundTrip(r *http.Request) (*http.Response, error) {
	if w.token != "" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+w.token)
	}
	return w.next.RoundTrip(r)
}

// conn is what every client command takes from its command line besides
// its own flags: the node, the officer's token and the form of the output.
// These are the global flags, accepted before the command too (globals).
type conn struct {
	addr, token *string
	json        *bool
}

// clientFlags registers the global flags on a client command's flag set,
// with their defaults from the environment `eval $(sinkron login)` sets.
func clientFlags(fs *flag.FlagSet) conn {
	def := os.Getenv("SINKRON_ADDR")
	if def == "" {
		def = "http://127.0.0.1:8080"
	}
	return conn{
		addr:  fs.String("addr", def, "alamat API node ($SINKRON_ADDR)"),
		token: fs.String("token", os.Getenv("SINKRON_TOKEN"), "token petugas dari `sinkron login` ($SINKRON_TOKEN)"),
		json:  fs.Bool("json", false, "cetak jawaban sebagai JSON (untuk skrip)"),
	}
}

func (c conn) dial() clients { return dialAs(*c.addr, *c.token) }

// globalFlags are the flags every client command takes, so they may stand
// before the command: `sinkron --addr K request list`.
var globalFlags = map[string]bool{"addr": true, "token": true, "json": false} // name → takes a value

// hoist moves global flags that stand before the command to after it,
// where the command's own flag set parses them: flags stay one set per
// command, and `sinkron --addr K status` means `sinkron status --addr K`.
func hoist(args []string) []string {
	var globals []string
	for len(args) > 0 {
		name, _, hasValue := strings.Cut(strings.TrimLeft(args[0], "-"), "=")
		takesValue, ok := globalFlags[name]
		if !ok || !strings.HasPrefix(args[0], "-") {
			break
		}
		n := 1
		if takesValue && !hasValue && len(args) > 1 {
			n = 2
		}
		globals, args = append(globals, args[:n]...), args[n:]
	}
	if len(args) == 0 {
		return nil // global flags and no command: the usage
	}
	return append(append([]string{args[0]}, args[1:]...), globals...)
}

func nodeClient(ctx context.Context, cmd string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	cn := clientFlags(fs)
	vvOut := fs.String("out", "", "berkas untuk `vv`")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	c := cn.dial().node
	v := newView(ctx, cn, out)
	switch cmd {
	case "status":
		r, err := c.GetStatus(ctx, connect.NewRequest(&v1.GetStatusRequest{}))
		return reply(v, r, err)
	case "peers":
		r, err := c.ListPeers(ctx, connect.NewRequest(&v1.ListPeersRequest{}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		return peersTable(v, r.Msg.Peers)
	case "conflicts":
		r, err := c.ListConflicts(ctx, connect.NewRequest(&v1.ListConflictsRequest{}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		return conflictsTable(out, r.Msg.Entities)
	case "sync":
		r, err := c.SyncNow(ctx, connect.NewRequest(&v1.SyncNowRequest{}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		_, err = fmt.Fprintf(out, "Disinkronkan dengan %d kantor.\n", r.Msg.Peers)
		return err
	case "network":
		if len(pos) != 1 || (pos[0] != "offline" && pos[0] != "online") {
			return fmt.Errorf("usage: sinkron network offline|online")
		}
		r, err := c.SetNetwork(ctx, connect.NewRequest(&v1.SetNetworkRequest{Online: pos[0] == "online"}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		_, err = fmt.Fprintf(out, "jaringan node: %s\n", map[bool]string{true: "daring", false: "luring"}[r.Msg.Online])
		return err
	case "vv":
		r, err := c.GetStatus(ctx, connect.NewRequest(&v1.GetStatusRequest{}))
		if err != nil {
			return err
		}
		// The vector is data for `bundle export --since`, not a report: it
		// is JSON whatever --json says.
		b, _ := protojson.Marshal(&v1.ExportBundleRequest{Since: r.Msg.VersionVector})
		if *vvOut == "" {
			_, err = fmt.Fprintln(out, string(b))
			return err
		}
		if err := os.WriteFile(*vvOut, b, 0o644); err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "vektor versi %s (%d asal) ditulis ke %s; bawa ke kantor yang punya datanya: sinkron bundle export --since %s --out BERKAS\n",
			r.Msg.Office, len(r.Msg.VersionVector), *vvOut, *vvOut)
		return err
	}
	return nil
}

func peersTable(v *view, ps []*v1.Peer) error {
	tw := tabwriter.NewWriter(v.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KANTOR\tPERAN\tTERHUBUNG\tSINKRON TERAKHIR\tMEREKA KURANG\tKITA KURANG\tSELISIH JAM ms\tTERKIRIM\tDITERIMA\tGALAT")
	for _, p := range ps {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", p.Office, p.Role, yaTidak(p.Connected), v.when(p.LastSync), p.PeerLacks, p.WeLack, p.ClockSkewMs, p.EventsSent, p.EventsReceived, p.LastError)
	}
	return tw.Flush()
}

// conflictsTable lists the entities with concurrent edits to resolve.
func conflictsTable(out io.Writer, es []*v1.ConflictEntity) error {
	if len(es) == 0 {
		_, err := fmt.Fprintln(out, "Tidak ada konflik.")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JENIS\tID\tKOLOM")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.Kind, e.Id, strings.Join(e.Fields, ", "))
	}
	return tw.Flush()
}

// parseArgs parses flags that may come before or after positional
// arguments (`request approve ID --petugas X`) and returns the positionals.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	var pos []string
	for fs.NArg() > 0 {
		pos = append(pos, fs.Arg(0))
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return nil, err
		}
	}
	return pos, nil
}
