package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// noticeClient lists the resident notices the outbox gave up on and puts
// one back in the queue:
//
//	sinkron pemberitahuan gagal | ulang ID
func noticeClient(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("pemberitahuan", flag.ContinueOnError)
	cn := clientFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	c := cn.dial().node
	v := newView(ctx, cn, out)
	switch {
	case len(pos) == 1 && pos[0] == "gagal":
		r, err := c.ListFailedNotices(ctx, connect.NewRequest(&v1.ListFailedNoticesRequest{}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		if len(r.Msg.Notices) == 0 {
			_, err := fmt.Fprintln(out, "Tidak ada pemberitahuan yang gagal.")
			return err
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tPERMOHONAN\tKE\tWAKTU\tMUNGKIN TERKIRIM\tGALAT")
		for _, n := range r.Msg.Notices {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", n.Id, n.RequestId, n.To, v.when(n.At), yaTidak(n.Uncertain), n.Error)
		}
		return tw.Flush()
	case len(pos) == 2 && pos[0] == "ulang":
		r, err := c.RetryNotice(ctx, connect.NewRequest(&v1.RetryNoticeRequest{Id: pos[1]}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		_, err = fmt.Fprintln(out, "dimasukkan lagi ke antrean kirim:", pos[1])
		return err
	}
	return fmt.Errorf("usage: sinkron pemberitahuan gagal | ulang ID")
}

// auditClient lists who changed or read what:
//
//	sinkron audit [--petugas NAMA] [--nik NIK]
func auditClient(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	cn := clientFlags(fs)
	officer := fs.String("petugas", "", "bagian dari nama petugas")
	nik := fs.String("nik", "", "NIK yang bersangkutan")
	if _, err := parseArgs(fs, args); err != nil {
		return err
	}
	r, err := cn.dial().node.QueryAudit(ctx, connect.NewRequest(&v1.QueryAuditRequest{Officer: *officer, Nik: *nik}))
	v := newView(ctx, cn, out)
	if err != nil || v.json {
		return reply(v, r, err)
	}
	if len(r.Msg.Entries) == 0 {
		_, err := fmt.Fprintln(out, "Tidak ada catatan audit.")
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "WAKTU\tPETUGAS\tKANTOR\tJENIS\tENTITAS")
	for _, e := range r.Msg.Entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", v.when(e.At), e.Officer, e.Office, e.Type, e.Entity)
	}
	return tw.Flush()
}
