package webhook

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sinkron-id/sinkron/node/outbox"
)

type recorder struct {
	statuses []outbox.StatusUpdate
	messages []Message
}

func (r *recorder) Status(u outbox.StatusUpdate) (bool, error) {
	r.statuses = append(r.statuses, u)
	return true, nil
}

func (r *recorder) Inbound(m Message) error {
	r.messages = append(r.messages, m)
	return nil
}

const sample = `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{
"messaging_product":"whatsapp","metadata":{"display_phone_number":"62722","phone_number_id":"PN1"},
"statuses":[{"id":"wamid.A","status":"failed","timestamp":"1700000000","recipient_id":"6281111111111",
"biz_opaque_callback_data":"p/7","errors":[{"code":131026,"title":"Message undeliverable"}]}],
"messages":[{"from":"6281234567890","id":"wamid.IN1","timestamp":"1700000001","type":"image",
"image":{"id":"MEDIA1","mime_type":"image/jpeg","caption":"foto KK"}}]}}]}]}`

// Meta's handshake is answered with the challenge only for the configured
// token and mode.
func TestVerificationHandshake(t *testing.T) {
	h := &Handler{VerifyToken: "rahasia-verifikasi", AppSecret: []byte("s"), Sink: &recorder{}}
	for _, tc := range []struct {
		query string
		code  int
		body  string
	}{
		{"hub.mode=subscribe&hub.verify_token=rahasia-verifikasi&hub.challenge=1158201444", 200, "1158201444"},
		{"hub.mode=subscribe&hub.verify_token=salah&hub.challenge=1", 403, ""},
		{"hub.mode=unsubscribe&hub.verify_token=rahasia-verifikasi&hub.challenge=1", 403, ""},
		{"hub.mode=subscribe&hub.challenge=1", 403, ""},
	} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/whatsapp/webhook?"+tc.query, nil))
		if w.Code != tc.code || (tc.code == 200 && w.Body.String() != tc.body) {
			t.Errorf("%s: %d %q", tc.query, w.Code, w.Body.String())
		}
	}
}

// A POST without the signature is 401, with a wrong one 403, and neither
// reaches the sink; a signed one does, parsed.
func TestSignatureChecked(t *testing.T) {
	secret := []byte("app-secret")
	for _, tc := range []struct {
		name, body, sig string
		code            int
	}{
		{"signed", sample, Sign(secret, []byte(sample)), 200},
		{"missing", sample, "", 401},
		{"other secret", sample, Sign([]byte("other"), []byte(sample)), 403},
		{"body changed", strings.Replace(sample, "131026", "131000", 1), Sign(secret, []byte(sample)), 403},
		{"no prefix", sample, strings.TrimPrefix(Sign(secret, []byte(sample)), "sha256="), 403},
		{"not hex", sample, "sha256=zz", 403},
		{"sha1", sample, "sha1=" + strings.TrimPrefix(Sign(secret, []byte(sample)), "sha256="), 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			h := &Handler{VerifyToken: "v", AppSecret: secret, PhoneNumberID: "PN1", Sink: rec}
			r := httptest.NewRequest(http.MethodPost, "/whatsapp/webhook", strings.NewReader(tc.body))
			if tc.sig != "" {
				r.Header.Set(SignatureHeader, tc.sig)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.code {
				t.Fatalf("HTTP %d, want %d", w.Code, tc.code)
			}
			if tc.code != 200 {
				if len(rec.statuses)+len(rec.messages) != 0 {
					t.Fatalf("a refused webhook reached the sink: %+v", rec)
				}
				return
			}
			s, m := rec.statuses, rec.messages
			if len(s) != 1 || s[0].Message != "wamid.A" || s[0].State != "failed" || s[0].Code != 131026 || s[0].Callback != "p/7" || s[0].At.Unix() != 1700000000 {
				t.Fatalf("statuses %+v", s)
			}
			if len(m) != 1 || m[0].From != "6281234567890" || m[0].MediaID != "MEDIA1" || m[0].Text != "foto KK" || m[0].Type != "image" {
				t.Fatalf("messages %+v", m)
			}
		})
	}
}

// Events for another number of the same business account are skipped.
func TestOtherNumberSkipped(t *testing.T) {
	rec := &recorder{}
	h := &Handler{VerifyToken: "v", AppSecret: []byte("k"), PhoneNumberID: "PN2", Sink: rec}
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(sample))
	r.Header.Set(SignatureHeader, Sign([]byte("k"), []byte(sample)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || len(rec.statuses)+len(rec.messages) != 0 {
		t.Fatalf("HTTP %d, sink got %+v", w.Code, rec)
	}
}

// FuzzWebhookBody: any body, signed or not, neither panics the handler nor
// reaches the sink unsigned; Parse never panics.
func FuzzWebhookBody(f *testing.F) {
	f.Add([]byte(sample), true)
	f.Add([]byte(`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"statuses":[{"status":"read","timestamp":"-1"}]}}]}]}`), true)
	f.Add([]byte(`{}`), false)
	secret := []byte("k")
	f.Fuzz(func(t *testing.T, body []byte, signed bool) {
		_, _ = Parse(body)
		rec := &recorder{}
		h := &Handler{VerifyToken: "v", AppSecret: secret, Sink: rec}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(string(body)))
		if signed {
			r.Header.Set(SignatureHeader, Sign(secret, body))
		} else {
			r.Header.Set(SignatureHeader, Sign([]byte("x"), body))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if !signed && (w.Code != 403 || len(rec.statuses)+len(rec.messages) != 0) {
			t.Fatalf("unsigned body: HTTP %d, sink %+v", w.Code, rec)
		}
	})
}
