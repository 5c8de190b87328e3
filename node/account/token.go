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
	var c claims
	i := strings.LastIndexByte(token, '.')
	if i < 0 || !strings.HasPrefix(token, tokenVersion+".") || len(token) > 4096 {
		return c, ErrToken
	}
	// Strict: one MAC has one spelling, so no edit of a token verifies.
	got, err := base64.RawURLEncoding.Strict().DecodeString(token[i+1:])
	if err != nil || !hmac.Equal(got, mac(key, token[:i])) {
		return c, ErrToken
	}
	b, err := base64.RawURLEncoding.DecodeString(token[len(tokenVersion)+1 : i])
	if err != nil || json.Unmarshal(b, &c) != nil || c.Username == "" || c.ID == "" {
		return c, ErrToken
	}
	return c, nil
}

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
