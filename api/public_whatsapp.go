package api

import "net/http"

// WebhookPath is where the WhatsApp Cloud API posts its webhook on the
// public listener (the dinas's; see DESIGN.md, WhatsApp).
const WebhookPath = "/whatsapp/webhook"

// whatsAppNode is a node that receives the Cloud API's webhook; a nil
// handler means none is configured.
type whatsAppNode interface {
	WhatsAppWebhook() http.Handler
}

// withWebhook routes the webhook past the residents' attempt limit: Meta
// posts from a few addresses, many times a minute, and every post is
// authenticated by its signature instead.
func withWebhook(n PublicNode, residents http.Handler) http.Handler {
	wa, ok := n.(whatsAppNode)
	if !ok {
		return residents
	}
	hook := wa.WhatsAppWebhook()
	if hook == nil {
		return residents
	}
	mux := http.NewServeMux()
	mux.Handle(WebhookPath, hook)
	mux.Handle("/", residents)
	return mux
}
