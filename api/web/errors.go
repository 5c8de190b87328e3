package web

import (
	"errors"

	"connectrpc.com/connect"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
)

// Message is what a screen shows for an API error: the API's own Bahasa
// sentence, which names the action (never an RPC path), or a plain
// sentence when the call never reached the API.
func Message(err error) string {
	var ce *connect.Error
	if errors.As(err, &ce) {
		if m := ce.Message(); m != "" {
			return m
		}
	}
	return "layanan node tidak dapat dihubungi; coba lagi sebentar lagi"
}

// Status is the HTTP status a screen answers an API error with.
func Status(err error) int {
	switch connect.CodeOf(err) {
	case connect.CodeInvalidArgument, connect.CodeFailedPrecondition, connect.CodeOutOfRange:
		return 422
	case connect.CodeNotFound:
		return 404
	case connect.CodeAlreadyExists, connect.CodeAborted:
		return 409
	case connect.CodePermissionDenied:
		return 403
	case connect.CodeUnauthenticated:
		return 401
	case connect.CodeResourceExhausted:
		return 429
	default:
		return 503
	}
}

// Plain is a request without an officer's token (signing in, residents).
func Plain[T any](m *T) *connect.Request[T] { return connect.NewRequest(m) }

// Fields are the messages of a refused form by field name, as the API
// sends them (google.rpc.BadRequest); nil for any other error.
func Fields(err error) map[string]string {
	var ce *connect.Error
	if !errors.As(err, &ce) {
		return nil
	}
	var out map[string]string
	for _, d := range ce.Details() {
		v, derr := d.Value()
		br, ok := v.(*errdetails.BadRequest)
		if derr != nil || !ok {
			continue
		}
		for _, f := range br.FieldViolations {
			if out == nil {
				out = map[string]string{}
			}
			out[f.Field] = f.Description
		}
	}
	return out
}
