// Package portal is the residents' portal: the pages a resident opens on
// the public listener of an office's node to submit a Sinkronisasi Data
// request online (the online channel, next to WhatsApp and the counter)
// and to track it by tracking code and NIK.
//
// Like the officers' console (api/console), the portal is a client of the
// node's API, here the PublicService: validation, the attempt limits and
// the WhatsApp notice are the API's, and a refusal reads the same as it
// does to a Connect client. It calls the service in process with the
// resident's own request context rather than over web.Loop, so the
// per-address limits count the resident, not the portal (see inProcess).
//
// Residents have no session: each form carries a token tied to a random
// per-browser cookie (web.Sessions' HMAC), and a post another site makes
// the browser send is refused by its Fetch Metadata as well.
package portal
