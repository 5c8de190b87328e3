package api

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"

	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/replication/bundle"
	"github.com/sinkron-id/sinkron/replication/consensus"
)

// kindCodes is the Connect code of each domain error kind (node/fault):
// every node package's sentinels are made of these kinds, so this table is
// the whole mapping from the node's errors to the protocol.
var kindCodes = map[fault.Kind]connect.Code{
	fault.NotFound:        connect.CodeNotFound,
	fault.Invalid:         connect.CodeInvalidArgument,
	fault.Exists:          connect.CodeAlreadyExists,
	fault.Precondition:    connect.CodeFailedPrecondition,
	fault.Permission:      connect.CodePermissionDenied,
	fault.Unauthenticated: connect.CodeUnauthenticated,
	fault.Exhausted:       connect.CodeResourceExhausted,
	fault.Unavailable:     connect.CodeUnavailable,
}

// toConnect gives an error the Connect code a client can act on; the
// message is the officer-facing text. An error of no known kind is
// Internal: a fault of the node, not of the call.
func toConnect(err error) error { return toConnectOr(err, connect.CodeInternal) }

// toConnectOr is toConnect with the code of an error of no known kind: a
// decision that failed for a reason the node does not name failed because
// the dinas cluster could not be reached (Unavailable), a KK code that
// does not verify is the caller's (InvalidArgument).
func toConnectOr(err error, unknown connect.Code) error {
	if err == nil {
		return nil
	}
	ce := connect.NewError(codeOf(err, unknown), err)
	if v := violations(err); v != nil {
		if d, derr := connect.NewErrorDetail(v); derr == nil {
			ce.AddDetail(d)
		}
	}
	return ce
}

// violations lists a refused form's fields as google.rpc.BadRequest, so a
// client (the console, an outside counter program) shows each message next
// to its field without parsing the sentence.
func violations(err error) *errdetails.BadRequest {
	var fields form.Errors
	var one *form.FieldError
	switch {
	case errors.As(err, &fields):
	case errors.As(err, &one):
		fields = form.Errors{one}
	default:
		return nil
	}
	br := &errdetails.BadRequest{}
	for _, f := range fields {
		if f != nil {
			br.FieldViolations = append(br.FieldViolations, &errdetails.BadRequest_FieldViolation{Field: f.Field, Description: f.Message})
		}
	}
	return br
}

// codeOf is the code of err: its domain kind first, then the replication
// layer's errors, which are not the node's and carry no kind.
func codeOf(err error, unknown connect.Code) connect.Code {
	if code, ok := kindCodes[fault.KindOf(err)]; ok {
		return code
	}
	switch {
	case errors.Is(err, bundle.ErrCorrupt), errors.Is(err, bundle.ErrTruncated),
		errors.Is(err, bundle.ErrForged), errors.Is(err, bundle.ErrNotAdmitted):
		return connect.CodeInvalidArgument
	case errors.Is(err, bundle.ErrGap):
		return connect.CodeFailedPrecondition
	case errors.Is(err, bundle.ErrInterrupted):
		return connect.CodeAborted
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return connect.CodeDeadlineExceeded
	case errors.Is(err, consensus.ErrClosed):
		return connect.CodeUnavailable
	}
	return unknown
}

func invalid(msg string) error {
	return connect.NewError(connect.CodeInvalidArgument, errors.New(msg))
}
