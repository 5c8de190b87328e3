package webhook_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/outbox/cloudapitest"
)

// A walk-in resident never wrote to the regency's number: every notice
// goes as its approved template, with its parameters in order and one
// line each, and Meta's statuses, repeated and reordered, end delivered;
// a read receipt then moves one to read, and a late "sent" changes nothing.
func TestWalkInNoticesArriveAsTemplates(t *testing.T) {
	r := newRig(t)
	r.enqueue(walkIn("REQ1", resident, "baru", "disetujui", "dibatalkan")...)
	r.pass()
	sent := r.api.Sent()
	want := []struct {
		name   string
		params []string
	}{
		{"sinkron_permohonan_diterima", []string{"Sinkronisasi Data", "Kecamatan Kota Agung", "REQ1"}},
		{"sinkron_permohonan_disetujui", []string{"REQ1"}},
		{"sinkron_permohonan_dibatalkan", []string{"REQ1", "foto KK buram"}},
	}
	if len(sent) != len(want) || len(r.api.Refused()) != 0 {
		t.Fatalf("sent %+v refused %v", sent, r.api.Refused())
	}
	for i, s := range sent {
		if s.Type != "template" || s.Template != want[i].name || s.Language != "id" || !equal(s.Params, want[i].params) || s.To != resident || s.Key != "kec/"+string(rune('1'+i)) {
			t.Errorf("message %d: %+v", i, s)
		}
	}
	if got := r.states("REQ1"); !equal(got, []string{"accepted", "accepted", "accepted"}) {
		t.Fatalf("before any webhook: %v", got)
	}
	r.flush(cloudapitest.Chaos{Duplicate: true, Reverse: true})
	if got := r.states("REQ1"); !equal(got, []string{"delivered", "delivered", "delivered"}) {
		t.Fatalf("after the webhooks: %v", got)
	}
	r.api.Read(sent[0].ID)
	r.flush(cloudapitest.Chaos{})
	changed, err := r.o.Status(outbox.StatusUpdate{Message: sent[0].ID, State: outbox.Sent})
	if err != nil || changed {
		t.Fatalf("a late sent changed %v (%v)", changed, err)
	}
	if got := r.states("REQ1"); !equal(got, []string{"read", "delivered", "delivered"}) {
		t.Fatalf("after the read receipt: %v", got)
	}
	if r.o.Depth() != 0 || r.o.DeadCount() != 0 {
		t.Fatalf("depth %d dead %d", r.o.Depth(), r.o.DeadCount())
	}
}

// A number that is not on WhatsApp is accepted by the send and fails by
// webhook with 131026: the notice is a permanent dead letter whose reason
// tells the officer to reach the resident another way.
func TestUnknownNumberReachesDeadLetters(t *testing.T) {
	r := newRig(t)
	r.enqueue(walkIn("REQ2", unknown, "baru")...)
	r.pass()
	r.flush(cloudapitest.Chaos{Duplicate: true})
	dead, err := r.o.DeadLetters()
	if err != nil || len(dead) != 1 {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	d := dead[0]
	if d.Code != 131026 || !d.Permanent || !strings.Contains(d.Error, "bukan pengguna WhatsApp") || !strings.Contains(d.Error, "hubungi warga dengan cara lain") || d.Notice.Request != "REQ2" {
		t.Fatalf("dead letter %+v", d)
	}
	ds, _ := r.o.Deliveries("REQ2")
	if len(ds) != 1 || ds[0].State != outbox.Failed || ds[0].Code != 131026 || ds[0].Reason != d.Error {
		t.Fatalf("delivery %+v", ds)
	}
	if r.o.DeadCount() != 1 {
		t.Fatalf("dead count %d after a duplicated failure", r.o.DeadCount())
	}
}

// Forged webhooks (another key, or none) are refused and change nothing;
// the genuine ones after them still apply.
func TestForgedWebhookChangesNothing(t *testing.T) {
	r := newRig(t)
	r.enqueue(walkIn("REQ3", resident, "baru", "selesai")...)
	r.pass()
	sent := r.api.Sent()
	body := `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"metadata":{"phone_number_id":"` + phoneID +
		`"},"statuses":[{"id":"` + sent[0].ID + `","status":"failed","timestamp":"1","errors":[{"code":131026}]}]}}]}]}`
	for _, h := range []cloudapitest.Hook{
		{Body: []byte(body), Signature: cloudapitest.Sign([]byte("tebakan"), []byte(body))},
		{Body: []byte(body)},
		{Body: []byte(body), Signature: "sha256=" + strings.Repeat("0", 64)},
	} {
		if code := r.post(h); code != http.StatusUnauthorized && code != http.StatusForbidden {
			t.Fatalf("forged webhook: HTTP %d", code)
		}
	}
	if got := r.states("REQ3"); !equal(got, []string{"accepted", "accepted"}) || r.o.DeadCount() != 0 {
		t.Fatalf("after forgeries: %v, dead %d", got, r.o.DeadCount())
	}
	r.flush(cloudapitest.Chaos{Forge: true, Reverse: true})
	if got := r.states("REQ3"); !equal(got, []string{"delivered", "delivered"}) || r.o.DeadCount() != 0 {
		t.Fatalf("after genuine webhooks among forgeries: %v, dead %d", got, r.o.DeadCount())
	}
}

// A resident who wrote in the last 24 hours gets free-form text; a day
// later the same kind of notice goes as its template again.
func TestTextOnlyInsideTheWindow(t *testing.T) {
	r := newRig(t)
	r.api.Text(resident, "CEK")
	r.flush(cloudapitest.Chaos{})
	r.enqueue(walkIn("REQ4", resident, "disetujui")...)
	r.pass()
	r.clock.advance(25 * time.Hour)
	n := walkIn("REQ4", resident, "baru", "selesai")[1]
	r.enqueue(n)
	r.pass()
	r.flush(cloudapitest.Chaos{})
	sent := r.api.Sent()
	if len(sent) != 2 || sent[0].Type != "text" || sent[0].Text != "Permohonan REQ4 (disetujui)" || sent[1].Type != "template" {
		t.Fatalf("sent %+v", sent)
	}
	ds, _ := r.o.Deliveries("REQ4")
	if len(ds) != 2 || !ds[0].FreeForm || ds[0].State != outbox.Delivered || ds[1].State != outbox.Delivered {
		t.Fatalf("deliveries %+v", ds)
	}
}

// What Meta refuses: free-form text outside the window fails by webhook
// (131047), and a template with another parameter count than approved is
// refused at once (132000); both are dead letters with their reasons.
func TestMetaRefusals(t *testing.T) {
	r := newRig(t)
	text := outbox.Notice{ID: "kec/9", Request: "REQ5", To: "081234567890", Text: "Permohonan REQ5 selesai."} // no kind: free-form
	r.wa.Templates = r.wa.Templates.With(outbox.ApprovedTemplates{"selesai": {Name: "sinkron_permohonan_selesai", Body: "{{1}} {{2}}",
		Params: []string{outbox.VarKode, outbox.VarKantor}}}) // not what Meta approved: it takes one
	tpl := walkIn("REQ6", resident, "selesai")[0]
	r.enqueue(text, tpl)
	r.pass()
	r.flush(cloudapitest.Chaos{})
	dead, err := r.o.DeadLetters()
	if err != nil || len(dead) != 2 {
		t.Fatalf("dead letters %+v %v", dead, err)
	}
	byReq := map[string]outbox.DeadLetter{dead[0].Notice.Request: dead[0], dead[1].Notice.Request: dead[1]}
	if d := byReq["REQ5"]; d.Code != 131047 || d.Permanent || !strings.Contains(d.Error, "24 jam") {
		t.Errorf("text outside the window: %+v", d)
	}
	if d := byReq["REQ6"]; d.Code != 132000 || !d.Permanent || !strings.Contains(d.Error, "132000") || !strings.Contains(d.Error, "jumlah parameter") {
		t.Errorf("wrong parameter count: %+v", d)
	}
	if got := r.api.Refused(); !equal(got, []string{"132000"}) {
		t.Errorf("refused %v", got)
	}
}

// The dinas restarts with webhooks Meta could not deliver (its listener
// answered 503, so Meta holds them), a notice whose send was cut by the
// crash after Meta accepted it, and one not sent yet: after the restart
// nothing is sent twice, the cut one is recognised by its callback data
// when its status arrives, and every notice ends delivered.
func TestRestartWithNoticesAndWebhooksInFlight(t *testing.T) {
	r := newRig(t)
	ns := walkIn("REQ7", resident, "baru", "disetujui", "diproses", "selesai", "baru")
	r.enqueue(ns[:3]...)
	r.pass()
	r.down.Store(true)
	if codes, err := r.api.Flush(cloudapitest.Chaos{}); err != nil || len(codes) != 6 || codes[0] != http.StatusServiceUnavailable {
		t.Fatalf("webhooks while down: %v %v", codes, err)
	}
	cut := ns[3]
	cut.Sending = true // marked, sent, and the node died before the answer was recorded
	r.enqueue(cut)
	cut.FreeForm = false
	if _, err := r.wa.SendTracked(t.Context(), cut); err != nil {
		t.Fatal(err)
	}
	r.enqueue(ns[4])

	r.open() // the restart
	r.down.Store(false)
	r.pass()
	if dead, _ := r.o.DeadLetters(); len(dead) != 1 || !dead[0].Uncertain || dead[0].Notice.ID != cut.ID {
		t.Fatalf("after the restart, dead letters %+v", dead)
	}
	r.flush(cloudapitest.Chaos{Duplicate: true, Reverse: true})
	if r.api.Pending() != 0 {
		t.Fatalf("%d webhooks not taken", r.api.Pending())
	}
	sends := map[string]int{}
	for _, s := range r.api.Sent() {
		sends[s.Key]++
	}
	for _, n := range ns {
		if sends[n.ID] != 1 {
			t.Errorf("notice %s sent %d times", n.ID, sends[n.ID])
		}
	}
	if got := r.states("REQ7"); !equal(got, []string{"delivered", "delivered", "delivered", "delivered", "delivered"}) {
		t.Fatalf("states %v", got)
	}
	if r.o.Depth() != 0 || r.o.DeadCount() != 0 {
		t.Fatalf("depth %d dead %d", r.o.Depth(), r.o.DeadCount())
	}
}
