package console

import (
	"context"
	"crypto/rand"
	"embed"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	c "github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/api/web"
	"github.com/sinkron-id/sinkron/node/zone"
)

// Prefix is where the console is served on the officer listener.
const Prefix = "/konsol/"

//go:embed tmpl/*.html
var tmplFiles embed.FS

// Option configures New.
type Option func(*settings)

type settings struct {
	now    func() time.Time
	random io.Reader
	log    *slog.Logger
}

// Clock sets the console's clock (ages against the time standards).
func Clock(now func() time.Time) Option { return func(s *settings) { s.now = now } }

// Random sets the source of the CSRF key.
func Random(r io.Reader) Option { return func(s *settings) { s.random = r } }

// Logger sets where the console logs what it could not show an officer.
func Logger(l *slog.Logger) Option { return func(s *settings) { s.log = l } }

// Console is the officers' console of one node.
type Console struct {
	loop     *web.Loop
	api      clients
	sessions *web.Sessions
	assets   *web.Assets
	pages    map[string]*template.Template
	mux      *http.ServeMux
	now      func() time.Time
	log      *slog.Logger

	mu       sync.Mutex // guards the node's status, loaded once
	here     *office
	services []*v1.ServiceInfo

	openMu sync.Mutex    // guards the open requests, read again on a new event
	open   []*v1.Request // the office's open requests, shared read-only
	openAt uint64        // the node's event count when open was read
}

// clients are the API's services the console calls.
type clients struct {
	accounts    c.AccountServiceClient
	requests    c.RequestServiceClient
	nodes       c.NodeServiceClient
	cluster     c.ClusterServiceClient
	institution c.InstitutionAdminServiceClient
}

// office is the node the console runs on.
type office struct {
	Name, Kind string
	Zone       *time.Location // never nil: zone.Of falls back to WIB
}

// New serves the console in front of api, the node's officer handler
// (api.NewHandler). Close releases the in-memory connection.
func New(api http.Handler, opts ...Option) (*Console, error) {
	set := settings{now: time.Now, random: rand.Reader, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&set)
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(set.random, key); err != nil {
		return nil, err
	}
	con := &Console{loop: web.NewLoop(api), sessions: web.NewSessions("sinkron_konsol", Prefix, key),
		assets: web.NewAssets(), now: set.now, log: set.log}
	hc, base := con.loop.Client(), con.loop.URL()
	// In memory, compressing answers only costs CPU: the client does not
	// offer gzip, so the API does not compress.
	o := connect.WithAcceptCompression("gzip", nil, nil)
	con.api = clients{accounts: c.NewAccountServiceClient(hc, base, o), requests: c.NewRequestServiceClient(hc, base, o),
		nodes: c.NewNodeServiceClient(hc, base, o), cluster: c.NewClusterServiceClient(hc, base, o),
		institution: c.NewInstitutionAdminServiceClient(hc, base, o)}
	pages, err := web.Pages(tmplFiles, con.funcs())
	if err != nil {
		con.loop.Close()
		return nil, err
	}
	con.pages = pages
	con.mux = con.routes()
	return con, nil
}

// Close stops the console's connection to the API.
func (con *Console) Close() error { return con.loop.Close() }

func (con *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	con.mux.ServeHTTP(w, r)
}

// call puts the officer's token on a request to the API.
func call[T any](o *officer, m *T) *connect.Request[T] {
	r := connect.NewRequest(m)
	r.Header().Set("Authorization", "Bearer "+o.token)
	return r
}

// office loads what the console shows of its node once, with the first
// officer's token (every role may read the node's status).
func (con *Console) office(ctx context.Context, o *officer) (office, error) {
	con.mu.Lock()
	defer con.mu.Unlock()
	if con.here != nil {
		return *con.here, nil
	}
	st, err := con.api.nodes.GetStatus(ctx, call(o, &v1.GetStatusRequest{}))
	if err != nil {
		return office{}, err
	}
	svc, err := con.api.requests.ListServices(ctx, call(o, &v1.ListServicesRequest{}))
	if err != nil {
		return office{}, err
	}
	con.here = &office{Name: st.Msg.Office, Kind: st.Msg.Role, Zone: zone.Of(st.Msg.RegionCode)}
	con.services = svc.Msg.Services
	return *con.here, nil
}

// service is the catalog entry of a service name.
func (con *Console) service(name string) *v1.ServiceInfo {
	con.mu.Lock()
	defer con.mu.Unlock()
	for _, s := range con.services {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// Mount serves the console under Prefix in front of the node's officer
// API, on one listener: the handler to give api.Listen. Close the console
// when the listener closes.
func Mount(api http.Handler, opts ...Option) (http.Handler, *Console, error) {
	con, err := New(api, opts...)
	if err != nil {
		return nil, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(Prefix, con)
	mux.Handle("GET /konsol", http.RedirectHandler(Prefix, http.StatusMovedPermanently))
	mux.Handle("/", api)
	return mux, con, nil
}
