package api

import (
	"context"
	"crypto/subtle"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/time/rate"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/api/portal"
	"github.com/sinkron-id/sinkron/node/request"
)

// NewPublicHandler routes only what residents use: their Connect service,
// the residents' portal in Bahasa Indonesia (api/portal: submit online,
// track by code and NIK) and, when configured, the WhatsApp webhook. It is
// meant for its own address, apart from the officers' API, so nothing else
// is reachable. Each client address may make a few attempts a minute
// (burst 10), counted across the service and the portal, which stops
// guessing tracking codes and NIKs.
func NewPublicHandler(n PublicNode, opts ...PublicOption) http.Handler {
	set := publicSettings{every: 6 * time.Second, burst: 10, now: time.Now, zone: wib}
	for _, o := range opts {
		o(&set)
	}
	limits := newLimiter(set.every, set.burst, set.now)
	// Answers are a few hundred bytes: gzip would cost more CPU than it
	// saves bytes (BENCHMARKS.md, residents' status lookups).
	path, service := sinkronv1connect.NewPublicServiceHandler(&public{n: n},
		connect.WithReadMaxBytes(MaxRequestBytes), connect.WithInterceptors(limits, diskGuard{n: n}), connect.WithCompressMinBytes(1<<10))
	// The portal calls the service in process, with each resident's
	// request context, which holds their address for the limits.
	p, err := portal.New(service, portal.Config{Dinas: set.dinas, Office: set.office, Zone: set.zone, RetryAfter: set.every, Log: n.Logger()})
	if err != nil {
		panic(err) // the embedded templates do not parse: a build fault, caught by any test
	}
	mux := http.NewServeMux()
	mux.Handle(path, service)
	mux.Handle("/", p)
	return withWebhook(n, limits.remember(newSizeGuard(mux, sinkronv1connect.PublicServiceName)))
}

// PublicOption adjusts NewPublicHandler.
type PublicOption func(*publicSettings)

type publicSettings struct {
	every  time.Duration
	burst  int
	now    func() time.Time
	zone   *time.Location
	dinas  portal.Dinas
	office string
}

// AttemptLimit sets each client address's allowance: burst attempts, one
// more every interval. An interval of zero lifts the limit, for benchmarks
// and tests only: never on an address residents can reach.
func AttemptLimit(every time.Duration, burst int) PublicOption {
	return func(s *publicSettings) { s.every, s.burst = every, max(burst, 1) }
}

// PublicClock sets the clock the attempt limits run on.
func PublicClock(now func() time.Time) PublicOption {
	return func(s *publicSettings) {
		if now != nil {
			s.now = now
		}
	}
}

// PublicZone sets the time zone of the portal's times (default WIB).
func PublicZone(zone *time.Location) PublicOption {
	return func(s *publicSettings) {
		if zone != nil {
			s.zone = zone
		}
	}
}

// PublicDinas names the dinas, its address and telephone on the portal's
// pages, and the office whose node serves them.
func PublicDinas(d portal.Dinas, office string) PublicOption {
	return func(s *publicSettings) { s.dinas, s.office = d, office }
}

var wib = time.FixedZone("WIB", 7*3600)

// public implements sinkronv1connect.PublicServiceHandler.
type public struct{ n PublicNode }

// errNotYours hides whether a code exists: a wrong NIK and an unknown code
// read the same.
var errNotYours = connect.NewError(connect.CodeNotFound, errors.New("permohonan dengan kode dan NIK tersebut tidak ditemukan"))

func (h *public) SubmitRequest(_ context.Context, req *connect.Request[v1.SubmitRequestRequest]) (*connect.Response[v1.SubmitRequestResponse], error) {
	m := req.Msg
	if err := checkUploads("", m.Documents); err != nil {
		return nil, toConnect(err)
	}
	f := request.Form{ApplicantName: m.ApplicantName, NIK: m.Nik, KK: m.Kk, Problem: m.Problem, WhatsApp: m.Whatsapp,
		Channel: int32(v1.Channel_CHANNEL_ONLINE), Officer: "Layanan Online"}
	if err := request.CheckKey(m.FilingKey); err != nil {
		return nil, toConnect(err)
	}
	if m.FilingKey != "" { // a key answers only a retry for the same NIK
		f.Key = "online\x00" + strings.Join(strings.Fields(m.Nik), "") + "\x00" + m.FilingKey
	}
	for _, d := range m.Documents {
		f.Documents = append(f.Documents, request.Upload{Name: d.Name, Kind: int32(d.Kind), Content: d.Content})
	}
	r, err := h.n.RequestService().Create(f)
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.SubmitRequestResponse{TrackingCode: r.ID}), nil
}

func (h *public) TrackRequest(_ context.Context, req *connect.Request[v1.TrackRequestRequest]) (*connect.Response[v1.TrackRequestResponse], error) {
	r, ok := track(h.n, req.Msg.TrackingCode, req.Msg.Nik)
	if !ok {
		return nil, errNotYours
	}
	out := &v1.TrackRequestResponse{TrackingCode: r.ID, Service: r.Service, Status: v1.Status(r.Status),
		StepsTotal: int32(len(r.Steps)), StepAtHand: r.AtStep()}
	for _, c := range residentsHistory(r) {
		out.History = append(out.History, &v1.PublicChange{Status: v1.Status(c.Status), At: timestamppb.New(c.At), Note: c.Note})
		if c.Status == request.Dibatalkan {
			out.CancelReason = c.Note
		}
	}
	if r.Status != request.Dibatalkan {
		out.CancelReason = ""
	}
	for _, st := range r.Steps {
		if st.Done {
			out.StepsDone++
		}
	}
	return connect.NewResponse(out), nil
}

// residentsHistory is the part of a request's history its resident reads:
// the status changes that stand. A conflict's resolution is the offices'
// business (it read "Tidak diketahui" on the resident's page), and a
// change it overruled did not happen as far as the resident is concerned.
func residentsHistory(r *request.Request) []request.Change {
	var out []request.Change
	for _, c := range r.History {
		if !c.Internal && !c.Superseded {
			out = append(out, c)
		}
	}
	return out
}

// track finds a resident's request by tracking code and NIK. An unknown
// code and a wrong NIK both answer false: the caller must not tell them
// apart.
func track(n PublicNode, code, nik string) (*request.Request, bool) {
	r, err := n.RequestService().Get(code)
	if err != nil || subtle.ConstantTimeCompare([]byte(r.NIK), []byte(nik)) != 1 {
		return nil, false
	}
	return r, true
}

// limiter allows each client address a steady rate of calls with a burst;
// every <= 0 allows everything.
type limiter struct {
	mu    sync.Mutex
	per   map[string]*rate.Limiter
	every time.Duration
	burst int
	now   func() time.Time
}

func newLimiter(every time.Duration, burst int, now func() time.Time) *limiter {
	return &limiter{per: map[string]*rate.Limiter{}, every: every, burst: burst, now: now}
}

type clientKey struct{}

// remember puts the caller's address (without port) in the context.
func (l *limiter) remember(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, clientOf(r))))
	})
}

func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// errLimited is what a client over its allowance reads.
var errLimited = errors.New("terlalu banyak percobaan; coba lagi dalam beberapa menit")

func (l *limiter) allow(ctx context.Context) error {
	client, _ := ctx.Value(clientKey{}).(string)
	if !l.admit(client) {
		return connect.NewError(connect.CodeResourceExhausted, errLimited)
	}
	return nil
}

// admit takes one attempt from client's allowance.
func (l *limiter) admit(client string) bool {
	if l.every <= 0 {
		return true
	}
	now := l.now()
	l.mu.Lock()
	lim, ok := l.per[client]
	if !ok {
		if len(l.per) >= maxClients {
			l.prune(now)
		}
		lim = rate.NewLimiter(rate.Every(l.every), l.burst)
		l.per[client] = lim
	}
	l.mu.Unlock()
	return lim.AllowN(now, 1)
}

// maxClients bounds the limiters kept, so a flood of addresses cannot grow
// the map without end.
const maxClients = 10000

// prune forgets clients whose bucket has refilled: they have been quiet
// long enough that a fresh limiter treats them the same.
func (l *limiter) prune(now time.Time) {
	for c, lim := range l.per {
		if lim.TokensAt(now) >= float64(l.burst) {
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
