package node

import (
	"errors"

	"github.com/sinkron-id/sinkron/node/outbox"
)

// WebhookConfig is the [whatsapp.webhook] table: Meta calls the public
// listener's /whatsapp/webhook with delivery statuses and residents'
// messages. Both secrets live in files, like the token.
type WebhookConfig struct {
	// VerifyTokenFile holds the token typed into the app's webhook setup;
	// Meta's GET handshake must present it.
	VerifyTokenFile string `toml:"verify_token_file,omitempty"`
	// AppSecretFile holds the Meta app's secret, the key of every POST's
	// X-Hub-Signature-256.
	AppSecretFile string `toml:"app_secret_file,omitempty"`
}

// Enabled reports whether the webhook is served.
func (w WebhookConfig) Enabled() bool { return w.AppSecretFile != "" }

func (w WebhookConfig) check(sending bool) error {
	if w.Enabled() && w.VerifyTokenFile == "" {
		return errors.New("whatsapp.webhook: verify_token_file is required with app_secret_file")
	}
	if w.Enabled() && !sending {
		return errors.New("whatsapp.webhook: only the node that sends (phone_number_id) receives the webhook")
	}
	return nil
}

// ApprovedTemplates are the message templates notices are sent as: the
// defaults, overridden per kind by [whatsapp.template.KIND].
func (w WhatsAppConfig) ApprovedTemplates() outbox.ApprovedTemplates {
	return outbox.DefaultApprovedTemplates().With(w.Template)
}
