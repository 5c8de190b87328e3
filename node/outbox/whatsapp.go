package outbox

// Delivery guarantees with the WhatsApp Business Cloud API.
//
// The Cloud API has no documented idempotency key, so exactly-once cannot
// be promised end to end. What the outbox does:
//
//   - Every send of a notice carries its ID in IdempotencyHeader (for a
//     gateway or proxy that honours one) and in biz_opaque_callback_data,
//     which Meta echoes in status webhooks, so a duplicate can be traced.
//   - Before a send the notice is durably marked Sending; the delivered mark
//     (deleting it) follows the gateway's 2xx without any other work in
//     between. If the node dies inside that window, the notice is found
//     still marked at the next start and moved to the dead letters as
//     Uncertain, never resent by itself: a delivered notice is not sent
//     twice by the outbox, at the price that a notice the gateway never
//     got also waits for an officer's Retry. The window is one HTTP round
//     trip (bounded by the client timeout); a clean shutdown lets an
//     in-flight send finish (see WithGrace), so only a crash or power cut
//     opens it.
//   - A send that returns an error is retried. If the error was a lost
//     answer (a timeout after the gateway accepted), the retry duplicates
//     the message unless the gateway honours the key: the remaining
//     at-least-once case. Errors where nothing left the office (DNS,
//     connection refused) are marked Offline and cannot duplicate.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// IdempotencyHeader carries the notice ID on every send of that notice.
const IdempotencyHeader = "X-Idempotency-Key"

// DefaultTimeout bounds one send, and so the window of uncertainty.
const DefaultTimeout = 15 * time.Second

// maxBody is the Cloud API's limit on a text message body, in characters.
const maxBody = 4096

// WhatsApp sends notices as text messages through the WhatsApp Business
// Cloud API: POST {BaseURL}/{PhoneNumberID}/messages.
type WhatsApp struct {
	BaseURL       string // e.g. https://graph.facebook.com/v23.0
	PhoneNumberID string
	Token         string
	// Client may be replaced before the first send (e.g. to trust a test
	// server's certificate); keep a Timeout on it.
	Client *http.Client
	Log    *slog.Logger
	// Templates are the approved templates a notice of a kind is sent as
	// outside the resident's customer-service window.
	Templates ApprovedTemplates
}

// NewWhatsApp checks the gateway's settings. The base URL must be https,
// except on the loopback interface (a local test gateway), so the token
// never crosses a network in clear text.
func NewWhatsApp(baseURL, phoneNumberID, token string, timeout time.Duration, log *slog.Logger) (*WhatsApp, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("whatsapp base_url %q: not an absolute URL", baseURL)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("whatsapp base_url %q: must be https", baseURL)
	}
	switch {
	case phoneNumberID == "":
		return nil, errors.New("whatsapp phone_number_id is required")
	case token == "":
		return nil, errors.New("whatsapp token is empty")
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &WhatsApp{BaseURL: strings.TrimRight(baseURL, "/"), PhoneNumberID: phoneNumberID, Token: token,
		Client: &http.Client{Timeout: timeout}, Log: log}, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}

// ReadToken reads an access token from a file (never from the config
// itself, which is shared more freely), trimming the trailing newline.
func ReadToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("whatsapp token: %w", err)
	}
	t := strings.TrimSpace(string(b))
	if t == "" {
		return "", fmt.Errorf("whatsapp token %s is empty", path)
	}
	return t, nil
}

type waText struct {
	PreviewURL bool   `json:"preview_url"`
	Body       string `json:"body"`
}

type waMessage struct {
	MessagingProduct string      `json:"messaging_product"`
	RecipientType    string      `json:"recipient_type"`
	To               string      `json:"to"`
	Type             string      `json:"type"`
	Text             *waText     `json:"text,omitempty"`
	Template         *waTemplate `json:"template,omitempty"`
	// Echoed in Meta's status webhooks: ties a message to its notice.
	Callback string `json:"biz_opaque_callback_data,omitempty"`
}

type waTemplate struct {
	Name       string        `json:"name"`
	Language   waLanguage    `json:"language"`
	Components []waComponent `json:"components,omitempty"`
}

type waLanguage struct {
	Code string `json:"code"`
}

type waComponent struct {
	Type       string    `json:"type"`
	Parameters []waParam `json:"parameters"`
}

type waParam struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type waReply struct {
	Messages []struct {
		ID string `json:"id"`
	} `json:"messages"`
	Error *struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
	} `json:"error"`
}

// Send posts one notice (see SendTracked).
func (w *WhatsApp) Send(ctx context.Context, n Notice) error {
	_, err := w.SendTracked(ctx, n)
	return err
}

// message is the Cloud API message for a notice: its kind's approved
// template, or free-form text when the resident's window is open (or the
// notice has no kind).
func (w *WhatsApp) message(n Notice, to string) waMessage {
	m := waMessage{MessagingProduct: "whatsapp", RecipientType: "individual", To: to, Callback: n.ID}
	t, ok := w.Templates.For(n)
	if n.FreeForm || !ok {
		m.Type, m.Text = "text", &waText{Body: truncate(n.Text, maxBody)}
		return m
	}
	params := make([]waParam, 0, len(t.Params))
	for _, v := range t.Values(n.Vars) {
		params = append(params, waParam{Type: "text", Text: v})
	}
	m.Type, m.Template = "template", &waTemplate{Name: t.Name, Language: waLanguage{Code: t.Language}}
	if len(params) > 0 {
		m.Template.Components = []waComponent{{Type: "body", Parameters: params}}
	}
	return m
}

// SendTracked posts one notice and returns the message's wamid. A bad
// number or a refused request is Permanent; 429, 5xx and network errors
// are for retrying.
func (w *WhatsApp) SendTracked(ctx context.Context, n Notice) (string, error) {
	to, err := InternationalNumber(n.To)
	if err != nil {
		return "", Permanent(err)
	}
	body, err := json.Marshal(w.message(n, to))
	if err != nil {
		return "", Permanent(err)
	}
	endpoint := w.BaseURL + "/" + url.PathEscape(w.PhoneNumberID) + "/messages"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", Permanent(err)
	}
	req.Header.Set("Authorization", "Bearer "+w.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(IdempotencyHeader, n.ID)
	resp, err := w.Client.Do(req)
	if err != nil {
		return "", classifyNetError(err)
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return w.outcome(resp.StatusCode, reply, n)
}

// outcome classifies the gateway's answer and returns the wamid.
func (w *WhatsApp) outcome(status int, body []byte, n Notice) (string, error) {
	var r waReply
	_ = json.Unmarshal(body, &r) // a 2xx with an odd body was still accepted
	if status >= 200 && status < 300 {
		msg := ""
		if len(r.Messages) > 0 {
			msg = r.Messages[0].ID
		}
		w.Log.Info("whatsapp notice sent", "id", n.ID, "request", n.Request, "message", msg, "template", !n.FreeForm)
		return msg, nil
	}
	ge := &GatewayError{Status: status, Message: truncate(strings.TrimSpace(string(body)), 300)}
	if r.Error != nil {
		ge.Code, ge.Message = r.Error.Code, truncate(r.Error.Message, 300)
	}
	if status == http.StatusTooManyRequests || status >= 500 || status < 400 || transientCodes[ge.Code] {
		return "", ge
	}
	return "", Permanent(ge)
}

// transientCodes are Graph API error codes for throttling or a passing
// fault, which Meta may send with a 400: retry them like a 429.
var transientCodes = map[int]bool{
	1: true, 2: true, // unknown error, service temporarily unavailable
	4: true, 80007: true, 130429: true, 131056: true, // rate limits
	131000: true, 131016: true, // something went wrong, service unavailable
}

// GatewayError is a non-2xx answer of the gateway.
type GatewayError struct {
	Status  int    // HTTP status
	Code    int    // Graph API error code, 0 if none
	Message string // the gateway's message, shortened
}

func (e *GatewayError) Error() string {
	if _, known := reasons[e.Code]; known {
		return fmt.Sprintf("gateway WhatsApp menolak pesan (HTTP %d): %s", e.Status, Reason(e.Code, ""))
	}
	if e.Code != 0 {
		return fmt.Sprintf("gateway WhatsApp menjawab HTTP %d (kode %d): %s", e.Status, e.Code, e.Message)
	}
	return fmt.Sprintf("gateway WhatsApp menjawab HTTP %d: %s", e.Status, e.Message)
}

// classifyNetError marks failures that happened before any byte of the
// request left the office: they cannot have delivered anything.
func classifyNetError(err error) error {
	var dns *net.DNSError
	var op *net.OpError
	if errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial") {
		return Offline(err)
	}
	return err
}

// InternationalNumber turns an Indonesian mobile number (08…, 628…, +628…,
// with spaces or dashes) into the digits-only form 628… the Cloud API takes.
func InternationalNumber(s string) (string, error) {
	n := strings.Map(func(r rune) rune {
		if strings.ContainsRune(" -.()\t", r) {
			return -1
		}
		return r
	}, s)
	switch {
	case strings.HasPrefix(n, "+62"):
		n = n[1:]
	case strings.HasPrefix(n, "0"):
		n = "62" + n[1:]
	}
	// 08 and 8 to 11 more digits, as the counter's form accepts.
	if len(n) < 11 || len(n) > 14 || !strings.HasPrefix(n, "628") || strings.Trim(n, "0123456789") != "" {
		return "", fmt.Errorf("nomor WhatsApp %q bukan nomor seluler Indonesia", s)
	}
	return n, nil
}

// truncate shortens s to at most limit characters, marking the cut.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-1]) + "…"
}
