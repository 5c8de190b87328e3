package account

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sinkron-id/sinkron/node/catalog"
)

// A token is "v1.<claims>.<mac>": claims is the base64url (unpadded) JSON
// of claims, mac the base64url HMAC-SHA256 of "v1.<claims>" under this
// node's token key. It is self-contained, so verifying it needs no lookup
// but the account (for revocation) and the deny list (for logout).
const tokenVersion = "v1"

// claims are what a token asserts, signed by the node that issued it.
type claims struct {
	Username string         `json:"u"`
	Roles    []catalog.Role `json:"r"`
	Issued   int64          `json:"iat"` // unix seconds
	Expires  int64          `json:"exp"`
	ID       string         `json:"id"` // random; what Logout denies
	// Password is the version (event id) of the password the login
	// matched: once a later change supersedes it, the token is refused.
	Password string `json:"pw"`
	// Office is the office that issued the token. Only this node can
	// check the MAC, so another node reads it unverified: to tell the
	// officer where the token belongs, never to accept it.
	Office string `json:"o,omitempty"`
}

// deriveTokenKey separates the token key from whatever secret it came
// from (the node's at-rest key): a MAC key and an encryption key should
// never be the same bytes.
func deriveTokenKey(secret []byte) []byte {
	k, err := hkdf.Key(sha256.New, secret, nil, "sinkron/node/account token v1", sha256.Size)
	if err != nil {
		panic(err) // only for lengths hkdf cannot produce; 32 always works
	}
	return k
}

func sign(key []byte, c claims) string {
	b, _ := json.Marshal(c) // claims always marshal
	body := tokenVersion + "." + base64.RawURLEncoding.EncodeToString(b)
	return body + "." + base64.RawURLEncoding.EncodeToString(mac(key, body))
}

// parse checks a token's MAC and decodes its claims; it does not look at
// the time or the account.
func parse(key []byte, token string) (claims, error) {
	body, sum, c, ok := split(token)
	if !ok || !hmac.Equal(sum, mac(key, body)) {
		return claims{}, ErrToken
	}
	return c, nil
}

// split takes a token apart into the body its MAC covers, the MAC and the
// claims, without checking the MAC; ok is false for a token that is not
// well-formed.
func split(token string) (body string, sum []byte, c claims, ok bool) {
	i := strings.LastIndexByte(token, '.')
	if i <= len(tokenVersion) || !strings.HasPrefix(token, tokenVersion+".") || len(token) > 4096 {
		return "", nil, c, false
	}
	// Strict: one MAC has one spelling, so no edit of a token verifies.
	sum, err := base64.RawURLEncoding.Strict().DecodeString(token[i+1:])
	if err != nil {
		return "", nil, c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(token[len(tokenVersion)+1 : i])
	if err != nil || json.Unmarshal(b, &c) != nil || c.Username == "" || c.ID == "" {
		return "", nil, c, false
	}
	return token[:i], sum, c, true
}

// claimedOffice is the office a well-formed token names as its issuer,
// without checking its MAC (only the issuer holds the key): "" for a
// token that is not well-formed or names no office, or a name no office
// would have (too long, not printable).
func claimedOffice(token string) string {
	_, _, c, ok := split(token)
	if !ok || len(c.Office) > 100 || !utf8.ValidString(c.Office) ||
		strings.IndexFunc(c.Office, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return ""
	}
	return c.Office
}

// OtherOfficeError is the refusal of a token another office issued: it
// is ErrToken (errors.Is), with a message that sends the officer to sign
// in here instead of calling the token bad.
type OtherOfficeError struct{ Office string }

func (e *OtherOfficeError) Error() string {
	return "token ini dari kantor lain (" + e.Office + "); masuk lagi di kantor ini"
}

func (e *OtherOfficeError) Unwrap() error { return ErrToken }

func mac(key []byte, body string) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(body))
	return h.Sum(nil)
}

// denyList holds the ids of tokens logged out at this node until they
// expire; after that the expiry refuses them anyway.
type denyList struct {
	mu  sync.Mutex
	ids map[string]time.Time // id → expiry
}

func (d *denyList) add(id string, exp, now time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ids == nil {
		d.ids = map[string]time.Time{}
	}
	for k, e := range d.ids {
		if !now.Before(e) {
			delete(d.ids, k)
		}
	}
	d.ids[id] = exp
}

func (d *denyList) has(id string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, ok := d.ids[id]
	return ok
}
