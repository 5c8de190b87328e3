package testnet

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/registry"
)

// The mother's name recorded with a resident's biodata reaches the
// warehouse, and an institution's check compares it as names are compared
// (case and spacing aside); a resident recorded before the field existed
// is answered TIDAK TERSEDIA for it, not TIDAK SESUAI.
func TestInstitutionChecksTheMothersName(t *testing.T) {
	pg := pgtest.Start(t)
	nw, err := Start(t.TempDir(), Options{Configure: func(c *node.Config) { c.DWH.DSN = pg.DSN() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	dinas := nw.Dinas()
	resident := func(nik, ibu string) registry.Biodata {
		return registry.Biodata{NIK: nik, NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung", TanggalLahir: "1990-08-17",
			JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin", Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI",
			NamaIbu: ibu, Address: registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan",
				Kecamatan: "Kota Agung", KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}}
	}
	withName, without := "1806015708900011", "1806015708900012"
	r, err := dinas.RegisterResident(resident(withName, "rukiah binti ahmad"), "Petugas")
	if err != nil {
		t.Fatal(err)
	}
	if r.NamaIbu != "RUKIAH BINTI AHMAD" {
		t.Fatalf("recorded mother's name %q, want it in capitals as names are recorded", r.NamaIbu)
	}
	if _, err := dinas.RegisterResident(resident(without, ""), "Petugas"); err != nil {
		t.Fatal(err)
	}

	svc := dinas.Institutions()
	var key string
	waitFor(t, "the warehouse's schema", func() bool {
		_, key, err = svc.Registry.Register(context.Background(), "Bank Lampung", 1000, 1000)
		return err == nil
	})
	srv := httptest.NewServer(api.NewInstitutionHandler(dinas))
	t.Cleanup(srv.Close)
	c := sinkronv1connect.NewInstitutionServiceClient(srv.Client(), srv.URL)
	calls := 0
	mother := func(nik, ibu string) v1.Match {
		calls++
		req := connect.NewRequest(&v1.CheckRequest{RequestId: fmt.Sprintf("ibu-%06d", calls), SentAt: timestamppb.Now(), Nik: nik, NamaIbu: ibu})
		req.Header().Set("Authorization", "Bearer "+key)
		a, err := c.Check(context.Background(), req)
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		for _, f := range a.Msg.Fields {
			if f.Field == "nama_ibu" {
				return f.Match
			}
		}
		return v1.Match_MATCH_UNSPECIFIED // not in the warehouse yet
	}
	waitFor(t, "both residents in the warehouse", func() bool {
		return mother(withName, "x") != v1.Match_MATCH_UNSPECIFIED && mother(without, "x") != v1.Match_MATCH_UNSPECIFIED
	})
	for _, tc := range []struct {
		name, nik, sent string
		want            v1.Match
	}{
		{"the same name written otherwise", withName, "  Rukiah Binti  AHMAD ", v1.Match_MATCH_SESUAI},
		{"another name", withName, "Rukiyah", v1.Match_MATCH_TIDAK_SESUAI},
		{"a record made without it", without, "Rukiah binti Ahmad", v1.Match_MATCH_TIDAK_TERSEDIA},
	} {
		if got := mother(tc.nik, tc.sent); got != tc.want {
			t.Errorf("%s: nama_ibu %v, want %v", tc.name, got, tc.want)
		}
	}
}
