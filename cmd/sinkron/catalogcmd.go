package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/document"
	"github.com/sinkron-id/sinkron/node/zone"
)

// kvFlag collects repeated NAME=VALUE flags.
type kvFlag struct{ m map[string]string }

func kv(fs *flag.FlagSet, name, usage string) *kvFlag {
	f := &kvFlag{m: map[string]string{}}
	fs.Var(f, name, usage)
	return f
}

func (f *kvFlag) String() string { return fmt.Sprint(f.m) }

func (f *kvFlag) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("%q: want NAMA=NILAI", s)
	}
	f.m[k] = v
	return nil
}

// stepInputs reads a step's input file (KIND=FILE) into the request.
func stepInputs(m *v1.CompleteStepRequest, input string, blank uint64) error {
	if input == "" {
		if blank > 0 {
			m.Inputs = append(m.Inputs, &v1.StepInput{Kind: "printed-card", Content: []byte(fmt.Sprint(blank)), BlankSerial: blank})
		}
		return nil
	}
	kind, path, ok := strings.Cut(input, "=")
	if !ok {
		return fmt.Errorf("--masukan %q: want JENIS=FILE", input)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	m.Inputs = append(m.Inputs, &v1.StepInput{Kind: kind, Content: b, BlankSerial: blank})
	return nil
}

func services(ctx context.Context, c interface {
	ListServices(context.Context, *connect.Request[v1.ListServicesRequest]) (*connect.Response[v1.ListServicesResponse], error)
}, v *view) error {
	r, err := c.ListServices(ctx, connect.NewRequest(&v1.ListServicesRequest{}))
	if err != nil || v.json {
		return reply(v, r, err)
	}
	out := v.out
	for _, s := range r.Msg.Services {
		fmt.Fprintf(out, "%s — %s (%s)\n", s.Name, s.Title, s.Source)
		var fields []string
		for _, f := range s.Fields {
			fields = append(fields, f.Name)
		}
		fmt.Fprintf(out, "  isian: %s\n", strings.Join(fields, ", "))
		printDocuments(out, s.Documents)
		for _, p := range s.Paths {
			fmt.Fprintf(out, "  jalur %s (mulai di %s): %s\n", p.Name, p.Start, p.Title)
			for _, st := range p.Steps {
				extra := ""
				if st.No == 0 {
					extra = " (langkah dari SOP lain)"
				}
				if len(st.Waits) > 0 {
					extra += " [menunggu keputusan: " + strings.Join(st.Waits, ", ") + "]"
				}
				fmt.Fprintf(out, "    %s %-28s %-28s %-10s %s%s\n", stepNo(st.No), st.Name, st.Role, st.Office, lama(time.Duration(st.StandardSeconds)*time.Second), extra)
			}
		}
	}
	return nil
}

// printDocuments lists a service's documents by the names a form and the
// CLI's --dokumen use, with what the counter does with each.
func printDocuments(out io.Writer, docs []*v1.DocumentRequirement) {
	if len(docs) == 0 {
		return
	}
	fmt.Fprintln(out, "  dokumen:")
	for _, d := range docs {
		need := "tidak wajib"
		if d.Required {
			need = "wajib"
		}
		var how []string
		if d.Upload {
			how = append(how, "foto diunggah")
		}
		if d.Paper != "" {
			how = append(how, "kertas "+d.Paper)
		}
		fmt.Fprintf(out, "    %-28s %s (%s; %s)\n", d.Name, d.Title, need, strings.Join(how, ", "))
	}
}

// stepNo is a step's box number in its SOP section. A step taken from
// another section has none (No 0): printing "0." would put it first in
// the reader's eye while it runs where the path puts it.
func stepNo(no int32) string {
	if no == 0 {
		return " — "
	}
	return fmt.Sprintf("%2d.", no)
}

func logbook(ctx context.Context, c interface {
	GetLogbook(context.Context, *connect.Request[v1.GetLogbookRequest]) (*connect.Response[v1.GetLogbookResponse], error)
}, date string, v *view) error {
	r, err := c.GetLogbook(ctx, connect.NewRequest(&v1.GetLogbookRequest{Date: date}))
	if err != nil || v.json {
		return reply(v, r, err)
	}
	fmt.Fprintf(v.out, "Buku harian %s, %s\n", r.Msg.Office, r.Msg.Date)
	if len(r.Msg.Entries) == 0 {
		_, err := fmt.Fprintln(v.out, "Tidak ada pelayanan yang tercatat pada tanggal ini.")
		return err
	}
	tw := tabwriter.NewWriter(v.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JAM\tPERMOHONAN\tLAYANAN\tPEMOHON\tPETUGAS\tKEGIATAN\tCATATAN")
	for _, e := range r.Msg.Entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", zone.Clock(e.At.AsTime(), v.zone()), e.RequestId, e.Service, e.ApplicantName, e.Officer, e.What, e.Note)
	}
	return tw.Flush()
}

// lama is a time standard as officers read it ("1 hari 2 jam").
func lama(d time.Duration) string { return document.Durasi(d) }

// savePDF writes a rendered document to path (default: its own name).
func savePDF(out io.Writer, path string, r *connect.Response[v1.PdfDocument], err error) error {
	if err != nil {
		return err
	}
	if path == "" {
		path = r.Msg.Filename
	}
	if err := os.WriteFile(path, r.Msg.Content, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(out, "PDF ditulis: %s (%d byte)\n", path, len(r.Msg.Content))
	return nil
}
