package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/encoding/protojson"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// bundleClient moves a flash-disk bundle: export from the node that has the
// data (given the target's vector from `sinkron vv`), import at the other.
func bundleClient(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: sinkron bundle export|import")
	}
	sub := args[0]
	fs := flag.NewFlagSet("bundle "+sub, flag.ContinueOnError)
	cn := clientFlags(fs)
	path := fs.String("out", "", "bundle file to write")
	since := fs.String("since", "", "the target's version vector (from `sinkron vv --out`); empty exports everything")
	noDocs := fs.Bool("no-documents", false, "leave photos out")
	pos, err := parseArgs(fs, args[1:])
	if err != nil {
		return err
	}
	c := cn.dial().node
	switch sub {
	case "export":
		if *path == "" {
			return fmt.Errorf("bundle export: --out FILE is required")
		}
		return export(ctx, c, *path, *since, !*noDocs, out)
	case "import":
		if len(pos) != 1 {
			return fmt.Errorf("bundle import: give the bundle file")
		}
		return importBundle(ctx, c, pos[0], newView(ctx, cn, out))
	}
	return fmt.Errorf("unknown bundle command %q", sub)
}

func export(ctx context.Context, c nodeService, path, sincePath string, docs bool, out io.Writer) error {
	req := &v1.ExportBundleRequest{}
	if sincePath != "" {
		b, err := os.ReadFile(sincePath)
		if err != nil {
			return err
		}
		if err := protojson.Unmarshal(b, req); err != nil {
			return fmt.Errorf("read %s: %w", sincePath, err)
		}
	}
	req.IncludeDocuments = docs
	s, err := c.ExportBundle(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	tmp := path + ".part"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	n := 0
	for s.Receive() {
		k, err := f.Write(s.Msg().Chunk)
		n += k
		if err != nil {
			f.Close()
			return err
		}
	}
	if err := s.Err(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "bundle ditulis: %s (%d byte)\n", path, n)
	return os.Rename(tmp, path)
}

func importBundle(ctx context.Context, c nodeService, path string, v *view) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s := c.ImportBundle(ctx)
	buf := make([]byte, 1<<20)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			if serr := s.Send(&v1.ImportBundleRequest{Chunk: buf[:n]}); serr != nil {
				break // the server refused; CloseAndReceive says why
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	r, err := s.CloseAndReceive()
	if err != nil || v.json {
		return reply(v, r, err)
	}
	// Every count, zeros too: "0 diterapkan" is the news that the bundle
	// brought nothing new.
	_, err = fmt.Fprintf(v.out, "Bundle %s diimpor: %d event baru diterapkan, %d sudah ada, %d dokumen.\n",
		path, r.Msg.EventsApplied, r.Msg.EventsDuplicate, r.Msg.Documents)
	return err
}

type nodeService interface {
	ExportBundle(context.Context, *connect.Request[v1.ExportBundleRequest]) (*connect.ServerStreamForClient[v1.ExportBundleResponse], error)
	ImportBundle(context.Context) *connect.ClientStreamForClient[v1.ImportBundleRequest, v1.ImportBundleResponse]
}
