package cloudapitest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Sent is a message the stand-in accepted.
type Sent struct {
	ID       string // wamid
	Key      string // biz_opaque_callback_data
	To       string
	Type     string   // "template" or "text"
	Template string   // the template's name
	Language string   // its language code
	Params   []string // its body parameters
	Text     string   // a text's body
}

// Hook is one webhook POST the stand-in makes.
type Hook struct {
	Body      []byte
	Signature string
}

// CloudAPI is an in-process stand-in for graph.facebook.com/v23.0.
type CloudAPI struct {
	PhoneID, Token string
	AppSecret      []byte
	// Templates are the approved templates: name → body parameter count.
	Templates map[string]int
	// Unknown numbers are not WhatsApp users: messages to them fail by
	// webhook with 131026.
	Unknown map[string]bool
	// Deliver posts one webhook to the node and returns the HTTP status.
	Deliver func(Hook) int
	Now     func() time.Time
	// BaseURL is where the stand-in is served (for media URLs).
	BaseURL string
	// Accepted, if set, is told of each accepted message as it is
	// accepted (under the stand-in's lock: it must not call back).
	Accepted func(Sent)

	mu       sync.Mutex
	seq      int
	sent     []Sent
	refused  []string // reasons of refused sends
	inbound  map[string]time.Time
	media    map[string]mediaFile
	pending  []Hook
	statuses map[string][]string // wamid → states posted
}

type mediaFile struct {
	mime    string
	content []byte
}

func (c *CloudAPI) init() {
	if c.inbound == nil {
		c.inbound, c.media, c.statuses = map[string]time.Time{}, map[string]mediaFile{}, map[string][]string{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func (c *CloudAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	if r.Header.Get("Authorization") != "Bearer "+c.Token {
		apiError(w, http.StatusUnauthorized, 190, "Invalid OAuth access token")
		return
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v23.0/"+c.PhoneID+"/messages":
		c.send(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/media/"):
		c.download(w, strings.TrimPrefix(r.URL.Path, "/media/"))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/v23.0/"):
		c.mediaURL(w, strings.TrimPrefix(r.URL.Path, "/v23.0/"))
	default:
		apiError(w, http.StatusNotFound, 100, "Unsupported request")
	}
}

type message struct {
	Product  string `json:"messaging_product"`
	To       string `json:"to"`
	Type     string `json:"type"`
	Callback string `json:"biz_opaque_callback_data"`
	Text     *struct {
		Body string `json:"body"`
	} `json:"text"`
	Template *struct {
		Name     string `json:"name"`
		Language struct {
			Code string `json:"code"`
		} `json:"language"`
		Components []struct {
			Type       string `json:"type"`
			Parameters []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			} `json:"parameters"`
		} `json:"components"`
	} `json:"template"`
}

func (c *CloudAPI) send(w http.ResponseWriter, r *http.Request) {
	var m message
	if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m.Product != "whatsapp" || !intlNumber.MatchString(m.To) {
		c.refuse(w, 100, "Invalid parameter")
		return
	}
	s := Sent{Key: m.Callback, To: m.To, Type: m.Type}
	switch {
	case m.Type == "text" && m.Text != nil && m.Text.Body != "":
		s.Text = m.Text.Body
	case m.Type == "template" && m.Template != nil:
		s.Template, s.Language = m.Template.Name, m.Template.Language.Code
		for _, comp := range m.Template.Components {
			for _, p := range comp.Parameters {
				if comp.Type == "body" && p.Type == "text" {
					s.Params = append(s.Params, p.Text)
				}
			}
		}
		want, ok := c.Templates[s.Template]
		switch {
		case !ok || s.Language != "id":
			c.refuse(w, 132001, "Template name does not exist in the translation")
			return
		case len(s.Params) != want:
			c.refuse(w, 132000, "Number of parameters does not match the expected number of params")
			return
		}
		for _, p := range s.Params {
			if p == "" || strings.ContainsAny(p, "\n\t") || strings.Contains(p, "     ") {
				c.refuse(w, 132018, "There was an issue with the parameters in your template.")
				return
			}
		}
	default:
		c.refuse(w, 100, "Invalid parameter")
		return
	}
	c.seq++
	s.ID = fmt.Sprintf("wamid.HBgM%06d", c.seq)
	c.sent = append(c.sent, s)
	if c.Accepted != nil {
		c.Accepted(s)
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":%q}]}`, s.To, s.To, s.ID)
	// What follows comes by webhook, as with Meta: the send's 200 only
	// says the message was accepted.
	switch {
	case c.Unknown[s.To]:
		c.queueStatus(s, "failed", 131026, "Message undeliverable")
	case s.Type == "text" && !c.windowOpen(s.To):
		c.queueStatus(s, "failed", 131047, "Re-engagement message")
	default:
		c.queueStatus(s, "sent", 0, "")
		c.queueStatus(s, "delivered", 0, "")
	}
}

func (c *CloudAPI) windowOpen(to string) bool {
	last, ok := c.inbound[to]
	return ok && c.Now().Sub(last) < 24*time.Hour
}

func (c *CloudAPI) refuse(w http.ResponseWriter, code int, msg string) {
	c.refused = append(c.refused, fmt.Sprint(code))
	apiError(w, http.StatusBadRequest, code, msg)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":{"message":"(#%d) %s","type":"OAuthException","code":%d,"fbtrace_id":"AxT"}}`, code, msg, code)
}

func (c *CloudAPI) queueStatus(s Sent, state string, code int, title string) {
	st := map[string]any{"id": s.ID, "status": state, "timestamp": fmt.Sprint(c.Now().Unix()), "recipient_id": s.To}
	if s.Key != "" {
		st["biz_opaque_callback_data"] = s.Key
	}
	if code != 0 {
		st["errors"] = []any{map[string]any{"code": code, "title": title, "message": title,
			"error_data": map[string]any{"details": title}}}
	}
	c.statuses[s.ID] = append(c.statuses[s.ID], state)
	c.pending = append(c.pending, c.hook(map[string]any{"statuses": []any{st}}))
}

// hook wraps a value in Meta's envelope and signs it.
func (c *CloudAPI) hook(value map[string]any) Hook {
	value["messaging_product"] = "whatsapp"
	value["metadata"] = map[string]any{"display_phone_number": "6272200000", "phone_number_id": c.PhoneID}
	body, _ := json.Marshal(map[string]any{"object": "whatsapp_business_account",
		"entry": []any{map[string]any{"id": "102290129340398", "changes": []any{map[string]any{"field": "messages", "value": value}}}}})
	return Hook{Body: body, Signature: Sign(c.AppSecret, body)}
}

// Sign is X-Hub-Signature-256 for body.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Read marks a message read by its resident (a status webhook follows).
func (c *CloudAPI) Read(wamid string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init()
	for _, s := range c.sent {
		if s.ID == wamid {
			c.queueStatus(s, "read", 0, "")
		}
	}
}

// Sent are the messages accepted so far.
func (c *CloudAPI) Sent() []Sent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sent)
}

// Refused are the codes of refused sends so far.
func (c *CloudAPI) Refused() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.refused)
}

// Pending is the number of webhooks waiting for Flush.
func (c *CloudAPI) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.pending)
}

// Chaos is what Meta may do to its webhooks.
type Chaos struct {
	Duplicate bool // post every webhook twice
	Reverse   bool // post them newest first
	Forge     bool // before each, post a forgery: a failed status signed with another secret
}

// Flush posts the waiting webhooks through Deliver and returns the HTTP
// statuses of the genuine posts; a webhook the node did not take (not
// 200) stays waiting, as Meta retries it. A forged one must be refused
// (401 or 403): it returns an error otherwise.
func (c *CloudAPI) Flush(ch Chaos) ([]int, error) {
	c.mu.Lock()
	hooks := c.pending
	c.pending = nil
	c.mu.Unlock()
	if ch.Reverse {
		slices.Reverse(hooks)
	}
	var codes []int
	var retry []Hook
	for _, h := range hooks {
		if ch.Forge {
			forged := forge(h)
			if code := c.Deliver(forged); code != http.StatusUnauthorized && code != http.StatusForbidden {
				return codes, fmt.Errorf("a forged webhook got HTTP %d", code)
			}
		}
		for range 1 + boolInt(ch.Duplicate) {
			code := c.Deliver(h)
			codes = append(codes, code)
			if code != http.StatusOK {
				retry = append(retry, h)
				break
			}
		}
	}
	c.mu.Lock()
	c.pending = append(retry, c.pending...)
	c.mu.Unlock()
	return codes, nil
}

// forge turns every status of h into a failure, signed with a wrong key.
func forge(h Hook) Hook {
	body := strings.ReplaceAll(string(h.Body), `"status":"`, `"status":"failed","x":"`)
	return Hook{Body: []byte(body), Signature: Sign([]byte("not the app secret"), []byte(body))}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
