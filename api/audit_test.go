package api

import (
	"context"
	"slices"
	"testing"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/catalog"
)

// The audit answers who filed, approved and read what: by officer, by the
// NIK concerned, and a biodata read is itself in it.
func TestAuditByOfficerAndNIK(t *testing.T) {
	nw, srv := serve(t)
	ctx := context.Background()
	newOfficer(t, nw.Kecamatan(0), "budi", "Budi Kurniawan", catalog.PetugasPendukung)
	req := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	reg := sinkronv1connect.NewRegistryServiceClient(srv.Client(), srv.URL)
	node := sinkronv1connect.NewNodeServiceClient(srv.Client(), srv.URL)
	created, err := req.CreateRequest(ctx, connect.NewRequest(createReq()))
	if err != nil {
		t.Fatal(err)
	}
	// Budi approves in his own name: the name a call gives is not used.
	if _, err := req.TransitionRequest(ctx, bearer(&v1.TransitionRequestRequest{Id: created.Msg.Request.Id,
		To: v1.Status_STATUS_DISETUJUI, Role: "petugas-pendukung-pelayanan", Officer: "Rina"}, token(t, nw.Kecamatan(0), "budi"))); err != nil {
		t.Fatal(err)
	}
	nik := createReq().Nik
	_, _ = reg.GetResident(ctx, connect.NewRequest(&v1.GetResidentRequest{Nik: nik})) // not registered: no read recorded
	byBudi, err := node.QueryAudit(ctx, connect.NewRequest(&v1.QueryAuditRequest{Officer: "budi"}))
	if err != nil || len(byBudi.Msg.Entries) != 1 || byBudi.Msg.Entries[0].Type != "permohonan.status" {
		t.Fatalf("by officer: %v %v", byBudi, err)
	}
	byNIK, err := node.QueryAudit(ctx, connect.NewRequest(&v1.QueryAuditRequest{Nik: nik}))
	if err != nil || len(byNIK.Msg.Entries) != 1 || byNIK.Msg.Entries[0].Type != "permohonan.dibuat" || byNIK.Msg.Entries[0].Device == "" {
		t.Fatalf("by NIK: %v %v", byNIK, err)
	}
	fields := map[string]string{"nik": "1271011708900001", "nama_lengkap": "Budi Santoso", "tempat_lahir": "Sibolga",
		"tanggal_lahir": "1990-08-17", "jenis_kelamin": "Laki-laki", "agama": "Islam", "status_perkawinan": "Kawin",
		"pekerjaan": "Nelayan", "kewarganegaraan": "WNI", "alamat": "Jl. Tongkol No. 12", "rt": "1", "rw": "2",
		"desa_kelurahan": "Pancuran Gerobak", "kecamatan": "Sibolga Kota", "kabupaten_kota": "Kota Sibolga", "provinsi": "Sumatera Utara"}
	if _, err := reg.RegisterResident(ctx, connect.NewRequest(&v1.RegisterResidentRequest{Fields: fields, Officer: "Rina"})); err != nil {
		t.Fatal(err)
	}
	if _, err := reg.GetResident(ctx, connect.NewRequest(&v1.GetResidentRequest{Nik: "1271011708900001"})); err != nil {
		t.Fatal(err)
	}
	reads, err := node.QueryAudit(ctx, connect.NewRequest(&v1.QueryAuditRequest{Nik: "1271011708900001"}))
	// Registered, its NIK reserved at the dinas, then read. The dinas's
	// block with the reservation's decision is filed under the NIK too,
	// whenever it syncs back (blocks close every 100 ms), so it may come
	// anywhere after the request.
	var types []string
	for _, e := range reads.Msg.GetEntries() {
		if e.Type != "keputusan.blok" {
			types = append(types, e.Type)
		}
	}
	if err != nil || !slices.Equal(types, []string{"penduduk.terdaftar", "keputusan.diminta", "akses.biodata"}) {
		t.Fatalf("biodata read not audited: %v %v", types, err)
	}
}
