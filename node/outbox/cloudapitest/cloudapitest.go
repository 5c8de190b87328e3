package cloudapitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"testing"
)

// Gateway names what a request must carry.
type Gateway struct {
	PhoneID, Token string
	// KeyHeader is the header with the notice's idempotency key, which the
	// body must also carry as biz_opaque_callback_data.
	KeyHeader string
}

// Message is what a well-formed request asks to send.
type Message struct{ Key, To, Text string }

var intlNumber = regexp.MustCompile(`^628[0-9]{8,11}$`)

// Check reports through t everything in r that the Cloud API would refuse
// or that the sender must not do, and returns the message.
func (g Gateway) Check(t testing.TB, r *http.Request) Message {
	if r.Method != http.MethodPost || r.URL.Path != "/v23.0/"+g.PhoneID+"/messages" {
		t.Errorf("gateway: %s %s", r.Method, r.URL.Path)
	}
	if a := r.Header.Get("Authorization"); a != "Bearer "+g.Token {
		t.Errorf("gateway: Authorization %q", a)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("gateway: Content-Type %q", ct)
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Errorf("gateway: body: %v", err)
	}
	key := r.Header.Get(g.KeyHeader)
	want := map[string]any{"messaging_product": "whatsapp", "recipient_type": "individual", "type": "text", "biz_opaque_callback_data": key}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("gateway: %s = %v, want %v", k, body[k], v)
		}
	}
	to, _ := body["to"].(string)
	text, _ := body["text"].(map[string]any)
	msg, _ := text["body"].(string)
	if key == "" || !intlNumber.MatchString(to) || len(body) != 6 || len(text) != 2 || text["preview_url"] != false || msg == "" {
		t.Errorf("gateway: malformed message (key %q): %v", key, body)
	}
	return Message{Key: key, To: to, Text: msg}
}

// Answer writes the API's answer for status: a message ID for 200, the
// API's error bodies for a refused number (400) and for anything else.
func Answer(w http.ResponseWriter, status int, to, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	switch status {
	case http.StatusOK:
		fmt.Fprintf(w, `{"messaging_product":"whatsapp","contacts":[{"input":%q,"wa_id":%q}],"messages":[{"id":"wamid.%s"}]}`, to, to, id)
	case http.StatusBadRequest:
		fmt.Fprint(w, `{"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,"fbtrace_id":"Ax"}}`)
	default:
		fmt.Fprint(w, `{"error":{"message":"Service temporarily unavailable","code":2}}`)
	}
}
