package node

import (
	"context"
	"sync"

	"github.com/sinkron-id/sinkron/replication/store"
)

// queue hands commit results from the store's write path (which must not
// block) to the dispatcher, without bound and in order.
type queue struct {
	mu     sync.Mutex
	items  []store.Result
	signal chan struct{}
	done   chan struct{}
	once   sync.Once
}

func newQueue() *queue {
	return &queue{signal: make(chan struct{}, 1), done: make(chan struct{})}
}

func (q *queue) push(r store.Result) {
	q.mu.Lock()
	q.items = append(q.items, r)
	q.mu.Unlock()
	select {
	case q.signal <- struct{}{}:
	default:
	}
}

func (q *queue) pop(ctx context.Context) (store.Result, bool) {
	for {
		q.mu.Lock()
		if len(q.items) > 0 {
			r := q.items[0]
			q.items = q.items[1:]
			q.mu.Unlock()
			return r, true
		}
		q.mu.Unlock()
		select {
		case <-q.signal:
		case <-ctx.Done():
			return store.Result{}, false
		case <-q.done:
			return store.Result{}, false
		}
	}
}

func (q *queue) close() { q.once.Do(func() { close(q.done) }) }
