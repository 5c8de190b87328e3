package api

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/document"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/bundle"
	"github.com/sinkron-id/sinkron/replication/consensus"
)

// Every package's errors reach the client with the code the handlers
// gave them before there was one mapper, wrapped or not; an error of no
// kind takes the caller's fallback.
func TestOneMapper(t *testing.T) {
	tests := []struct {
		err  error
		want connect.Code
	}{
		{request.ErrNotFound, connect.CodeNotFound},
		{fmt.Errorf("%w: nama wajib diisi", request.ErrInvalid), connect.CodeInvalidArgument},
		{request.ErrPrecondition, connect.CodeFailedPrecondition},
		{request.ErrPermission, connect.CodePermissionDenied},
		{registry.ErrNotFound, connect.CodeNotFound},
		{registry.ErrExists, connect.CodeAlreadyExists},
		{registry.ErrPrecondition, connect.CodeFailedPrecondition},
		{account.ErrToken, connect.CodeUnauthenticated},
		{account.ErrCredentials, connect.CodeUnauthenticated},
		{account.ErrForbidden, connect.CodePermissionDenied},
		{account.ErrDisabled, connect.CodePermissionDenied},
		{account.ErrUnusable, connect.CodePermissionDenied},
		{account.ErrLocked, connect.CodeResourceExhausted},
		{account.ErrExists, connect.CodeAlreadyExists},
		{fmt.Errorf("%w: %w", account.ErrToken, account.ErrDisabled), connect.CodeUnauthenticated},
		{decision.ErrNotDinas, connect.CodeFailedPrecondition},
		{decision.ErrRefused, connect.CodeFailedPrecondition},
		{node.ErrNotSigner, connect.CodeFailedPrecondition},
		{fmt.Errorf("%w: sisa 10 MB", node.ErrDiskFull), connect.CodeResourceExhausted},
		{outbox.ErrNotDead, connect.CodeNotFound},
		{document.ErrKKQR, connect.CodeInvalidArgument},
		{document.ErrBadSignature, connect.CodeInvalidArgument},
		{fault.New(fault.Unavailable, "klaster Dinas tidak terjangkau"), connect.CodeUnavailable},
		{bundle.ErrForged, connect.CodeInvalidArgument},
		{bundle.ErrGap, connect.CodeFailedPrecondition},
		{bundle.ErrInterrupted, connect.CodeAborted},
		{fmt.Errorf("tunggu: %w", context.DeadlineExceeded), connect.CodeDeadlineExceeded},
		{consensus.ErrClosed, connect.CodeUnavailable},
		{errors.New("disk"), connect.CodeInternal},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			err := toConnect(tt.err)
			if got := connect.CodeOf(err); got != tt.want {
				t.Errorf("code %v, want %v", got, tt.want)
			}
			var ce *connect.Error
			if !errors.As(err, &ce) || ce.Message() != tt.err.Error() {
				t.Errorf("message %q, want the error's own %q", ce.Message(), tt.err.Error())
			}
		})
	}
	if got := connect.CodeOf(toConnectOr(errors.New("raft"), connect.CodeUnavailable)); got != connect.CodeUnavailable {
		t.Errorf("a decision's unnamed failure: %v, want Unavailable", got)
	}
	if toConnect(nil) != nil {
		t.Error("toConnect(nil) is not nil")
	}
}
