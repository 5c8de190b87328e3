package testnet

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/dwh/pgtest"
	"github.com/sinkron-id/sinkron/node/institution"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
)

// An institution asks about a resident while the resident's Sinkronisasi
// Data request is stuck at an offline kecamatan: the answer says the data
// is still at that kecamatan. The kecamatan reconnects, the dinas
// consolidates, the feed writes the warehouse and confirms it; the answer
// turns SESUAI with a fresh as-of, and the request reaches Selesai by
// itself.
func TestInstitutionSeesAChangeArrive(t *testing.T) {
	pg := pgtest.Start(t)
	nw, err := Start(t.TempDir(), Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond,
		Configure: func(c *node.Config) {
			if c.ClusterKeyFile != "" { // a dinas server
				c.DWH.DSN = pg.DSN()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	form := SampleForm(1)
	a := registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2", DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung",
		KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}
	if _, err := dinas.RegisterResident(registry.Biodata{NIK: form.NIK, NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung",
		TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
		Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: a}, "Petugas"); err != nil {
		t.Fatal(err)
	}
	check := institutionClient(t, dinas)

	// Filed at the kecamatan, which then goes offline with the file.
	r := must[*request.Request](t)(kec.Requests.Create(form))
	waitFor(t, "the request at the dinas", func() bool { _, err := dinas.Requests.Get(r.ID); return err == nil })
	kec.SetOnline(false)
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, pendukung, "berkas lengkap", "Budi (operator)"))
	var ans *v1.CheckResponse
	waitFor(t, "the answer naming the kecamatan", func() bool {
		ans = check(form.NIK)
		return ans.Code == institution.CodeAtKecamatan
	})
	if want := "data masih di Kecamatan Kota Agung sejak "; len(ans.Reason) < len(want) || ans.Reason[:len(want)] != want {
		t.Fatalf("reason %q, want it to start %q", ans.Reason, want)
	}

	kec.SetOnline(true)
	waitFor(t, "the approved file at the dinas", func() bool {
		got, err := dinas.Requests.Get(r.ID)
		return err == nil && got.Status == request.Disetujui && got.Holder == "dinas"
	})
	decided := time.Now()
	must[*request.Request](t)(dinas.Requests.Transition(r.ID, request.Diproses, "", "", "Andi (kasi data)"))
	must[*request.Request](t)(dinas.Requests.CompleteStep(r.ID, "konsolidasi-manual", "kasi-data", "", "Andi (kasi data)"))
	must[*request.Request](t)(dinas.Requests.CompleteStep(r.ID, "sinkronisasi-dwh", "adb-siak", "", "Dewi (ADB SIAK)"))
	waitFor(t, "Selesai by itself", func() bool {
		got, err := dinas.Requests.Get(r.ID)
		return err == nil && got.Status == request.Selesai
	})
	waitFor(t, "the answer SESUAI", func() bool {
		ans = check(form.NIK)
		return ans.Code == institution.CodeConsolidated
	})
	if len(ans.Fields) != 1 || ans.Fields[0].Match != v1.Match_MATCH_SESUAI || ans.AsOf.AsTime().Before(decided.Add(-time.Second)) {
		t.Fatalf("answer %v, want the name SESUAI as of the consolidation (after %v)", ans, decided)
	}
	// The warehouse's own confirmation is a decision too: the feed catches
	// up with it a moment after the answer turned SESUAI.
	waitFor(t, "the feed caught up, without errors", func() bool {
		st := dinas.Status().DWH
		return st != nil && st.LagDecisions() == 0 && st.LastError == ""
	})
}

// An institution that cannot find a resident opens a Sinkronisasi Data
// request for them, filled from its check and its customer file: the dinas
// holds a request with the resident's WhatsApp number, which the resident
// then follows; the same call again is a replay and opens nothing.
func TestInstitutionOpensASyncRequest(t *testing.T) {
	pg := pgtest.Start(t)
	nw, err := Start(t.TempDir(), Options{Configure: func(c *node.Config) { c.DWH.DSN = pg.DSN() }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	dinas := nw.Dinas()
	institutionClient(t, dinas) // registers BPJS Kesehatan once the schema is there
	_, key, err := dinas.Institutions().Registry.Register(context.Background(), "Bank Lampung", 10, 10)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.NewInstitutionHandler(dinas))
	t.Cleanup(srv.Close)
	c := sinkronv1connect.NewInstitutionServiceClient(srv.Client(), srv.URL)
	form := SampleForm(3)
	open := func() (*connect.Response[v1.OpenSyncResponse], error) {
		req := connect.NewRequest(&v1.OpenSyncRequest{RequestId: "bank-sync-0001", SentAt: timestamppb.Now(), Nik: form.NIK,
			NamaPemohon: form.ApplicantName, Kk: form.KK, Whatsapp: form.WhatsApp, Permasalahan: "NIK tidak ditemukan di Bank Lampung",
			Documents: []*v1.DocumentUpload{{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KK, Content: Photo(3)},
				{Kind: v1.DocumentKind_DOCUMENT_KIND_FOTO_KTP_EL, Content: Photo(1003)}}})
		req.Header().Set("Authorization", "Bearer "+key)
		return c.OpenSync(context.Background(), req)
	}
	r, err := open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := dinas.Requests.Get(r.Msg.TrackingCode)
	if err != nil || got.NIK != form.NIK || got.WhatsApp == "" || got.Status != request.Baru || got.Problem != "NIK tidak ditemukan di Bank Lampung" {
		t.Fatalf("opened request %+v, %v", got, err)
	}
	before, _ := dinas.Requests.List(request.Filter{})
	if _, err := open(); connect.CodeOf(err) != connect.CodeFailedPrecondition {
		t.Fatalf("the same call again: %v, want a replay refused", err)
	}
	if after, _ := dinas.Requests.List(request.Filter{}); len(after) != len(before) {
		t.Fatalf("a replay opened a request: %d → %d", len(before), len(after))
	}
}

// institutionClient registers an institution at the dinas and returns a
// check of a NIK through the institutions' listener.
func institutionClient(t testing.TB, dinas *node.Node) func(nik string) *v1.CheckResponse {
	t.Helper()
	svc := dinas.Institutions()
	var key string
	waitFor(t, "the warehouse's schema", func() bool {
		var err error
		_, key, err = svc.Registry.Register(context.Background(), "BPJS Kesehatan", 1000, 1000)
		return err == nil
	})
	srv := httptest.NewServer(api.NewInstitutionHandler(dinas))
	t.Cleanup(srv.Close)
	c := sinkronv1connect.NewInstitutionServiceClient(srv.Client(), srv.URL)
	n := 0
	return func(nik string) *v1.CheckResponse {
		n++
		req := connect.NewRequest(&v1.CheckRequest{RequestId: "bpjs-" + time.Now().Format("150405.000000000")[7:] + "-" + string(rune('a'+n%26)) + itoa(n),
			SentAt: timestamppb.Now(), Nik: nik, Nama: "SITI AMINAH"})
		req.Header().Set("Authorization", "Bearer "+key)
		r, err := c.Check(context.Background(), req)
		if err != nil {
			t.Fatalf("check: %v", err)
		}
		return r.Msg
	}
}

func itoa(n int) string {
	s := ""
	for ; n > 0 || s == ""; n /= 10 {
		s = string(rune('0'+n%10)) + s
	}
	return s
}

// The dinas is one office of several servers: a "Sinkronisasi DWH" step
// recorded at a server that is not leading (the leader feeds the warehouse)
// is still confirmed by the warehouse, recorded where it waits, and the
// request reaches Selesai by itself (the demo's tour found it waiting
// forever when the step was recorded away from the leader).
func TestWarehouseConfirmsAStepRecordedAtAFollower(t *testing.T) {
	if testing.Short() {
		t.Skip("three dinas servers and PostgreSQL")
	}
	pg := pgtest.Start(t)
	nw, err := Start(t.TempDir(), Options{Dinas: 3, Kecamatan: 1, SyncInterval: 200 * time.Millisecond,
		Configure: func(c *node.Config) {
			if c.ClusterKeyFile != "" {
				c.DWH.DSN = pg.DSN()
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	leader, err := nw.WaitLeader(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	follower := nw.DinasNodes()[0]
	if follower == leader {
		follower = nw.DinasNodes()[1]
	}
	form := SampleForm(2)
	if _, err := follower.RegisterResident(registry.Biodata{NIK: form.NIK, NamaLengkap: "Siti Aminah", TempatLahir: "Kota Agung",
		TanggalLahir: "1990-08-17", JenisKelamin: "Perempuan", Agama: "Islam", StatusPerkawinan: "Belum Kawin",
		Pekerjaan: "Wiraswasta", Kewarganegaraan: "WNI", Address: registry.Address{Alamat: "Jl. Samudra No. 5", RT: "1", RW: "2",
			DesaKelurahan: "Kuripan", Kecamatan: "Kota Agung", KabupatenKota: "Kabupaten Tanggamus", Provinsi: "Lampung"}}, "Petugas"); err != nil {
		t.Fatal(err)
	}
	kec := nw.Kecamatan(0)
	r := must[*request.Request](t)(kec.Requests.Create(form))
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, pendukung, "berkas lengkap", "Budi"))
	waitFor(t, "the approved file at the follower", func() bool {
		got, err := follower.Requests.Get(r.ID)
		return err == nil && got.Status == request.Disetujui && got.Holder == "dinas"
	})
	must[*request.Request](t)(follower.Requests.Transition(r.ID, request.Diproses, "", "", "Andi"))
	must[*request.Request](t)(follower.Requests.CompleteStep(r.ID, "konsolidasi-manual", "kasi-data", "", "Andi"))
	must[*request.Request](t)(follower.Requests.CompleteStep(r.ID, "sinkronisasi-dwh", "adb-siak", "", "Dewi"))
	waitForWithin(t, 30*time.Second, "Selesai by itself", func() bool {
		got, err := follower.Requests.Get(r.ID)
		return err == nil && got.Status == request.Selesai
	})
}
