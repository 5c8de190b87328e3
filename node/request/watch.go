package request

// Watch returns a channel of requests as they change on this node, and a
// function to stop watching. A watcher that falls behind by more than the
// buffer is dropped (its channel closed); it re-reads and watches again.
func (s *Service) Watch() (<-chan *Request, func()) {
	ch := make(chan *Request, 256)
	s.mu.Lock()
	s.watchers[ch] = true
	s.mu.Unlock()
	return ch, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.watchers[ch] {
			delete(s.watchers, ch)
			close(ch)
		}
	}
}

// Changed tells watchers that these requests changed.
func (s *Service) Changed(ids []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.watchers) == 0 {
		return
	}
	for _, id := range ids {
		r, err := s.Get(id)
		if err != nil {
			continue
		}
		for ch := range s.watchers {
			select {
			case ch <- r:
			default:
				delete(s.watchers, ch)
				close(ch)
			}
		}
	}
}
