package api

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// A counter registers a resident, files their family card and looks both
// up by NIK and KK; bad input is refused with the code a client can act on.
func TestRegistryThroughTheAPI(t *testing.T) {
	nw, srv := serve(t)
	c := sinkronv1connect.NewRegistryServiceClient(srv.Client(), srv.URL)
	ctx := context.Background()
	address := map[string]string{"alamat": "Jl. Tongkol No. 12", "rt": "1", "rw": "2", "desa_kelurahan": "Pancuran Gerobak",
		"kecamatan": "Sibolga Kota", "kabupaten_kota": "Kota Sibolga", "provinsi": "Sumatera Utara"}
	fields := map[string]string{"nik": "1271011708900001", "nama_lengkap": "Budi Santoso", "tempat_lahir": "Sibolga",
		"tanggal_lahir": "1990-08-17", "jenis_kelamin": "Laki-laki", "agama": "Islam", "status_perkawinan": "Kawin",
		"pekerjaan": "Nelayan", "kewarganegaraan": "WNI", "nama_ibu": "sri rahayu"}
	for k, v := range address {
		fields[k] = v
	}
	if _, err := c.RegisterResident(ctx, connect.NewRequest(&v1.RegisterResidentRequest{Fields: fields, Officer: "Rina"})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateFamily(ctx, connect.NewRequest(&v1.CreateFamilyRequest{Kk: "1271010103200001", HeadNik: "1271011708900001", Address: address, Officer: "Rina"})); err != nil {
		t.Fatal(err)
	}
	r, err := c.GetResident(ctx, connect.NewRequest(&v1.GetResidentRequest{Nik: "1271011708900001"}))
	if err != nil || r.Msg.Resident.Fields["nama_lengkap"] != "BUDI SANTOSO" || r.Msg.Resident.Fields["nama_ibu"] != "SRI RAHAYU" {
		t.Fatalf("resident: %v %v", r, err)
	}
	f, err := c.FamiliesOf(ctx, connect.NewRequest(&v1.FamiliesOfRequest{Nik: "1271011708900001"}))
	if err != nil || len(f.Msg.Families) != 1 || f.Msg.Families[0].HeadNik != "1271011708900001" {
		t.Fatalf("families of: %v %v", f, err)
	}
	refused := []struct {
		name string
		call func() error
		code connect.Code
	}{
		{"unknown NIK", func() error {
			_, err := c.GetResident(ctx, connect.NewRequest(&v1.GetResidentRequest{Nik: "1271011708900009"}))
			return err
		}, connect.CodeNotFound},
		{"registered twice", func() error {
			_, err := c.RegisterResident(ctx, connect.NewRequest(&v1.RegisterResidentRequest{Fields: fields, Officer: "Rina"}))
			return err
		}, connect.CodeAlreadyExists},
		{"unknown field", func() error {
			_, err := c.ChangeResident(ctx, connect.NewRequest(&v1.ChangeResidentRequest{Nik: "1271011708900001", Field: "gaji", Value: "1", Reason: "x", Officer: "Rina"}))
			return err
		}, connect.CodeInvalidArgument},
		{"unknown KK", func() error {
			_, err := c.GetFamily(ctx, connect.NewRequest(&v1.GetFamilyRequest{Kk: "12"}))
			return err
		}, connect.CodeNotFound},
	}
	for _, tc := range refused {
		if err := tc.call(); connect.CodeOf(err) != tc.code {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.code)
		}
	}

	// The dinas signs the card; the kecamatan checks its QR code offline.
	if _, err := c.IssueKK(ctx, connect.NewRequest(&v1.GetFamilyRequest{Kk: "1271010103200001"})); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("KK issued at a kecamatan: %v", err)
	}
	dsrv := httptest.NewUnstartedServer(NewHandler(nw.Dinas()))
	dsrv.EnableHTTP2 = true
	dsrv.StartTLS()
	defer dsrv.Close()
	if err := nw.WaitConverged(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	signIn(t, dsrv, nw.Dinas(), "uji") // the account came with the sync; a token is per node
	kk, err := sinkronv1connect.NewRegistryServiceClient(dsrv.Client(), dsrv.URL).IssueKK(ctx, connect.NewRequest(&v1.GetFamilyRequest{Kk: "1271010103200001"}))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(kk.Msg.Pdf.Content, []byte("%PDF-")) {
		t.Fatal("KK is not a PDF")
	}
	v, err := c.VerifyKK(ctx, connect.NewRequest(&v1.VerifyKKRequest{QrText: kk.Msg.QrText}))
	if err != nil || v.Msg.Kk != "1271010103200001" || v.Msg.HeadName != "BUDI SANTOSO" {
		t.Fatalf("verify: %v %v", v, err)
	}
	forged := []byte(kk.Msg.QrText)
	forged[len(forged)/2] ^= 1
	if _, err := c.VerifyKK(ctx, connect.NewRequest(&v1.VerifyKKRequest{QrText: string(forged)})); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("forged QR: %v", err)
	}
}
