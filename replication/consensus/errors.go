package consensus

import (
	"errors"

	"github.com/hashicorp/raft"
)

var (
	// ErrClosed is returned once the Cluster has been closed.
	ErrClosed = errors.New("consensus: cluster closed")
	// ErrNoQuerier is returned by Query when the Config had no Querier.
	ErrNoQuerier = errors.New("consensus: no querier configured")

	errNoLeader = errors.New("consensus: no known leader")
)

// RemoteError is an operation's failure reported by the leader when the call
// was forwarded (an FSM or Querier error, or a refused membership change).
// On the leader itself the original error value is returned instead.
type RemoteError struct {
	Msg string
}

func (e *RemoteError) Error() string { return e.Msg }

// retryError marks a failure that another attempt, possibly at another
// leader, can cure: a broken stream, a leader that stepped down.
type retryError struct{ err error }

func (e retryError) Error() string { return e.err.Error() }
func (e retryError) Unwrap() error { return e.err }

// retryable reports whether err means "not done, try the (new) leader".
// Re-proposal is safe because the FSM is idempotent by command key.
func retryable(err error) bool {
	var re retryError
	switch {
	case errors.As(err, &re),
		errors.Is(err, errNoLeader),
		errors.Is(err, raft.ErrNotLeader),
		errors.Is(err, raft.ErrLeadershipLost),
		errors.Is(err, raft.ErrLeadershipTransferInProgress),
		errors.Is(err, raft.ErrAbortedByRestore),
		errors.Is(err, raft.ErrRaftShutdown):
		return true
	}
	return false
}
