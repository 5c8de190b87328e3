// Package webhook receives the WhatsApp Business Cloud API's webhook on the
// dinas's public listener: the GET verification handshake Meta makes when
// the endpoint is set up, and POSTed "messages" events, each checked
// against X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the app
// secret) before any of it is read. Delivery statuses go to the outbox,
// residents' own messages to the conversation; the package only parses and
// authenticates, its Sink decides.
package webhook
