package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/time/rate"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/request"
)

// NewPublicHandler routes only the residents' service: it is meant for its
// own address, apart from the officers' API, so nothing else is reachable.
// Each client address may make a few attempts a minute (burst 10), which
// stops guessing tracking codes and NIKs.
func NewPublicHandler(n *node.Node) http.Handler {
	limits := &limiter{per: map[string]*rate.Limiter{}, every: 6 * time.Second, burst: 10}
	mux := http.NewServeMux()
	mux.Handle(sinkronv1connect.NewPublicServiceHandler(&public{n: n},
		connect.WithReadMaxBytes(MaxRequestBytes), connect.WithInterceptors(limits)))
	return limits.remember(mux)
}

// public implements sinkronv1connect.PublicServiceHandler.
type public struct{ n *node.Node }

// errNotYours hides whether a code exists: a wrong NIK and an unknown code
// read the same.
var errNotYours = connect.NewError(connect.CodeNotFound, errors.New("permohonan dengan kode dan NIK tersebut tidak ditemukan"))

func (h *public) SubmitRequest(_ context.Context, req *connect.Request[v1.SubmitRequestRequest]) (*connect.Response[v1.SubmitRequestResponse], error) {
	m := req.Msg
	f := request.Form{ApplicantName: m.ApplicantName, NIK: m.Nik, KK: m.Kk, Problem: m.Problem, WhatsApp: m.Whatsapp,
		Channel: int32(v1.Channel_CHANNEL_ONLINE), Officer: "Layanan Online"}
	for _, d := range m.Documents {
		f.Documents = append(f.Documents, request.Upload{Name: d.Name, Kind: int32(d.Kind), Content: d.Content})
	}
	r, err := h.n.Requests.Create(f)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.SubmitRequestResponse{TrackingCode: r.ID}), nil
}

func (h *public) TrackRequest(_ context.Context, req *connect.Request[v1.TrackRequestRequest]) (*connect.Response[v1.TrackRequestResponse], error) {
	r, err := h.n.Requests.Get(req.Msg.TrackingCode)
	if err != nil || subtle.ConstantTimeCompare([]byte(r.NIK), []byte(req.Msg.Nik)) != 1 {
		return nil, errNotYours
	}
	out := &v1.TrackRequestResponse{TrackingCode: r.ID, Service: r.Service, Status: v1.Status(r.Status),
		StepsTotal: int32(len(r.Steps)), StepAtHand: r.AtStep()}
	for _, c := range r.History {
		out.History = append(out.History, &v1.PublicChange{Status: v1.Status(c.Status), At: timestamppb.New(c.At), Note: c.Note})
	}
	for _, st := range r.Steps {
		if st.Done {
			out.StepsDone++
		}
	}
	return connect.NewResponse(out), nil
}

// limiter allows each client address a steady rate of calls with a burst.
type limiter struct {
	mu    sync.Mutex
	per   map[string]*rate.Limiter
	every time.Duration
	burst int
}

type clientKey struct{}

// remember puts the caller's address (without port) in the context.
func (l *limiter) remember(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, host)))
	})
}

func (l *limiter) allow(ctx context.Context) error {
	client, _ := ctx.Value(clientKey{}).(string)
	l.mu.Lock()
	lim, ok := l.per[client]
	if !ok {
		if len(l.per) >= maxClients {
			l.prune()
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.per[client] = lim
	}
	l.mu.Unlock()
	if !lim.Allow() {
		return connect.NewError(connect.CodeResourceExhausted, errors.New("terlalu banyak percobaan; coba lagi dalam beberapa menit"))
	}
	return nil
}

// maxClients bounds the limiters kept, so a flood of addresses cannot grow
// the map without end.
const maxClients = 10000

// prune forgets clients whose bucket has refilled: they have been quiet
// long enough that a fresh limiter treats them the same.
func (l *limiter) prune() {
	for c, lim := range l.per {
		if lim.Tokens() >= float64(l.burst) {
			delete(l.per, c)
		}
	}
}

func (l *limiter) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := l.allow(ctx); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (l *limiter) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (l *limiter) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := l.allow(ctx); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
