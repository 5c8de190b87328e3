package testnet

import (
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
	"github.com/sinkron-id/sinkron/node/request"
)

const residentNumber = "6281234567890"

// say is the resident writing to the regency's number; Meta posts it at
// once, and the dinas answers within the webhook.
func (rn *regencyNumber) say(t *testing.T, text string) string {
	t.Helper()
	rn.api.Text(residentNumber, text)
	return rn.lastReply(t)
}

func (rn *regencyNumber) photo(t *testing.T, b []byte) string {
	t.Helper()
	rn.api.Image(residentNumber, "image/png", b)
	return rn.lastReply(t)
}

// lastReply flushes the webhooks and waits for the dinas's text answer.
func (rn *regencyNumber) lastReply(t *testing.T) string {
	t.Helper()
	before := len(rn.api.Sent())
	if _, err := rn.api.Flush(cloudapitest.Chaos{Duplicate: true}); err != nil {
		t.Fatal(err)
	}
	var got string
	waitFor(t, "the dinas's answer", func() bool {
		sent := rn.api.Sent()
		for _, s := range sent[before:] {
			if s.To == residentNumber && s.Type == "text" && strings.HasPrefix(s.Key, "wa-balas/") {
				got = s.Text
				return true
			}
		}
		return false
	})
	return got
}

var trackingCode = regexp.MustCompile(`dengan nomor (\S+)\.`)

// A resident files a Sinkronisasi Data request over WhatsApp, field by
// field with the two photos as images; the dinas files it with channel
// WhatsApp and answers with the tracking code; it walks to Selesai and
// every notice of it is delivered. Meta posts every webhook twice, and
// the second changes nothing.
func TestResidentFilesOverWhatsApp(t *testing.T) {
	nw, rn := startRegencyNumber(t)
	dinas := nw.Nodes[dinasIdx]
	f := SampleForm(11)
	for _, step := range []struct{ say, want string }{
		{"Halo", "Balas:"},
		{"2", "Kirim Nama Pemohon."},
		{f.ApplicantName, "Kirim NIK Pemohon."},
		{"12345", "NIK"},
		{f.NIK, "Kirim Nomor Kartu Keluarga."},
		{f.KK, "Kirim Permasalahan Data."},
		{f.Problem, "Foto Kartu Keluarga"},
		{"ini fotonya", "sebagai foto (gambar)"},
	} {
		if got := rn.say(t, step.say); !strings.Contains(got, step.want) {
			t.Fatalf("after %q the dinas says %q, want %q", step.say, got, step.want)
		}
	}
	if got := rn.photo(t, Photo(1)); !strings.Contains(got, "Foto KTP-el") {
		t.Fatalf("after the KK photo: %q", got)
	}
	got := rn.photo(t, Photo(2))
	m := trackingCode.FindStringSubmatch(got)
	if m == nil {
		t.Fatalf("after the KTP-el photo: %q", got)
	}
	r := must[*request.Request](t)(dinas.Requests.Get(m[1]))
	if r.Channel != 3 || len(r.Documents) != 2 || r.NIK != f.NIK || r.WhatsApp != "081234567890" || r.Holder != "dinas" {
		t.Fatalf("filed %+v", r)
	}
	code := r.ID
	must[*request.Request](t)(dinas.Requests.Transition(code, request.Disetujui, "staf-informasi-pelayanan", "", "Rina"))
	must[*request.Request](t)(dinas.Requests.Transition(code, request.Diproses, "", "", "Andi (kasi data)"))
	must[*request.Request](t)(dinas.Requests.CompleteStep(code, "konsolidasi-manual", "kasi-data", "", "Andi"))
	must[*request.Request](t)(dinas.Requests.CompleteStep(code, "sinkronisasi-dwh", "adb-siak", "", "Dewi"))
	confirmWarehouse(t, dinas, code) // the request then finishes by itself
	reaches(t, dinas, code, "Selesai", status(request.Selesai))
	waitFor(t, "the notices sent", func() bool {
		ns, _ := dinas.Notices(code)
		return len(ns) == 3 // received, approved, finished (diproses sends none)
	})
	if _, err := rn.api.Flush(cloudapitest.Chaos{Duplicate: true, Reverse: true}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every notice delivered", allDelivered(t, dinas, code, 3))
	if st := dinas.Status(); st.OutboxDepth != 0 || st.OutboxDead != 0 {
		t.Fatalf("outbox %d, dead %d", st.OutboxDepth, st.OutboxDead)
	}
}

// A resident who asks for an officer is listed by
// NodeService.ListWhatsAppConversations at the dinas.
func TestConversationNeedingAnOfficer(t *testing.T) {
	nw, rn := startRegencyNumber(t)
	if got := rn.say(t, "PETUGAS"); !strings.Contains(got, "Petugas Dinas Dukcapil akan menghubungi Anda") {
		t.Fatalf("the dinas says %q", got)
	}
	srv := httptest.NewServer(api.NewHandler(nw.Nodes[dinasIdx], api.AllowAnonymous()))
	t.Cleanup(srv.Close)
	c := sinkronv1connect.NewNodeServiceClient(srv.Client(), srv.URL)
	resp, err := c.ListWhatsAppConversations(t.Context(), connect.NewRequest(&v1.ListWhatsAppConversationsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if cs := resp.Msg.Conversations; len(cs) != 1 || cs[0].Number != residentNumber || cs[0].Reason != "warga meminta dihubungi petugas" {
		t.Fatalf("conversations %v", cs)
	}
}
