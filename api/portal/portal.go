package portal

import (
	"crypto/rand"
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/api/web"
)

//go:embed tmpl/*.html
var tmplFiles embed.FS

// Dinas is the regency's civil-registration office as residents read it:
// the config's [dinas] nama, alamat and telepon.
type Dinas struct {
	Name, Address, Phone string
}

// Config is what the portal shows and how it answers.
type Config struct {
	Dinas  Dinas
	Office string         // the office whose node serves the portal
	Zone   *time.Location // times as residents read them (default WIB)
	// RetryAfter is how long a resident over the attempt limit waits for
	// the next attempt (the limit's interval).
	RetryAfter time.Duration
	Log        *slog.Logger
}

// Portal is the residents' portal of one node.
type Portal struct {
	cfg      Config
	api      sinkronv1connect.PublicServiceClient
	sessions *web.Sessions
	assets   *web.Assets
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// wib is the default zone: most regencies' offices keep Western
// Indonesian Time.
var wib = time.FixedZone("WIB", 7*3600)

// cookie is the per-browser cookie the forms' tokens are tied to.
const cookie = "sinkron_warga"

// New serves the portal in front of api, a handler of the PublicService,
// which it calls in process with each resident's request context (see
// inProcess).
func New(api http.Handler, cfg Config) (*Portal, error) {
	if cfg.Zone == nil {
		cfg.Zone = wib
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key) // crypto/rand.Read does not fail (Go 1.24)
	p := &Portal{cfg: cfg, sessions: web.NewSessions(cookie, "/", key), assets: web.NewAssets()}
	p.api = sinkronv1connect.NewPublicServiceClient(&http.Client{Transport: inProcess{h: api}}, "http://portal.internal")
	pages, err := web.Pages(tmplFiles, p.funcs())
	if err != nil {
		return nil, err
	}
	p.pages = pages
	p.mux = p.routes()
	return p, nil
}

func (p *Portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; "+
		"frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	p.mux.ServeHTTP(w, r)
}

func (p *Portal) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /aset/", p.assets)
	mux.HandleFunc("GET /{$}", p.home)
	mux.HandleFunc("GET /ajukan", p.submitForm)
	mux.HandleFunc("POST /ajukan", p.checked(p.submit, maxSubmitBytes))
	mux.HandleFunc("GET /lacak", p.trackForm)
	mux.HandleFunc("POST /lacak", p.checked(p.track, maxTrackBytes))
	// The old status page answered GET /status?kode=…&nik=…: a NIK in an
	// address stays in browser histories and proxies' logs. The address
	// now leads to the form and the query is dropped unread.
	mux.Handle("GET /status", http.RedirectHandler("/lacak", http.StatusSeeOther))
	mux.HandleFunc("/", p.notFound)
	return mux
}

// formToken is the browser's form token, with a cookie set for a browser
// that has none (or did not send it, as after a link from another site).
func (p *Portal) formToken(w http.ResponseWriter, r *http.Request) string {
	id := p.sessions.Token(r)
	if id == "" {
		id = rand.Text()
		p.sessions.Set(w, r, id, time.Time{}) // until the browser closes
	}
	return p.sessions.CSRF(id)
}

// checked refuses a post another site made the browser send (Fetch
// Metadata) or one without this browser's form token, before the form is
// read any further or anything reaches the API.
func (p *Portal) checked(next http.HandlerFunc, limit int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			p.refuse(w, r)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(maxMemory); err != nil && err != http.ErrNotMultipart {
			p.unreadable(w, r)
			return
		}
		if !p.sessions.CheckCSRF(r, p.sessions.Token(r)) {
			p.refuse(w, r)
			return
		}
		if !web.FormIsText(r) {
			p.garbled(w, r)
			return
		}
		next(w, r)
	}
}
