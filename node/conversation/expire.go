package conversation

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/sinkron-id/sinkron/node/outbox"
)

// Expire ends every conversation left half-way for longer than the TTL
// and tells the resident so (their window is still open: they wrote
// within the TTL). It returns how many ended.
func (s *Service) Expire() (int, error) {
	var ended []Conversation
	err := s.each(func(c Conversation) {
		if c.Flow != "" && s.now().Sub(c.Updated) > s.ttl() {
			ended = append(ended, c)
		}
	})
	if err != nil {
		return 0, err
	}
	for _, c := range ended {
		at := c.Updated
		c.reset()
		b, err := json.Marshal(c)
		if err != nil {
			return 0, err
		}
		n := outbox.Notice{ID: fmt.Sprintf("wa-kedaluwarsa/%s/%d", c.Number, at.UnixMilli()), To: c.Number,
			Text: s.expiredText(), Created: s.now()}
		err = s.DB.Update(func(txn *badger.Txn) error {
			if err := txn.Set(key(convPrefix, c.Number), b); err != nil {
				return err
			}
			return s.Queue.Enqueue(txn, n)
		})
		if err != nil {
			return 0, err
		}
		s.Queue.Committed(1)
	}
	return len(ended), nil
}

// NeedingOfficer lists the conversations an officer should pick up: the
// resident asked for one, or could not get past a question.
func (s *Service) NeedingOfficer() ([]Conversation, error) {
	var out []Conversation
	err := s.each(func(c Conversation) {
		if c.NeedsOfficer {
			c.Photos = nil
			out = append(out, c)
		}
	})
	return out, err
}

// Resolve takes a conversation off the officers' list.
func (s *Service) Resolve(number string) error {
	to, err := outbox.InternationalNumber(number)
	if err != nil {
		return err
	}
	c, err := s.load(to)
	if err != nil {
		return err
	}
	c.NeedsOfficer, c.Reason = false, ""
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.DB.Update(func(txn *badger.Txn) error { return txn.Set(key(convPrefix, to), b) })
}

func (s *Service) each(fn func(Conversation)) error {
	return s.DB.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: convPrefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var c Conversation
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &c) }); err != nil {
				return err
			}
			fn(c)
		}
		return nil
	})
}

// Run expires conversations every minute until stop closes.
func (s *Service) Run(stop <-chan struct{}, tick <-chan time.Time) {
	for {
		select {
		case <-stop:
			return
		case <-tick:
			if _, err := s.Expire(); err != nil {
				s.log().Warn("expire whatsapp conversations", "err", err)
			}
		}
	}
}
