package fault

import "errors"

// Kind is what went wrong, as a client can act on it.
type Kind uint8

// The kinds. Internal is an error that carries no kind: a fault of the node,
// not of the request.
const (
	Internal        Kind = iota
	NotFound             // the thing named does not exist here
	Invalid              // the input is malformed; retrying it unchanged fails again
	Exists               // it was already done or filed
	Precondition         // the state does not allow it now (a step out of order)
	Permission           // the caller's role or office may not do it
	Unauthenticated      // no valid credentials
	Exhausted            // a limit or quota was reached; try again later
	Unavailable          // a part it needs is out of reach (offline, no leader)
)

// Error is a domain error: an officer-facing message and its kind.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

// Is reports a match with the bare sentinel of its kind (ErrNotFound…), so
// errors.Is(err, fault.ErrNotFound) holds for every package's "not found".
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Msg == "" && t.Kind == e.Kind
}

// New returns a domain error of kind k with the officer-facing message msg.
func New(k Kind, msg string) *Error { return &Error{Kind: k, Msg: msg} }

// The bare sentinels of each kind, for errors.Is.
var (
	ErrNotFound        = &Error{Kind: NotFound}
	ErrInvalid         = &Error{Kind: Invalid}
	ErrExists          = &Error{Kind: Exists}
	ErrPrecondition    = &Error{Kind: Precondition}
	ErrPermission      = &Error{Kind: Permission}
	ErrUnauthenticated = &Error{Kind: Unauthenticated}
	ErrExhausted       = &Error{Kind: Exhausted}
	ErrUnavailable     = &Error{Kind: Unavailable}
)

// KindOf is the kind of the first domain error in err's chain, or Internal.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}
