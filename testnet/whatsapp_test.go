package testnet

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api"
	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/event"
)

// Indices of the nodes of startWithGateway's network.
const (
	dinasIdx = 0
	kecIdx   = 1
)

// startWithGateway starts a dinas and a kecamatan whose notices go to gw.
func startWithGateway(t *testing.T, gw *waGateway, extra func(*node.WhatsAppConfig)) *Network {
	t.Helper()
	nw, err := Start(t.TempDir(), Options{Kecamatan: 1, SyncInterval: 200 * time.Millisecond,
		Configure: gw.configure(t, extra), Sender: sender})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nw.Close)
	if _, err := nw.WaitLeader(10 * time.Second); err != nil {
		t.Fatal(err)
	}
	return nw
}

// resident is someone at home with a phone: the kecamatan's public
// listener over real HTTP/2 (its handler swapped when the node restarts).
type resident struct {
	handler atomic.Pointer[http.Handler]
	client  sinkronv1connect.PublicServiceClient
	code    string
}

func newResident(t *testing.T, n *node.Node) *resident {
	res := &resident{}
	res.serve(n)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*res.handler.Load()).ServeHTTP(w, r)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	res.client = sinkronv1connect.NewPublicServiceClient(srv.Client(), srv.URL)
	return res
}

// serve puts n's public handler (default attempt limits) on the listener.
func (res *resident) serve(n *node.Node) {
	h := api.NewPublicHandler(n)
	res.handler.Store(&h)
}

func (res *resident) submit(t *testing.T) {
	f := SampleForm(7)
	resp, err := res.client.SubmitRequest(context.Background(), connect.NewRequest(&v1.SubmitRequestRequest{
		ApplicantName: f.ApplicantName, Nik: f.NIK, Kk: f.KK, Problem: f.Problem, Whatsapp: f.WhatsApp,
		Documents: []*v1.DocumentUpload{{Name: "foto_kk", Content: f.Documents[0].Content}, {Name: "foto_ktp_el", Content: f.Documents[1].Content}}}))
	if err != nil {
		t.Fatal(err)
	}
	res.code = resp.Msg.TrackingCode
}

// track checks what the resident reads: the status, the statuses of the
// history in order, and the steps done.
func (res *resident) track(t *testing.T, status v1.Status, stepsDone int32, history ...v1.Status) {
	t.Helper()
	resp, err := res.client.TrackRequest(context.Background(), connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: res.code, Nik: SampleForm(0).NIK}))
	if err != nil {
		t.Fatalf("track at %v: %v", status, err)
	}
	var got []v1.Status
	for _, c := range resp.Msg.History {
		got = append(got, c.Status)
		if c.At.AsTime().IsZero() {
			t.Errorf("history entry %v without a time", c.Status)
		}
	}
	m := resp.Msg
	if m.Status != status || m.StepsDone != stepsDone || m.StepsTotal != 3 || !slices.Equal(got, history) {
		t.Fatalf("resident reads %v, %d/%d steps, history %v; want %v, %d steps, %v", m.Status, m.StepsDone, m.StepsTotal, got, status, stepsDone, history)
	}
}

// reaches waits until node n holds the request in the state ok accepts.
func reaches(t *testing.T, n *node.Node, id, what string, ok func(*request.Request) bool) {
	t.Helper()
	waitFor(t, what+" at "+n.Member().Office, func() bool {
		r, err := n.Requests.Get(id)
		return err == nil && ok(r)
	})
}

func stepDone(i int) func(*request.Request) bool {
	return func(r *request.Request) bool { return r.Steps[i].Done }
}

func status(s request.Status) func(*request.Request) bool {
	return func(r *request.Request) bool { return r.Status == s }
}

// A resident's Sinkronisasi Data request, filed online at a kecamatan and
// finished at the dinas, sends one WhatsApp message per status change, in
// order and with its text, from the office that made the change; also when
// the gateway answers 503 twice, and when it fails, then cannot be reached
// while the dinas restarts with two notices pending. The resident's
// TrackRequest follows every change.
func TestWhatsAppNoticesEndToEnd(t *testing.T) {
	gw := startGateway(t)
	nw := startWithGateway(t, gw, func(w *node.WhatsAppConfig) {
		// Diproses sends nothing by default; a configured text with every
		// placeholder checks that status notices fill them all.
		w.Templates.Diproses = "Permohonan {layanan} Anda ({kode}) sedang diproses di {kantor}."
	})
	kec, dinas := nw.Nodes[kecIdx], nw.Nodes[dinasIdx]
	res := newResident(t, kec)
	n := 0 // messages the gateway accepted so far
	delivered := func(what string) {
		t.Helper()
		n++
		waitFor(t, what, func() bool { return len(gw.accepted()) >= n })
	}
	base := []v1.Status{v1.Status_STATUS_BARU}

	// Filed online at the kecamatan: the "received" notice.
	res.submit(t)
	code := res.code
	delivered("the received notice")
	res.track(t, v1.Status_STATUS_BARU, 0, base...)

	// Approved at the kecamatan's counter; the gateway fails twice first.
	gw.failNext(2)
	if _, err := kec.Requests.Transition(code, request.Disetujui, pendukung, "berkas lengkap", "Budi (petugas pendukung)"); err != nil {
		t.Fatal(err)
	}
	delivered("the approval notice after two 503s")
	base = append(base, v1.Status_STATUS_DISETUJUI)
	res.track(t, v1.Status_STATUS_DISETUJUI, 0, base...)

	// The dinas processes it while the gateway fails, then is unreachable.
	reaches(t, dinas, code, "the approved file", func(r *request.Request) bool { return r.Status == request.Disetujui && r.Holder == "dinas" })
	gw.setFailing(true)
	p := must[*request.Request](t)(dinas.Requests.Transition(code, request.Diproses, "", "", "Andi (kasi data)"))
	processing := p.History[len(p.History)-1].Event // the notice's ID
	waitFor(t, "a failed send of the processing notice", func() bool { return gw.tries(processing) > 0 })
	gw.down()
	reaches(t, kec, code, "Diproses", status(request.Diproses))
	base = append(base, v1.Status_STATUS_DIPROSES)
	res.track(t, v1.Status_STATUS_DIPROSES, 0, base...)
	finishAtDinas(t, nw, res, base)
	if d := dinas.Status().OutboxDepth; d != 2 {
		t.Fatalf("dinas outbox holds %d notices, want the processing and the finished one", d)
	}

	// The dinas restarts with both notices pending; then the gateway is back.
	if err := nw.Restart(dinasIdx); err != nil {
		t.Fatal(err)
	}
	if d := nw.Nodes[dinasIdx].Status().OutboxDepth; d != 2 {
		t.Fatalf("after the restart the dinas outbox holds %d notices", d)
	}
	gw.setFailing(false)
	gw.up()
	delivered("the processing notice")
	delivered("the finished notice")

	// Restarting both offices with nothing pending sends nothing again.
	if err := nw.Restart(kecIdx); err != nil {
		t.Fatal(err)
	}
	res.serve(nw.Nodes[kecIdx])
	if err := nw.Restart(dinasIdx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // several retry rounds of the policy above
	res.track(t, v1.Status_STATUS_SELESAI, 3, append(base, v1.Status_STATUS_SELESAI)...)

	r, err := nw.Nodes[kecIdx].Requests.Get(code)
	if err != nil {
		t.Fatal(err)
	}
	checkNotices(t, nw, gw, r)
}

// finishAtDinas walks the request's dinas steps to Selesai, the resident
// checking after each.
func finishAtDinas(t *testing.T, nw *Network, res *resident, history []v1.Status) {
	t.Helper()
	dinas, kec, code := nw.Nodes[dinasIdx], nw.Nodes[kecIdx], res.code
	must[*request.Request](t)(dinas.Requests.CompleteStep(code, "konsolidasi-manual", "kasi-data", "", "Andi (kasi data)"))
	reaches(t, kec, code, "konsolidasi-manual", stepDone(0))
	res.track(t, v1.Status_STATUS_DIPROSES, 1, history...)
	// Sinkronisasi DWH waits for the dinas cluster's decision.
	w := must[*request.Request](t)(dinas.Requests.CompleteStep(code, "sinkronisasi-dwh", "adb-siak", "", "Dewi (ADB SIAK)"))
	if !w.Steps[1].Waiting {
		t.Fatalf("the DWH step should wait for a decision: %+v", w.Steps[1])
	}
	// The warehouse's confirmation completes it, and the request finishes
	// by itself.
	confirmWarehouse(t, dinas, code)
	reaches(t, kec, code, "Selesai", status(request.Selesai))
	res.track(t, v1.Status_STATUS_SELESAI, 3, append(history, v1.Status_STATUS_SELESAI)...)
}

// confirmWarehouse is the DWH feed's confirmation that the warehouse holds
// a request's record (TestInstitutionSeesAChangeArrive runs the real feed).
func confirmWarehouse(t *testing.T, dinas *node.Node, id string) {
	t.Helper()
	_, err := dinas.Decisions.Decide(context.Background(), &eventpb.Command{Key: decision.WarehouseKey(id),
		Op: &eventpb.Command_ConfirmWarehouse{ConfirmWarehouse: &eventpb.ConfirmWarehouse{Request: id}}})
	if err != nil {
		t.Fatalf("confirm %s in the warehouse: %v", id, err)
	}
}

// checkNotices checks what the gateway got: exactly one accepted message
// per status change, in order, with its text, to the resident's number,
// sent by the office that made the change (the origin of the event the
// notice is named after) and by no other; nothing sent again after its
// 200; and the expected failures in between.
func checkNotices(t *testing.T, nw *Network, gw *waGateway, r *request.Request) {
	t.Helper()
	kec, dinas := nw.Cfgs[kecIdx].DataDir, nw.Cfgs[dinasIdx].DataDir
	layanan := "Sinkronisasi Data (Permasalahan Data)"
	want := []struct{ text, node string }{
		{"Permohonan " + layanan + " Anda telah diterima di Kecamatan Kota Agung dengan nomor " + r.ID + ". Simpan nomor ini untuk melacak status permohonan.", kec},
		{"Permohonan " + r.ID + " Anda telah disetujui dan akan diproses.", kec},
		{"Permohonan " + layanan + " Anda (" + r.ID + ") sedang diproses di Dinas Dukcapil Kab. Tanggamus.", dinas},
		{"Data Anda sudah sinkron di DWH dan sudah bisa diakses pada lembaga pengguna data kependudukan (permohonan " + r.ID + ").", dinas},
	}
	got := gw.accepted()
	if len(got) != len(want) || len(r.History) != len(want) {
		t.Fatalf("gateway accepted %d messages for %d status changes: %+v", len(got), len(r.History), got)
	}
	for i, m := range got {
		if m.Text != want[i].text || m.Node != want[i].node || m.To != "6281234567890" || m.Key != r.History[i].Event {
			t.Errorf("message %d: %+v\nwant text %q from %s for event %s", i, m, want[i].text, want[i].node, r.History[i].Event)
		}
		id, err := event.ParseID(m.Key)
		if sentBy := nodeAt(nw, m.Node); err != nil || sentBy == nil || id.Origin != sentBy.ID() {
			t.Errorf("message %d (%s) sent by %s, not by the office that wrote its event", i, m.Key, m.Node)
		}
	}
	seen := map[string]bool{}
	for _, q := range gw.requests() {
		if seen[q.Key] {
			t.Errorf("notice %s sent again after it was accepted", q.Key)
		}
		seen[q.Key] = seen[q.Key] || q.Status == http.StatusOK
		if q.Node != nodeOf(got, q.Key) {
			t.Errorf("notice %s sent from %s and %s", q.Key, q.Node, nodeOf(got, q.Key))
		}
	}
	if tries := [...]int{gw.tries(got[0].Key), gw.tries(got[1].Key), gw.tries(got[3].Key)}; tries != [...]int{1, 3, 1} || gw.tries(got[2].Key) < 2 {
		t.Errorf("requests per notice: received %d, approved %d (two 503s), processing %d (503s, then refused), finished %d (only refused)",
			tries[0], tries[1], gw.tries(got[2].Key), tries[2])
	}
	for _, n := range nw.Nodes {
		if st := n.Status(); st.OutboxDepth != 0 || st.OutboxDead != 0 {
			t.Errorf("%s: outbox depth %d, dead letters %d", st.Office, st.OutboxDepth, st.OutboxDead)
		}
	}
}

func nodeAt(nw *Network, dataDir string) *node.Node {
	for i, c := range nw.Cfgs {
		if c.DataDir == dataDir {
			return nw.Nodes[i]
		}
	}
	return nil
}

func nodeOf(accepted []waRequest, key string) string {
	for _, m := range accepted {
		if m.Key == key {
			return m.Node
		}
	}
	return ""
}

// A notice the gateway refuses for good shows in the node's metrics as a
// dead letter (sinkron_outbox_dead_letters), and leaves them when an
// officer retries it and it is delivered.
func TestDeadLetterGauge(t *testing.T) {
	gw := startGateway(t)
	nw := startWithGateway(t, gw, nil)
	kec := nw.Nodes[kecIdx]
	gw.answer(http.StatusBadRequest)
	r := must[*request.Request](t)(kec.Requests.Create(SampleForm(3)))
	waitFor(t, "the dead letter", func() bool { return gauge(t, kec, "sinkron_outbox_dead_letters") == 1 })
	if d := gauge(t, kec, "sinkron_outbox_depth"); d != 0 {
		t.Fatalf("depth %v with the notice dead", d)
	}
	dead, err := kec.FailedNotices()
	if err != nil || len(dead) != 1 || dead[0].Notice.Request != r.ID {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	if err := kec.RetryNotice(dead[0].Notice.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried notice delivered", func() bool { return len(gw.accepted()) == 1 })
	if g := gauge(t, kec, "sinkron_outbox_dead_letters"); g != 0 {
		t.Fatalf("dead letters gauge %v after the retry", g)
	}
	if tries := gw.tries(dead[0].Notice.ID); tries != 2 {
		t.Fatalf("%d requests for the notice, want the refused one and the retry", tries)
	}
}

// gauge reads a node metric without labels.
func gauge(t *testing.T, n *node.Node, name string) float64 {
	t.Helper()
	mfs, err := n.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
