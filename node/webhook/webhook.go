package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/sinkron-id/sinkron/node/outbox"
)

// SignatureHeader carries "sha256=" + hex HMAC-SHA256 of the body.
const SignatureHeader = "X-Hub-Signature-256"

// MaxBody bounds a POST: Meta batches at most a few hundred events, far
// below this; anything larger is not Meta's.
const MaxBody = 3 << 20

// Sink takes what a verified webhook carries. An error makes the handler
// answer 500, and Meta delivers the same body again later: so a sink must
// take a repeat as a no-op (statuses never move backwards; a message is
// known by its wamid).
type Sink interface {
	Status(outbox.StatusUpdate) (bool, error)
	Inbound(Message) error
}

// Handler serves the webhook.
type Handler struct {
	VerifyToken   string
	AppSecret     []byte
	PhoneNumberID string // events for another number of the account are skipped
	Sink          Sink
	Log           *slog.Logger
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.receive(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers Meta's subscription handshake: the challenge echoed,
// only for the configured verify token.
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || h.VerifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(h.VerifyToken)) != 1 {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// receive checks the signature over the raw bytes, then parses and hands
// every event to the sink. Nothing is parsed, let alone applied, before
// the signature holds.
func (h *Handler) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		http.Error(w, "missing signature", http.StatusUnauthorized)
		return
	}
	if !Valid(h.AppSecret, body, sig) {
		h.log().Warn("whatsapp webhook with a wrong signature", "from", r.RemoteAddr)
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	ev, err := Parse(body)
	if err != nil {
		// Signed by Meta yet unreadable: a format this code does not know.
		// Answering 200 stops Meta from repeating it forever.
		h.log().Warn("whatsapp webhook not understood", "err", err)
		return
	}
	if err := h.apply(ev); err != nil {
		h.log().Error("whatsapp webhook not applied; Meta will repeat it", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
	}
}

func (h *Handler) apply(ev Events) error {
	var errs []error
	for _, s := range ev.Statuses {
		if h.PhoneNumberID != "" && s.PhoneNumberID != h.PhoneNumberID {
			continue
		}
		if _, err := h.Sink.Status(s.StatusUpdate); err != nil {
			errs = append(errs, err)
		}
	}
	for _, m := range ev.Messages {
		if h.PhoneNumberID != "" && m.PhoneNumberID != h.PhoneNumberID {
			continue
		}
		if err := h.Sink.Inbound(m); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (h *Handler) log() *slog.Logger {
	if h.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Log
}

// Sign is the header value Meta sends for body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Valid checks a signature header against body in constant time.
func Valid(secret, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok || len(secret) == 0 {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}
