package lab

import (
	"errors"
	"net"
	"syscall"
	"testing"

	"connectrpc.com/connect"
)

func TestRetryable(t *testing.T) {
	brokenPipe := &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE}
	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"server down", connect.NewError(connect.CodeUnavailable, errors.New("no route")), true},
		{"paused past the deadline", connect.NewError(connect.CodeDeadlineExceeded, errors.New("deadline")), true},
		{"killed while the request was written", connect.NewError(connect.CodeCanceled, brokenPipe), true},
		{"refused by the service", connect.NewError(connect.CodeFailedPrecondition, errors.New("blangko terpakai")), false},
		{"bad request", connect.NewError(connect.CodeInvalidArgument, errors.New("NIK")), false},
	} {
		if got := retryable(c.err); got != c.want {
			t.Errorf("%s: retryable = %v, want %v", c.name, got, c.want)
		}
	}
}
