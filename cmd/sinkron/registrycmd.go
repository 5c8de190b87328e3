package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// registryClient reads and changes the resident registry:
//
//	sinkron penduduk get NIK | daftar --isian K=V… | ubah NIK --kolom F --nilai V --alasan R | kk NIK
//	sinkron keluarga get KK | buat KK --kepala NIK --isian K=V… | tambah KK --nik NIK --hubungan H | keluar KK --nik NIK --alasan R
//	sinkron keluarga cetak KK [--pdf F] (dinas: signed KK) | periksa QR-TEXT (offline check)
func registryClient(ctx context.Context, what string, args []string, out io.Writer) error {
	fs := flag.NewFlagSet(what, flag.ContinueOnError)
	cn := clientFlags(fs)
	officer := fs.String("petugas", os.Getenv("SINKRON_OFFICER"), "nama petugas")
	fields := kv(fs, "isian", "isian NAMA=NILAI (boleh berulang)")
	field := fs.String("kolom", "", "kolom yang diubah")
	value := fs.String("nilai", "", "nilai baru")
	reason := fs.String("alasan", "", "alasan perubahan")
	head := fs.String("kepala", "", "NIK kepala keluarga")
	nik := fs.String("nik", "", "NIK anggota")
	relation := fs.String("hubungan", "", "hubungan dalam keluarga")
	pdf := fs.String("pdf", "", "simpan KK (PDF) ke berkas ini")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return fmt.Errorf("usage: sinkron %s get|daftar|ubah|kk|buat|tambah|keluar …", what)
	}
	cl := cn.dial()
	c := sinkronv1connect.NewRegistryServiceClient(cl.hc, cl.base)
	v := newView(ctx, cn, out)
	sub, id := pos[0], ""
	if len(pos) > 1 {
		id = pos[1]
	}
	switch what + " " + sub {
	case "penduduk get":
		r, err := c.GetResident(ctx, connect.NewRequest(&v1.GetResidentRequest{Nik: id}))
		return reply(v, r, err)
	case "penduduk daftar":
		r, err := c.RegisterResident(ctx, connect.NewRequest(&v1.RegisterResidentRequest{Fields: fields.m, Officer: *officer}))
		return reply(v, r, err)
	case "penduduk ubah":
		r, err := c.ChangeResident(ctx, connect.NewRequest(&v1.ChangeResidentRequest{Nik: id, Field: *field, Value: *value, Reason: *reason, Officer: *officer}))
		return reply(v, r, err)
	case "penduduk kk":
		r, err := c.FamiliesOf(ctx, connect.NewRequest(&v1.FamiliesOfRequest{Nik: id}))
		return reply(v, r, err)
	case "keluarga get":
		r, err := c.GetFamily(ctx, connect.NewRequest(&v1.GetFamilyRequest{Kk: id}))
		return reply(v, r, err)
	case "keluarga buat":
		r, err := c.CreateFamily(ctx, connect.NewRequest(&v1.CreateFamilyRequest{Kk: id, HeadNik: *head, Address: fields.m, Officer: *officer}))
		return reply(v, r, err)
	case "keluarga tambah":
		r, err := c.AddFamilyMember(ctx, connect.NewRequest(&v1.AddFamilyMemberRequest{Kk: id, Nik: *nik, Hubungan: *relation, Officer: *officer}))
		return reply(v, r, err)
	case "keluarga cetak":
		r, err := c.IssueKK(ctx, connect.NewRequest(&v1.GetFamilyRequest{Kk: id}))
		if err != nil || v.json {
			return reply(v, r, err)
		}
		fmt.Fprintf(out, "QR: %s\n", r.Msg.QrText)
		return savePDF(out, *pdf, connect.NewResponse(r.Msg.Pdf), nil)
	case "keluarga periksa":
		r, err := c.VerifyKK(ctx, connect.NewRequest(&v1.VerifyKKRequest{QrText: id}))
		return reply(v, r, err)
	case "keluarga keluar":
		r, err := c.RemoveFamilyMember(ctx, connect.NewRequest(&v1.RemoveFamilyMemberRequest{Kk: id, Nik: *nik, Reason: *reason, Officer: *officer}))
		return reply(v, r, err)
	}
	return fmt.Errorf("unknown command %q %q", what, sub)
}
