package conversation

import (
	"context"
	"crypto/subtle"
	"fmt"
	"strings"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/node/request"
)

// The Sinkronisasi Data form as seed 000 asks it, from the catalog: its
// fields but the WhatsApp number (the one the resident writes from), then
// its photos.
const service = "sinkronisasi-data"

type question struct {
	field catalog.Field // zero for a photo
	doc   catalog.Document
}

func questions() []question {
	svc, _ := catalog.Lookup(service)
	var qs []question
	for _, f := range svc.Form.Fields {
		if f.Type != catalog.FieldPhone {
			qs = append(qs, question{field: f})
		}
	}
	for _, d := range svc.Documents {
		qs = append(qs, question{doc: d})
	}
	return qs
}

func (q question) photo() bool { return q.field.Name == "" }

func (s *Service) question(i int) string {
	q := questions()[i]
	if q.photo() {
		return fmt.Sprintf(txtAskPhoto, q.doc.Title)
	}
	return fmt.Sprintf(txtAskField, q.field.Label)
}

// file takes the answer to the current question and asks the next; after
// the last photo it files the request at this office with channel
// WhatsApp.
func (s *Service) file(ctx context.Context, c *Conversation, m Inbound) []string {
	qs := questions()
	if c.Step >= len(qs) {
		c.reset()
		return []string{txtMenu}
	}
	if c.Values == nil { // an empty map is not stored
		c.Values = map[string]string{}
	}
	if c.Photos == nil {
		c.Photos = map[string][]byte{}
	}
	q := qs[c.Step]
	if msg := s.answer(ctx, c, q, m); msg != "" {
		c.Failures++
		if c.Failures >= maxFailures {
			c.NeedsOfficer, c.Reason = true, "warga kesulitan mengisi "+label(q)
		}
		return []string{msg}
	}
	c.Step, c.Failures = c.Step+1, 0
	if c.Step < len(qs) {
		return []string{s.question(c.Step)}
	}
	reply := s.submit(c)
	c.reset()
	return []string{reply}
}

func label(q question) string {
	if q.photo() {
		return q.doc.Title
	}
	return q.field.Label
}

// answer checks one answer as the counter's form would and keeps it; it
// returns what to tell the resident when it is refused.
func (s *Service) answer(ctx context.Context, c *Conversation, q question, m Inbound) string {
	if q.photo() {
		if m.Type != "image" || m.MediaID == "" {
			return fmt.Sprintf(txtWantPhoto, q.doc.Title)
		}
		b, err := s.Media.Download(ctx, m.MediaID)
		if err != nil {
			s.log().Warn("download a resident's photo", "err", err)
			return fmt.Sprintf(txtPhotoFailed, q.doc.Title)
		}
		if _, err := form.CheckImage(q.doc.Title, b); err != nil {
			return fmt.Sprintf(txtFieldInvalid, err.Error())
		}
		c.Photos[q.doc.Name] = b
		return ""
	}
	one := catalog.Form{Fields: []catalog.Field{q.field}}
	norm, err := one.Normalize(map[string]string{q.field.Name: strings.TrimSpace(m.Text)}, s.now())
	if err != nil {
		return fmt.Sprintf(txtFieldInvalid, err.Error())
	}
	c.Values[q.field.Name] = norm[q.field.Name]
	return ""
}

// submit files the request and says its tracking code.
func (s *Service) submit(c *Conversation) string {
	phone, err := form.NormalizePhone(c.Number)
	if err != nil {
		return fmt.Sprintf(txtFileFailed, err.Error())
	}
	fields := map[string]string{"whatsapp": phone}
	for k, v := range c.Values {
		fields[k] = v
	}
	f := request.Form{Service: service, Fields: fields, Channel: channelWhatsApp, Officer: "Layanan WhatsApp"}
	for _, d := range questions() {
		if d.photo() {
			f.Documents = append(f.Documents, request.Upload{Name: d.doc.Name, Content: c.Photos[d.doc.Name]})
		}
	}
	r, err := s.Requests.Create(f)
	if err != nil {
		c.NeedsOfficer, c.Reason = true, "permohonan lewat WhatsApp gagal disimpan: "+err.Error()
		return fmt.Sprintf(txtFileFailed, err.Error())
	}
	return fmt.Sprintf(txtFiled, r.ID)
}

// channelWhatsApp is sinkron.v1.Channel CHANNEL_WHATSAPP.
const channelWhatsApp = 3

func sameNIK(filed, given string) bool {
	return subtle.ConstantTimeCompare([]byte(filed), []byte(strings.TrimSpace(given))) == 1
}
