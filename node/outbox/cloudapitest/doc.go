// Package cloudapitest is the WhatsApp Business Cloud API as tests see it.
// Gateway checks a request against the API's text message format for the
// fake gateways that tests run on loopback; CloudAPI is a whole stand-in
// that behaves as Meta documents: approved templates only outside the
// resident's 24-hour window (free-form text then fails with 131047), a
// template with the wrong parameter count refused (132000), a wamid for
// every accepted message and its statuses posted later as signed webhooks
// (on demand duplicated, reordered or forged), unknown numbers failing
// with 131026, and inbound messages with media to download.
package cloudapitest
