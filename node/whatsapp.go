package node

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/conversation"
	"github.com/sinkron-id/sinkron/node/notices"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/webhook"
	"github.com/sinkron-id/sinkron/replication/event"
)

// whatsApp is the node's end of the Cloud API's webhook: delivery
// statuses to the outbox, residents' messages to their window (and the
// conversation).
type whatsApp struct {
	outbox  *outbox.Outbox
	handler http.Handler // nil: no webhook configured
	log     *slog.Logger
	conv    atomic.Pointer[conversation.Service] // set once the request engine runs
}

func newWhatsApp(cfg WhatsAppConfig, ob *outbox.Outbox, log *slog.Logger) (*whatsApp, error) {
	w := &whatsApp{outbox: ob, log: log}
	if !cfg.Webhook.Enabled() {
		return w, nil
	}
	verify, err := outbox.ReadToken(cfg.Webhook.VerifyTokenFile)
	if err != nil {
		return nil, err
	}
	secret, err := outbox.ReadToken(cfg.Webhook.AppSecretFile)
	if err != nil {
		return nil, err
	}
	w.handler = &webhook.Handler{VerifyToken: verify, AppSecret: []byte(secret), PhoneNumberID: cfg.PhoneNumberID, Sink: w, Log: log}
	return w, nil
}

// Status applies a delivery status.
func (w *whatsApp) Status(u outbox.StatusUpdate) (bool, error) { return w.outbox.Status(u) }

// Inbound opens the resident's customer-service window and answers in
// the conversation.
func (w *whatsApp) Inbound(m webhook.Message) error {
	if err := w.outbox.Inbound(m.From, m.At); err != nil {
		w.log.Warn("whatsapp message from a number that is not Indonesian mobile", "from", m.From, "err", err)
		return nil
	}
	c := w.conv.Load()
	if c == nil {
		return errors.New("whatsapp conversation not started yet") // Meta repeats it
	}
	return c.Handle(context.Background(), conversation.Inbound{ID: m.ID, From: m.From, Type: m.Type, Text: m.Text, MediaID: m.MediaID})
}

// startConversations runs residents' conversations at the node holding
// the number, once its request engine exists.
func (n *Node) startConversations(ctx context.Context, given outbox.Sender) {
	if n.wa == nil || n.wa.handler == nil {
		return
	}
	media, _ := given.(conversation.Media)
	c := &conversation.Service{DB: n.store.DB(), Requests: n.Requests, Media: media, Queue: n.outbox,
		Stop: n.StopNotices, Now: n.now, Log: n.log}
	n.wa.conv.Store(c)
	n.wg.Go(func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		c.Run(ctx.Done(), t.C)
	})
}

// Conversations is the residents' conversations of the regency's number
// (nil at a node that does not hold it).
func (n *Node) Conversations() *conversation.Service {
	if n.wa == nil {
		return nil
	}
	return n.wa.conv.Load()
}

// WhatsAppWebhook is the Cloud API's webhook for the public listener;
// nil unless [whatsapp.webhook] is configured.
func (n *Node) WhatsAppWebhook() http.Handler {
	if n.wa == nil || n.wa.handler == nil {
		return nil
	}
	return n.wa.handler
}

// NoticeDeliveries are the delivery states of a request's notices sent
// from this node.
func (n *Node) NoticeDeliveries(request string) ([]outbox.Delivery, error) {
	return n.outbox.Deliveries(request)
}

// noticeSender is where this node's outbox sends: the node holding the
// regency's number sends through the Cloud API, refusing residents who
// wrote BERHENTI; an office configured to relay hands its notices to that
// node through the log; otherwise the given sender (a lab's log).
func (n *Node) noticeSender(given outbox.Sender) outbox.Sender {
	switch {
	case n.cfg.WhatsApp.Enabled():
		return notices.Gate{Next: given, Store: n.store}
	case n.cfg.WhatsApp.Relay:
		return notices.Relay{Store: n.store}
	}
	return given
}

// queueNotices files, at the sender, the notices other offices handed to
// the log, in the transaction that stores their events.
func (n *Node) queueNotices(txn *badger.Txn, applied []*event.Event) error {
	if !n.cfg.WhatsApp.Enabled() {
		return nil
	}
	_, err := notices.Queue(txn, n.outbox, n.store.Self().String(), applied)
	return err
}

// noticesArrived wakes the sender's outbox for notices that just arrived.
func (n *Node) noticesArrived(applied []*event.Event) {
	if !n.cfg.WhatsApp.Enabled() {
		return
	}
	count := 0
	for _, e := range applied {
		if e.Type == notices.TypeQueued && e.Origin != n.store.Self() {
			count++
		}
	}
	if count > 0 {
		n.outbox.Committed(count)
	}
}

// publishDelivery records, at the sender, what the Cloud API reported, so
// every office shows it on the request. A failure to record it is logged:
// the sender's outbox keeps the state, and the next status records it.
func (n *Node) publishDelivery(d outbox.Delivery) {
	if !n.cfg.WhatsApp.Enabled() {
		return
	}
	if err := notices.Publish(n.store, d); err != nil {
		n.log.Warn("record notice status", "notice", d.Notice.ID, "state", d.State, "err", err)
	}
}

// Notices are a request's notices and their delivery states, as this
// office knows them from the log.
func (n *Node) Notices(request string) ([]notices.State, error) { return notices.Of(n.store, request) }

// StopNotices records that the resident at number wants no more notices
// (BERHENTI).
func (n *Node) StopNotices(number string) error { return notices.Stop(n.store, number, n.now()) }
