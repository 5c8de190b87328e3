package testnet

import (
	"context"
	"testing"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/request"
)

// A resident not yet in the database (seed 004 §4) is taken at a connected
// kecamatan: the biodata step asks the dinas cluster for a NIK through the
// replicated log, continues when the NIK arrives, and the new resident is
// in the registry at every office with that NIK.
func TestNewResidentGetsNIKAndIsRegistered(t *testing.T) {
	nw := startDinas(t, 1, 1)
	kec, dinas := nw.Kecamatan(0), nw.Dinas()
	svc, _ := catalog.Lookup("ktp-el-baru")
	fields := map[string]string{
		"nama_lengkap": "Rahmat Hidayat", "tempat_lahir": "Kota Agung", "tanggal_lahir": "2008-05-14", "jenis_kelamin": "Laki-laki",
		"agama": "Islam", "status_perkawinan": "Belum Kawin", "pekerjaan": "Pelajar", "kewarganegaraan": "WNI",
		"alamat": "Jl. Samudra No. 7", "rt": "3", "rw": "1", "desa_kelurahan": "Kuripan", "kecamatan": "Kota Agung",
		"hubungan_keluarga": "Anak", "nama_ibu": "Sri Wahyuni",
	}
	var docs []request.Upload
	for i, d := range svc.DocumentsFor("online", fields) {
		if d.Upload && d.Required {
			docs = append(docs, request.Upload{Name: d.Name, Content: Photo(i)})
		}
	}
	r := must[*request.Request](t)(kec.Requests.Create(request.Form{Service: svc.Name, Path: "online", Fields: fields, Officer: "Budi", Documents: docs}))
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Disetujui, pendukung, "", "Budi"))
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Diproses, "", "", "Budi"))
	must[*request.Request](t)(kec.Requests.CompleteStep(r.ID, "pencatatan-biodata", "operator-kecamatan", "", "Wati"))
	var nik string
	waitFor(t, "the NIK from the dinas", func() bool {
		got, err := kec.Requests.Get(r.ID)
		if d, ok := got.Decided(catalog.DecisionNIK); err == nil && ok {
			nik = d.NIK
		}
		return nik != ""
	})
	if len(nik) != 16 || nik[:12] != "180601140508" {
		t.Fatalf("NIK %q: want region 180601 and birth date 14-05-08", nik)
	}
	template := request.StepInput{Kind: "iso-template", Content: CaptureRecord()}
	must[*request.Request](t)(kec.Requests.CompleteStep(r.ID, "perekaman-biometrik", "operator-kecamatan", "", "Wati", template))
	must[*request.Request](t)(kec.Requests.CompleteStep(r.ID, "verifikasi-telunjuk", "operator-kecamatan", "", "Wati", template))
	must[*request.Request](t)(kec.Requests.CompleteStep(r.ID, "validasi-perekaman", "operator-kecamatan", "", "Wati"))
	// The recording waits for the dinas's duplicate check: no verdict is
	// recorded by itself, so it waits until an authorised officer's.
	waitFor(t, "the recording at the dinas", func() bool { _, err := dinas.Requests.Get(r.ID); return err == nil })
	if got := must[*request.Request](t)(kec.Requests.Get(r.ID)); !got.Steps[indexOf(got, "validasi-perekaman")].Waiting {
		t.Fatalf("validasi-perekaman without a verdict: %+v, want waiting", got.Steps[indexOf(got, "validasi-perekaman")])
	}
	if _, err := dinas.Decisions.Decide(context.Background(), &eventpb.Command{Key: "putusan-1", Op: &eventpb.Command_RecordDedupVerdict{
		RecordDedupVerdict: &eventpb.RecordDedupVerdict{Enrollment: r.ID, Verdict: "unik"}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the verdict at the kecamatan", func() bool {
		got, err := kec.Requests.Get(r.ID)
		return err == nil && got.Steps[indexOf(got, "validasi-perekaman")].Done
	})
	must[*request.Request](t)(kec.Requests.CompleteStep(r.ID, "arsip-bukti-perekaman", pendukung, "", "Budi"))
	must[*request.Request](t)(kec.Requests.Transition(r.ID, request.Selesai, "", "", "Budi"))
	waitFor(t, "the resident and the finished request at the dinas", func() bool {
		res, err := dinas.Residents.Resident(nik)
		got, gerr := dinas.Requests.Get(r.ID)
		return err == nil && res.NamaLengkap == "RAHMAT HIDAYAT" && res.NamaIbu == "SRI WAHYUNI" && gerr == nil && got.Status == request.Selesai
	})
}
