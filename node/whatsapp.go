package node

import (
	"log/slog"
	"net/http"

	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/webhook"
)

// whatsApp is the node's end of the Cloud API's webhook: delivery
// statuses to the outbox, residents' messages to their window (and the
// conversation).
type whatsApp struct {
	outbox  *outbox.Outbox
	handler http.Handler // nil: no webhook configured
	log     *slog.Logger
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

// Inbound opens the resident's customer-service window.
func (w *whatsApp) Inbound(m webhook.Message) error {
	if err := w.outbox.Inbound(m.From, m.At); err != nil {
		w.log.Warn("whatsapp message from a number that is not Indonesian mobile", "from", m.From, "err", err)
	}
	return nil
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
