package api

import (
	"errors"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/bundle"
)

// toConnect gives a domain error the Connect code a client can act on; the
// message is the officer-facing text.
func toConnect(err error) error {
	if err == nil {
		return nil
	}
	code := connect.CodeInternal
	switch {
	case errors.Is(err, request.ErrNotFound):
		code = connect.CodeNotFound
	case errors.Is(err, request.ErrInvalid):
		code = connect.CodeInvalidArgument
	case errors.Is(err, request.ErrPrecondition):
		code = connect.CodeFailedPrecondition
	case errors.Is(err, request.ErrPermission):
		code = connect.CodePermissionDenied
	case errors.Is(err, bundle.ErrCorrupt), errors.Is(err, bundle.ErrTruncated),
		errors.Is(err, bundle.ErrForged), errors.Is(err, bundle.ErrNotAdmitted):
		code = connect.CodeInvalidArgument
	case errors.Is(err, bundle.ErrGap):
		code = connect.CodeFailedPrecondition
	case errors.Is(err, bundle.ErrInterrupted):
		code = connect.CodeAborted
	}
	return connect.NewError(code, err)
}

func invalid(msg string) error {
	return connect.NewError(connect.CodeInvalidArgument, errors.New(msg))
}
