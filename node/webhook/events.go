package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sinkron-id/sinkron/node/outbox"
)

// Message is one message a resident sent to the regency's number.
type Message struct {
	PhoneNumberID string    // the number it was sent to
	ID            string    // its wamid: a repeat has the same
	From          string    // the resident's number, 628…
	At            time.Time // Meta's timestamp
	Type          string    // text, image, …
	Text          string    // a text's body, or an image's caption
	MediaID       string    // an image's media ID, to download
	MimeType      string
}

// Status is a delivery status with the number it concerns.
type Status struct {
	PhoneNumberID string
	outbox.StatusUpdate
}

// Events are what one webhook POST carries.
type Events struct {
	Statuses []Status
	Messages []Message
}

type payload struct {
	Object string `json:"object"`
	Entry  []struct {
		Changes []struct {
			Field string `json:"field"`
			Value struct {
				Metadata struct {
					PhoneNumberID string `json:"phone_number_id"`
				} `json:"metadata"`
				Statuses []struct {
					ID        string `json:"id"`
					Status    string `json:"status"`
					Timestamp string `json:"timestamp"`
					Callback  string `json:"biz_opaque_callback_data"`
					Errors    []struct {
						Code  int    `json:"code"`
						Title string `json:"title"`
					} `json:"errors"`
				} `json:"statuses"`
				Messages []struct {
					From      string `json:"from"`
					ID        string `json:"id"`
					Timestamp string `json:"timestamp"`
					Type      string `json:"type"`
					Text      struct {
						Body string `json:"body"`
					} `json:"text"`
					Image struct {
						ID       string `json:"id"`
						MimeType string `json:"mime_type"`
						Caption  string `json:"caption"`
					} `json:"image"`
				} `json:"messages"`
			} `json:"value"`
		} `json:"changes"`
	} `json:"entry"`
}

// Parse reads a webhook body. Fields other than "messages" (template
// quality, account updates) carry nothing for the node and are skipped.
func Parse(body []byte) (Events, error) {
	var p payload
	if err := json.Unmarshal(body, &p); err != nil {
		return Events{}, fmt.Errorf("webhook body: %w", err)
	}
	if p.Object != "whatsapp_business_account" {
		return Events{}, errors.New("webhook body: not a WhatsApp Business Account event")
	}
	var ev Events
	for _, e := range p.Entry {
		for _, c := range e.Changes {
			if c.Field != "messages" {
				continue
			}
			v := c.Value
			for _, s := range v.Statuses {
				u := outbox.StatusUpdate{Message: s.ID, Callback: s.Callback, State: s.Status, At: unix(s.Timestamp)}
				if len(s.Errors) > 0 {
					u.Code, u.Title = s.Errors[0].Code, s.Errors[0].Title
				}
				ev.Statuses = append(ev.Statuses, Status{PhoneNumberID: v.Metadata.PhoneNumberID, StatusUpdate: u})
			}
			for _, m := range v.Messages {
				msg := Message{PhoneNumberID: v.Metadata.PhoneNumberID, ID: m.ID, From: m.From, At: unix(m.Timestamp),
					Type: m.Type, Text: m.Text.Body}
				if m.Type == "image" {
					msg.MediaID, msg.MimeType, msg.Text = m.Image.ID, m.Image.MimeType, m.Image.Caption
				}
				ev.Messages = append(ev.Messages, msg)
			}
		}
	}
	return ev, nil
}

// unix reads Meta's timestamps: seconds since 1970, as a string.
func unix(s string) time.Time {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}
	}
	return time.Unix(n, 0)
}
