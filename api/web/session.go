package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"net/http"
	"time"
)

// Sessions keeps an officer's API token in a cookie the page's scripts
// cannot read (HttpOnly), that no other site's form sends (SameSite=Strict),
// that travels only over TLS when the node serves TLS (Secure), and pairs
// it with a CSRF token every form must carry: an HMAC of the session token
// under a key only this process knows, so a forged post from another origin
// cannot compute it and a stolen form token is worthless with another
// session.
//
// The cookie's name carries a digest of the host the browser asked for:
// cookies ignore ports, so two offices served from one machine (the demo,
// a training room) would otherwise sign each other's officers out.
type Sessions struct {
	Cookie string // cookie name's prefix
	Path   string // cookie path, the screen's prefix
	key    []byte
}

// CSRFField is the form field, and CSRFHeader the header htmx sends,
// holding the CSRF token.
const (
	CSRFField  = "_csrf"
	CSRFHeader = "X-CSRF-Token"
)

// NewSessions makes sessions whose CSRF tokens are keyed with key (32
// random bytes from the caller's source of randomness).
func NewSessions(cookie, path string, key []byte) *Sessions {
	return &Sessions{Cookie: cookie, Path: path, key: append([]byte(nil), key...)}
}

// Set starts a session for an API token that expires at expires.
func (s *Sessions) Set(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.name(r), Value: token, Path: s.Path, Expires: expires,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// Clear ends the browser's session.
func (s *Sessions) Clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: s.name(r), Value: "", Path: s.Path, MaxAge: -1,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// Token is the request's API token, "" without a session.
func (s *Sessions) Token(r *http.Request) string {
	c, err := r.Cookie(s.name(r))
	if err != nil {
		return ""
	}
	return c.Value
}

// CSRF is the token the session's forms carry.
func (s *Sessions) CSRF(token string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(token))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CheckCSRF reports whether a state-changing request carries its session's
// CSRF token, in the form or in htmx's header. Call it after ParseForm
// (or ParseMultipartForm).
func (s *Sessions) CheckCSRF(r *http.Request, token string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" {
		got = r.PostFormValue(CSRFField)
	}
	if got == "" || token == "" {
		return false
	}
	return hmac.Equal([]byte(got), []byte(s.CSRF(token)))
}

// name is the cookie's name for the host the request was made to.
func (s *Sessions) name(r *http.Request) string {
	h := fnv.New32a()
	h.Write([]byte(r.Host))
	return fmt.Sprintf("%s_%08x", s.Cookie, h.Sum32())
}
