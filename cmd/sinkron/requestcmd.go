package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

var statuses = map[string]v1.Status{
	"baru": v1.Status_STATUS_BARU, "disetujui": v1.Status_STATUS_DISETUJUI, "dibatalkan": v1.Status_STATUS_DIBATALKAN,
	"diproses": v1.Status_STATUS_DIPROSES, "selesai": v1.Status_STATUS_SELESAI,
}

func requestClient(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: sinkron request create|list|get|copy|approve|cancel|process|step|finish|resolve|watch|services|logbook")
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("request "+sub, flag.ContinueOnError)
	cn := clientFlags(fs)
	f := requestFlags(fs)
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	c := cn.dial().req
	v := newView(ctx, cn, out)
	switch sub {
	case "create":
		return create(ctx, c, f, v)
	case "list":
		return list(ctx, c, f, v)
	case "watch":
		return watch(ctx, c, v)
	case "services":
		return services(ctx, c, v)
	case "logbook":
		if *f.pdf != "" {
			r, err := c.PrintLogbook(ctx, connect.NewRequest(&v1.GetLogbookRequest{Date: *f.date}))
			return savePDF(out, *f.pdf, r, err)
		}
		return logbook(ctx, c, *f.date, v)
	case "efek-ulang":
		r, err := c.RetryEffects(ctx, connect.NewRequest(&v1.RetryEffectsRequest{}))
		return reply(v, r, err)
	}
	if len(pos) == 0 {
		return fmt.Errorf("request %s: give the request ID", sub)
	}
	id := pos[0]
	move := func(to v1.Status) error {
		r, err := c.TransitionRequest(ctx, connect.NewRequest(&v1.TransitionRequestRequest{Id: id, To: to, Note: *f.note, Officer: *f.officer, Role: *f.role}))
		return reply(v, r, err)
	}
	switch sub {
	case "get":
		r, err := c.GetRequest(ctx, connect.NewRequest(&v1.GetRequestRequest{Id: id}))
		return reply(v, r, err)
	case "copy":
		r, err := c.PrintRequestCopy(ctx, connect.NewRequest(&v1.GetRequestRequest{Id: id}))
		return savePDF(out, *f.pdf, r, err)
	case "approve":
		return move(v1.Status_STATUS_DISETUJUI)
	case "cancel":
		return move(v1.Status_STATUS_DIBATALKAN)
	case "process":
		return move(v1.Status_STATUS_DIPROSES)
	case "finish":
		return move(v1.Status_STATUS_SELESAI)
	case "step":
		if len(pos) < 2 {
			return fmt.Errorf("request step: give the ID and the step (see `sinkron request services`)")
		}
		m := &v1.CompleteStepRequest{Id: id, Step: pos[1], Note: *f.note, Officer: *f.officer, Role: *f.role}
		if err := stepInputs(m, *f.input, *f.blank); err != nil {
			return err
		}
		r, err := c.CompleteStep(ctx, connect.NewRequest(m))
		return reply(v, r, err)
	case "efek":
		if len(pos) < 2 {
			return fmt.Errorf("request efek: berikan ID permohonan dan langkahnya")
		}
		r, err := c.SettleEffect(ctx, connect.NewRequest(&v1.SettleEffectRequest{Id: id, Step: pos[1], Note: *f.note, Officer: *f.officer}))
		return reply(v, r, err)
	case "resolve":
		r, err := c.ResolveConflict(ctx, connect.NewRequest(&v1.ResolveConflictRequest{Id: id, Field: *f.field, ChosenEventId: *f.event, Note: *f.note, Officer: *f.officer}))
		return reply(v, r, err)
	}
	return fmt.Errorf("unknown request command %q", sub)
}

type reqFlags struct {
	nama, nik, kk, masalah, wa, fotoKK, fotoKTP, officer, note, status, field, event *string
	service, path, role, date, input, pdf, office, holder, step                      *string
	blank                                                                            *uint64
	fields                                                                           *kvFlag
	docs                                                                             *kvFlag
	konflik                                                                          *bool
}

func requestFlags(fs *flag.FlagSet) reqFlags {
	return reqFlags{
		nama: fs.String("nama", "", "nama pemohon"), nik: fs.String("nik", "", "NIK pemohon"), kk: fs.String("kk", "", "nomor KK"),
		masalah: fs.String("masalah", "", "permasalahan data"), wa: fs.String("wa", "", "nomor WA (08…)"),
		fotoKK: fs.String("foto-kk", "", "foto Kartu Keluarga (JPEG/PNG)"), fotoKTP: fs.String("foto-ktp", "", "foto KTP-el (JPEG/PNG)"),
		officer: fs.String("petugas", os.Getenv("SINKRON_OFFICER"), "nama petugas"), note: fs.String("catatan", "", "catatan petugas"),
		status: fs.String("status", "", "filter status"), field: fs.String("field", "status", "kolom konflik"), event: fs.String("event", "", "event yang dipilih"),
		konflik: fs.Bool("konflik", false, "hanya yang konflik"),
		service: fs.String("layanan", "", "layanan (lihat `sinkron request services`); kosong: sinkronisasi-data"),
		path:    fs.String("jalur", "", "jalur layanan (A, B, kecamatan, dinas, …)"),
		role:    fs.String("peran", os.Getenv("SINKRON_ROLE"), "peran petugas (petugas-pendukung-pelayanan, operator-dinas, kasi-data, adb-siak, …)"),
		date:    fs.String("tanggal", "", "tanggal buku harian (YYYY-MM-DD; kosong: hari ini)"),
		input:   fs.String("masukan", "", "masukan langkah JENIS=FILE (iso-template=…, printed-card=…)"),
		blank:   fs.Uint64("blangko", 0, "nomor seri blangko KTP-el yang dicetak"),
		pdf:     fs.String("pdf", "", "simpan PDF ke berkas ini (copy, logbook)"),
		office:  fs.String("kantor", "", "filter: diajukan di kantor ini"),
		holder:  fs.String("berkas-di", "", "filter: berkas sedang di kecamatan|dinas|mobile"),
		step:    fs.String("langkah", "", "filter: langkah yang sedang dikerjakan"),
		fields:  kv(fs, "isian", "isian formulir NAMA=NILAI (boleh berulang)"),
		docs:    kv(fs, "dokumen", "dokumen NAMA=FILE foto (boleh berulang)"),
	}
}

func create(ctx context.Context, c interface {
	CreateRequest(context.Context, *connect.Request[v1.CreateRequestRequest]) (*connect.Response[v1.CreateRequestResponse], error)
}, f reqFlags, v *view) error {
	m := &v1.CreateRequestRequest{ApplicantName: *f.nama, Nik: *f.nik, Kk: *f.kk, Problem: *f.masalah, Whatsapp: *f.wa, Officer: *f.officer, Channel: v1.Channel_CHANNEL_LANGSUNG,
		Service: *f.service, Path: *f.path, Fields: f.fields.m}
	for name, path := range f.docs.m {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m.Documents = append(m.Documents, &v1.DocumentUpload{Name: name, Content: b})
	}
	for kind, path := range map[v1.DocumentKind]string{v1.DocumentKind_DOCUMENT_KIND_FOTO_KK: *f.fotoKK, v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL: *f.fotoKTP} {
		if path == "" {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		m.Documents = append(m.Documents, &v1.DocumentUpload{Kind: kind, Content: b})
	}
	r, err := c.CreateRequest(ctx, connect.NewRequest(m))
	return reply(v, r, err)
}

func list(ctx context.Context, c interface {
	ListRequests(context.Context, *connect.Request[v1.ListRequestsRequest]) (*connect.Response[v1.ListRequestsResponse], error)
}, f reqFlags, v *view) error {
	st, ok := statuses[strings.ToLower(*f.status)]
	if *f.status != "" && !ok {
		return fmt.Errorf("status %q tidak dikenal", *f.status)
	}
	r, err := c.ListRequests(ctx, connect.NewRequest(&v1.ListRequestsRequest{Status: st, ConflictOnly: *f.konflik, PageSize: 500,
		Office: *f.office, Holder: *f.holder, Step: *f.step, Service: *f.service}))
	if err != nil || v.json {
		return reply(v, r, err)
	}
	if len(r.Msg.Requests) == 0 {
		_, err := fmt.Fprintln(v.out, "Tidak ada permohonan.")
		return err
	}
	tw := tabwriter.NewWriter(v.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLAYANAN\tSTATUS\tLANGKAH\tPEMOHON\tNIK\tKANTOR\tBERKAS DI\tKONFLIK")
	for _, q := range r.Msg.Requests {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.Id, q.Service, statusLabel(q.Status), atStep(q),
			q.ApplicantName, q.Nik, q.Office, q.Holder, yaTidak(q.Conflict))
	}
	return tw.Flush()
}

func watch(ctx context.Context, c interface {
	WatchRequests(context.Context, *connect.Request[v1.WatchRequestsRequest]) (*connect.ServerStreamForClient[v1.WatchRequestsResponse], error)
}, v *view) error {
	s, err := c.WatchRequests(ctx, connect.NewRequest(&v1.WatchRequestsRequest{}))
	if err != nil {
		return err
	}
	for s.Receive() {
		if v.json {
			if err := showJSON(v.out, s.Msg()); err != nil {
				return err
			}
			continue
		}
		q := s.Msg().Request
		konflik := ""
		if q.Conflict {
			konflik = "\tKONFLIK"
		}
		// One line per change, as it comes: a tail, not a table.
		fmt.Fprintf(v.out, "%s\t%s\t%s\t%s\t%s\t%s%s\n", v.when(q.UpdatedAt), q.Id, statusLabel(q.Status), atStep(q), q.ApplicantName, q.Office, konflik)
	}
	if ctx.Err() != nil {
		return nil
	}
	return s.Err()
}

// atStep is the request's step at hand, with an overdue mark.
func atStep(q *v1.Request) string {
	for _, st := range q.Steps {
		if !st.Done {
			if st.Overdue {
				return st.Name + " (terlambat)"
			}
			return st.Name
		}
	}
	return "-"
}
