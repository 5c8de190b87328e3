package webhook_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/webhook"
)

type nopSink struct{}

func (nopSink) Status(outbox.StatusUpdate) (bool, error) { return false, nil }
func (nopSink) Inbound(webhook.Message) error            { return nil }

// numbered is a gateway that accepts every notice as wamid.<notice ID>.
type numbered struct{}

func (numbered) Send(context.Context, outbox.Notice) error { return nil }
func (numbered) SendTracked(_ context.Context, n outbox.Notice) (string, error) {
	return "wamid." + n.ID, nil
}

// statusBody is one webhook with one status, as Meta posts it.
func statusBody(wamid, state string) []byte {
	return []byte(`{"object":"whatsapp_business_account","entry":[{"id":"102290129340398","changes":[{"value":{` +
		`"messaging_product":"whatsapp","metadata":{"display_phone_number":"6272200000","phone_number_id":"` + phoneID + `"},` +
		`"statuses":[{"id":"` + wamid + `","status":"` + state + `","timestamp":"1765094400","recipient_id":"6281234567890",` +
		`"biz_opaque_callback_data":"kec/1","conversation":{"id":"c1","origin":{"type":"utility"}},` +
		`"pricing":{"billable":true,"pricing_model":"PMP","category":"utility"}}]},"field":"messages"}]}]}`)
}

// BenchmarkWebhook: webhook POSTs handled per second, each with its
// signature checked, into a sink that does nothing (the handler's own
// cost) and into a real outbox on disk, fsynced (every status a badger
// transaction, as at the dinas). Up to 12288 iterations every status is a
// real change; run it with -benchtime 10000x.
func BenchmarkWebhook(b *testing.B) {
	db, err := badger.Open(badger.DefaultOptions(b.TempDir()).WithLogger(nil).WithSyncWrites(true))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	// Messages the gateway accepted, whose statuses then arrive: sent,
	// delivered, read for each, every one a real change.
	const messages = 4096
	o := outbox.New(db, numbered{}, slog.New(slog.DiscardHandler))
	err = db.Update(func(txn *badger.Txn) error {
		for i := range messages {
			if err := o.Enqueue(txn, outbox.Notice{ID: fmt.Sprintf("p/%d", i), Request: fmt.Sprintf("R%d", i), To: "081234567890"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	o.Pass(context.Background())
	var bodies [][]byte
	for _, state := range []string{"sent", "delivered", "read"} {
		for i := range messages {
			bodies = append(bodies, statusBody(fmt.Sprintf("wamid.p/%d", i), state))
		}
	}
	for _, tc := range []struct {
		name string
		sink webhook.Sink
	}{{"signature+parse", nopSink{}}, {"into-outbox", sink{o}}} {
		b.Run(tc.name, func(b *testing.B) {
			h := &webhook.Handler{VerifyToken: "v", AppSecret: secret, PhoneNumberID: phoneID, Sink: tc.sink}
			b.ResetTimer()
			start := time.Now()
			for i := 0; b.Loop(); i++ {
				body := bodies[i%len(bodies)]
				r := httptest.NewRequest(http.MethodPost, "/whatsapp/webhook", bytes.NewReader(body))
				r.Header.Set(webhook.SignatureHeader, webhook.Sign(secret, body))
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("HTTP %d", w.Code)
				}
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}
