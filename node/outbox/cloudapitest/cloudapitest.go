package cloudapitest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// Gateway names what a request must carry.
type Gateway struct {
	PhoneID, Token string
	// KeyHeader is the header with the notice's idempotency key, which the
	// body must also carry as biz_opaque_callback_data.
	KeyHeader string
	// Bodies are the approved templates' bodies by name ({{1}}, …): a
	// template message's Text is its body filled in, as the resident
	// reads it.
	Bodies map[string]string
}

// Message is what a well-formed request asks to send; Template is the
// template's name for a template message.
type Message struct{ Key, To, Text, Template string }

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
	if body["type"] == "template" {
		return g.checkTemplate(t, key, body)
	}
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

var bodyParam = regexp.MustCompile(`\{\{([0-9]+)\}\}`)

// checkTemplate checks a template message: name, language id, and its
// body parameters as text, none empty or with a newline or tab.
func (g Gateway) checkTemplate(t testing.TB, key string, body map[string]any) Message {
	to, _ := body["to"].(string)
	tpl, _ := body["template"].(map[string]any)
	name, _ := tpl["name"].(string)
	lang, _ := tpl["language"].(map[string]any)
	var params []string
	comps, _ := tpl["components"].([]any)
	for _, c := range comps {
		comp, _ := c.(map[string]any)
		ps, _ := comp["parameters"].([]any)
		for _, p := range ps {
			param, _ := p.(map[string]any)
			text, _ := param["text"].(string)
			if comp["type"] != "body" || param["type"] != "text" || text == "" || strings.ContainsAny(text, "\n\t") {
				t.Errorf("gateway: bad template parameter %v", param)
			}
			params = append(params, text)
		}
	}
	if key == "" || body["biz_opaque_callback_data"] != key || !intlNumber.MatchString(to) || name == "" || lang["code"] != "id" ||
		body["messaging_product"] != "whatsapp" || body["recipient_type"] != "individual" {
		t.Errorf("gateway: malformed template message (key %q): %v", key, body)
	}
	text := name
	if b, ok := g.Bodies[name]; ok {
		text = bodyParam.ReplaceAllStringFunc(b, func(m string) string {
			var i int
			fmt.Sscanf(m, "{{%d}}", &i)
			if i < 1 || i > len(params) {
				t.Errorf("gateway: template %s has %d parameters, its body asks for {{%d}}", name, len(params), i)
				return m
			}
			return params[i-1]
		})
		if bodyParam.NumSubexp() > 0 && len(bodyParam.FindAllString(b, -1)) != len(params) {
			t.Errorf("gateway: template %s: %d parameters for %q", name, len(params), b)
		}
	}
	return Message{Key: key, To: to, Text: text, Template: name}
}
