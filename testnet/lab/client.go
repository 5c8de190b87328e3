package lab

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/testnet/netlab"
)

// Client is one officer signed in at one office, with the services the
// workload and the checks use. It signs in on first use and again when
// the node refuses its token (tokens expire; a restarted node may forget
// them).
type Client struct {
	Office   Office
	User     string
	Request  sinkronv1connect.RequestServiceClient
	Node     sinkronv1connect.NodeServiceClient
	Account  sinkronv1connect.AccountServiceClient
	Decision sinkronv1connect.DecisionServiceClient
	Cluster  sinkronv1connect.ClusterServiceClient
}

// inNamespace returns an HTTP client whose connections start in the
// namespace ns. It speaks h2c, so one connection carries every call.
func inNamespace(ns string) *http.Client {
	p := new(http.Protocols)
	p.SetUnencryptedHTTP2(true)
	return &http.Client{Transport: &http.Transport{Protocols: p, DialContext: netlab.DialIn(ns)}}
}

// newClient builds a client for user at office o over hc.
func newClient(hc *http.Client, o Office, user, password string) *Client {
	login := sinkronv1connect.NewAccountServiceClient(hc, o.API)
	ts := &tokenSource{login: login, user: user, password: password}
	opt := connect.WithInterceptors(ts.interceptor())
	return &Client{
		Office: o, User: user,
		Request:  sinkronv1connect.NewRequestServiceClient(hc, o.API, opt),
		Node:     sinkronv1connect.NewNodeServiceClient(hc, o.API, opt),
		Account:  sinkronv1connect.NewAccountServiceClient(hc, o.API, opt),
		Decision: sinkronv1connect.NewDecisionServiceClient(hc, o.API, opt),
		Cluster:  sinkronv1connect.NewClusterServiceClient(hc, o.API, opt),
	}
}

// tokenSource holds an officer's token and signs in when there is none.
type tokenSource struct {
	login          sinkronv1connect.AccountServiceClient
	user, password string

	mu    sync.Mutex
	token string
}

func (t *tokenSource) get(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" {
		return t.token, nil
	}
	r, err := t.login.Login(ctx, connect.NewRequest(&v1.LoginRequest{Username: t.user, Password: t.password}))
	if err != nil {
		return "", err
	}
	t.token = r.Msg.Token
	return t.token, nil
}

// drop forgets a token the node refused, unless another call already
// replaced it.
func (t *tokenSource) drop(token string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == token {
		t.token = ""
	}
}

// interceptor signs each call, signing in again once if the node refuses
// a unary call's token.
func (t *tokenSource) interceptor() connect.Interceptor { return signer{t} }

type signer struct{ t *tokenSource }

func (s signer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		var firstErr error
		for range 2 {
			tok, err := s.t.get(ctx)
			if err != nil {
				return nil, errors.Join(firstErr, err)
			}
			req.Header().Set("Authorization", "Bearer "+tok)
			resp, err := next(ctx, req)
			if connect.CodeOf(err) != connect.CodeUnauthenticated {
				return resp, err
			}
			s.t.drop(tok)
			firstErr = err
		}
		return nil, firstErr
	}
}

// WrapStreamingClient signs a stream (a bundle export) with the current
// token; a refused one is signed in again for the next call.
func (s signer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		if tok, err := s.t.get(ctx); err == nil {
			conn.RequestHeader().Set("Authorization", "Bearer "+tok)
		}
		return conn
	}
}

func (s signer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
