package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

const institusiUsage = `usage: sinkron institusi daftar NAMA [--per-detik N] [--burst N] [--berkas cert.pem]
       sinkron institusi kunci-baru ID
       sinkron institusi sertifikat ID --berkas cert.pem
       sinkron institusi kuota ID --per-detik N [--burst N]
       sinkron institusi pemakaian [ID] [--sejak 24h]`

// institutionClient administers the institutions that check NIKs against
// the DWH, on a dinas server:
//
//	sinkron institusi daftar|kunci-baru|sertifikat|kuota|pemakaian
func institutionClient(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("institusi", flag.ContinueOnError)
	cn := clientFlags(fs)
	perSecond := fs.Float64("per-detik", 0, "kuota: panggilan per detik (0: bawaan 50)")
	burst := fs.Int("burst", 0, "kuota: panggilan sekaligus (0: bawaan)")
	since := fs.Duration("sejak", 24*time.Hour, "pemakaian sejak berapa lama")
	certFile := fs.String("berkas", "", "sertifikat klien instansi (PEM); disimpan hanya hash kunci publiknya")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	var certPEM []byte
	if *certFile != "" {
		if certPEM, err = os.ReadFile(*certFile); err != nil {
			return fmt.Errorf("berkas sertifikat: %w", err)
		}
	}
	cl := cn.dial()
	c := sinkronv1connect.NewInstitutionAdminServiceClient(cl.hc, cl.base)
	v := newView(ctx, cn, out)
	switch {
	case len(pos) == 2 && pos[0] == "daftar":
		r, err := c.RegisterInstitution(ctx, connect.NewRequest(&v1.RegisterInstitutionRequest{Name: pos[1], PerSecond: *perSecond,
			Burst: int32(*burst), CertificatePem: certPEM}))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "instansi %s terdaftar dengan ID %s\nkunci API (hanya ditampilkan sekali): %s\n", pos[1], r.Msg.Id, r.Msg.ApiKey)
		if err == nil && certPEM != nil {
			_, err = fmt.Fprintf(out, "sertifikat klien terdaftar: %s\n", *certFile)
		}
		return err
	case len(pos) == 2 && pos[0] == "sertifikat" && certPEM != nil:
		r, err := c.SetInstitutionCertificate(ctx, connect.NewRequest(&v1.SetInstitutionCertificateRequest{Id: pos[1], CertificatePem: certPEM}))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "sertifikat klien %s terdaftar (SHA-256 kunci publik %s); sertifikat sebelumnya tidak berlaku lagi, kunci API tetap berlaku\n",
			pos[1], r.Msg.SpkiSha256)
		return err
	case len(pos) == 2 && pos[0] == "kunci-baru":
		r, err := c.RotateInstitutionKey(ctx, connect.NewRequest(&v1.RotateInstitutionKeyRequest{Id: pos[1]}))
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(out, "kunci API baru (kunci lama tidak berlaku lagi): %s\n", r.Msg.ApiKey)
		return err
	case len(pos) == 2 && pos[0] == "kuota" && *perSecond > 0:
		_, err := c.SetInstitutionQuota(ctx, connect.NewRequest(&v1.SetInstitutionQuotaRequest{Id: pos[1], PerSecond: *perSecond, Burst: int32(*burst)}))
		if err == nil {
			_, err = fmt.Fprintf(out, "kuota %s: %g per detik\n", pos[1], *perSecond)
		}
		return err
	case len(pos) >= 1 && len(pos) <= 2 && pos[0] == "pemakaian":
		req := &v1.InstitutionUsageRequest{Since: timestamppb.New(time.Now().Add(-*since))}
		if len(pos) == 2 {
			req.Id = pos[1]
		}
		r, err := c.InstitutionUsage(ctx, connect.NewRequest(req))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		return usageTable(v, r.Msg.Institutions)
	}
	return fmt.Errorf("%s", institusiUsage)
}

func usageTable(v *view, us []*v1.InstitutionUsage) error {
	tw := tabwriter.NewWriter(v.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tINSTANSI\tKUOTA/DETIK\tSERTIFIKAT\tCEK\tDITOLAK\tSINKRONISASI\tTERAKHIR")
	for _, u := range us {
		last := v.when(u.LastCall)
		cert := "tidak"
		if u.Certificate {
			cert = "ya"
		}
		fmt.Fprintf(tw, "%s\t%s\t%g\t%s\t%d\t%d\t%d\t%s\n", u.Id, u.Name, u.PerSecond, cert, u.Checks, u.Refused, u.SyncsOpened, last)
	}
	return tw.Flush()
}
