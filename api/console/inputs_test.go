package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/testnet"
)

// The recording step takes the capture station's ISO/IEC 19794 record
// through its form: a file that is not one is refused with the API's
// reason and the step stays open; the real record completes it.
func TestStepTakesItsRecordThroughTheForm(t *testing.T) {
	h := newOfficeHarness(t)
	svc, _ := catalog.Lookup("perekaman-ktp-el")
	values := testnet.FormValues(svc.Form)
	kec := h.kec.n
	r, err := kec.Requests.Create(request.Form{Service: svc.Name, Path: "statis-online", Fields: values,
		Documents: testnet.Uploads(svc, "statis-online", values), Officer: "Rina"})
	if err != nil {
		t.Fatal(err)
	}
	for _, do := range []func() error{
		func() error {
			_, err := kec.Requests.Transition(r.ID, request.Disetujui, string(catalog.PetugasPendukung), "", "Rina")
			return err
		},
		func() error { _, err := kec.Requests.Transition(r.ID, request.Diproses, "", "", "Budi"); return err },
		func() error {
			_, err := kec.Requests.CompleteStep(r.ID, "menerima-berkas", string(catalog.OperatorKecamatan), "", "Budi")
			return err
		},
	} {
		if err := do(); err != nil {
			t.Fatal(err)
		}
	}
	b := h.kec.signIn(t, "operator")
	page := "/konsol/permohonan/" + r.ID
	if _, body := b.get(page); !strings.Contains(body, `name="masukan-iso-template"`) {
		t.Fatalf("the recording step's form asks for no record:\n%s", body)
	}
	fields := url.Values{"_csrf": {b.csrf}, "langkah": {"perekaman-biometrik"}, "peran": {string(catalog.OperatorKecamatan)}}
	res, body := b.upload(page+"/langkah", fields, "masukan-iso-template", "rekaman.iso", []byte("bukan rekaman ISO"))
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(string(body), "pesan gagal") {
		t.Fatalf("a file that is not a record: %d\n%s", res.StatusCode, body)
	}
	if got, _ := kec.Requests.Get(r.ID); got.AtStep() != "perekaman-biometrik" {
		t.Fatalf("after a refused record the request is at %q", got.AtStep())
	}
	res, body = b.upload(page+"/langkah", fields, "masukan-iso-template", "rekaman.iso", testnet.CaptureRecord())
	if res.StatusCode != http.StatusOK {
		t.Fatalf("the record: %d\n%s", res.StatusCode, body)
	}
	if got, _ := kec.Requests.Get(r.ID); got.AtStep() == "perekaman-biometrik" {
		t.Fatal("the recording step is still open after its record")
	}
}
