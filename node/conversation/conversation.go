package conversation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"golang.org/x/time/rate"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/request"
)

// Key layout: the one-byte table 'W' of the node's store.
var (
	convPrefix = []byte{'W', 'c'} // number → Conversation
	seenPrefix = []byte{'W', 's'} // inbound wamid → ∅
)

// DefaultTTL is how long a half-way conversation waits for the resident.
const DefaultTTL = 30 * time.Minute

// maxFailures is how many wrong answers to one question make a
// conversation one an officer should pick up.
const maxFailures = 3

// Requests is what a conversation files and reads.
type Requests interface {
	Create(f request.Form) (*request.Request, error)
	Get(id string) (*request.Request, error)
}

// Media downloads an inbound image by its media ID.
type Media interface {
	Download(ctx context.Context, mediaID string) ([]byte, error)
}

// Queue takes replies into the outbox inside a transaction.
type Queue interface {
	Enqueue(txn *badger.Txn, n outbox.Notice) error
	Committed(count int)
}

// Inbound is one message of a resident.
type Inbound struct {
	ID, From, Type, Text, MediaID string
}

// Conversation is a resident's state.
type Conversation struct {
	Number       string            `json:"number"` // 628…
	Flow         string            `json:"flow,omitempty"`
	Step         int               `json:"step,omitempty"`
	Values       map[string]string `json:"values,omitempty"`
	Photos       map[string][]byte `json:"photos,omitempty"`
	Failures     int               `json:"failures,omitempty"`
	Updated      time.Time         `json:"updated"`
	NeedsOfficer bool              `json:"needs_officer,omitempty"`
	Reason       string            `json:"reason,omitempty"` // why, in Bahasa
}

// Flows.
const (
	flowCheck = "cek"
	flowFile  = "ajukan"
)

// Service runs the conversations of one number.
type Service struct {
	DB       *badger.DB
	Requests Requests
	Media    Media
	Queue    Queue
	// Stop records BERHENTI for a number (replicated to every office).
	Stop func(number string) error
	Now  func() time.Time
	TTL  time.Duration
	Log  *slog.Logger
	// Every and Burst are the attempt limit of status checks per number,
	// as the public page's per address (one each 6 s, burst 10).
	Every time.Duration
	Burst int

	mu     sync.Mutex
	limits map[string]*rate.Limiter
}

// Handle takes one inbound message: once, whatever Meta repeats.
func (s *Service) Handle(ctx context.Context, m Inbound) error {
	number, err := outbox.InternationalNumber(m.From)
	if err != nil || m.ID == "" {
		return nil // not a resident's mobile: nothing to answer
	}
	if seen, err := s.seen(m.ID); err != nil || seen {
		return err
	}
	c, err := s.load(number)
	if err != nil {
		return err
	}
	var replies []string
	if c.Flow != "" && s.now().Sub(c.Updated) > s.ttl() {
		replies = append(replies, s.expiredText())
		c.reset()
	}
	replies = append(replies, s.step(ctx, &c, m)...)
	c.Updated = s.now()
	return s.save(c, m.ID, replies)
}

// step advances the conversation by one message and returns the replies.
func (s *Service) step(ctx context.Context, c *Conversation, m Inbound) []string {
	word := strings.ToUpper(strings.TrimSpace(m.Text))
	switch {
	case word == "BERHENTI":
		c.reset()
		if err := s.Stop(c.Number); err != nil {
			s.log().Error("record BERHENTI", "err", err)
			return nil // unanswered: Meta repeats the webhook after the 500
		}
		return []string{txtStopped}
	case word == "PETUGAS":
		c.NeedsOfficer, c.Reason = true, "warga meminta dihubungi petugas"
		return []string{txtOfficer}
	case word == "BATAL" && c.Flow != "":
		c.reset()
		return []string{txtCancelled}
	}
	switch c.Flow {
	case flowCheck:
		return s.check(c, m)
	case flowFile:
		return s.file(ctx, c, m)
	}
	switch word {
	case "1", "CEK":
		c.Flow, c.Step = flowCheck, 0
		return []string{txtAskCode}
	case "2", "AJUKAN", "DAFTAR":
		c.Flow, c.Step, c.Values, c.Photos = flowFile, 0, map[string]string{}, map[string][]byte{}
		return []string{txtAskStart + s.question(0)}
	}
	return []string{txtMenu}
}

func (c *Conversation) reset() {
	c.Flow, c.Step, c.Values, c.Photos, c.Failures = "", 0, nil, nil, 0
}

// check asks for the tracking code, then the NIK, under the attempt limit.
func (s *Service) check(c *Conversation, m Inbound) []string {
	text := strings.TrimSpace(m.Text)
	if c.Step == 0 {
		c.Values = map[string]string{"kode": strings.ToUpper(text)}
		c.Step = 1
		return []string{txtAskNIK}
	}
	code := c.Values["kode"]
	c.reset()
	if !s.allow(c.Number) {
		return []string{txtLimited}
	}
	r, err := s.Requests.Get(code)
	if err != nil || !sameNIK(r.NIK, text) {
		return []string{txtNotFound}
	}
	done := 0
	for _, st := range r.Steps {
		if st.Done {
			done++
		}
	}
	return []string{fmt.Sprintf(txtStatus, r.ID, serviceTitle(r.Service), r.Status, done, len(r.Steps))}
}

func (s *Service) allow(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.limits == nil {
		s.limits = map[string]*rate.Limiter{}
	}
	l, ok := s.limits[number]
	if !ok {
		every, burst := s.Every, s.Burst
		if every == 0 {
			every, burst = 6*time.Second, 10
		}
		l = rate.NewLimiter(rate.Every(every), max(burst, 1))
		s.limits[number] = l
	}
	return l.AllowN(s.now(), 1)
}

func serviceTitle(name string) string {
	if svc, ok := catalog.Lookup(name); ok {
		return svc.Title
	}
	return name
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) ttl() time.Duration {
	if s.TTL <= 0 {
		return DefaultTTL
	}
	return s.TTL
}

func (s *Service) expiredText() string {
	return fmt.Sprintf(txtExpired, int(s.ttl().Minutes()))
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func key(p []byte, id string) []byte { return append(append([]byte{}, p...), id...) }

func (s *Service) seen(id string) (bool, error) {
	err := s.DB.View(func(txn *badger.Txn) error {
		_, err := txn.Get(key(seenPrefix, id))
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	return err == nil, err
}

func (s *Service) load(number string) (Conversation, error) {
	c := Conversation{Number: number}
	err := s.DB.View(func(txn *badger.Txn) error {
		item, err := txn.Get(key(convPrefix, number))
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		return item.Value(func(v []byte) error { return json.Unmarshal(v, &c) })
	})
	return c, err
}

// save stores the conversation, marks the message handled and queues the
// replies, in one transaction: a crash leaves the message unhandled, and
// Meta's repeat handles it again.
func (s *Service) save(c Conversation, inbound string, replies []string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	err = s.DB.Update(func(txn *badger.Txn) error {
		if err := txn.Set(key(convPrefix, c.Number), b); err != nil {
			return err
		}
		if err := txn.Set(key(seenPrefix, inbound), nil); err != nil {
			return err
		}
		for i, text := range replies {
			n := outbox.Notice{ID: fmt.Sprintf("wa-balas/%s/%d", inbound, i), To: c.Number, Text: text, Created: s.now()}
			if err := s.Queue.Enqueue(txn, n); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.Queue.Committed(len(replies))
	}
	return err
}
