package account

import (
	"encoding/base64"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
)

// Every single-bit change of a token, anywhere, is refused.
func TestTokenTamperingRefused(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	tok, _ := login(t, o, "budi", budiPass)
	for i := range len(tok) {
		for bit := range 8 {
			b := []byte(tok)
			b[i] ^= 1 << bit
			if s, err := o.svc.Verify(string(b)); !errors.Is(err, ErrToken) {
				t.Fatalf("byte %d bit %d flipped: %+v %v", i, bit, s, err)
			}
		}
	}
	for _, bad := range []string{"", "v1.", "v1..", "v2" + tok[2:], tok + "A", tok[:len(tok)-1]} {
		if _, err := o.svc.Verify(bad); !errors.Is(err, ErrToken) {
			t.Fatalf("%q: %v", bad, err)
		}
	}
	if _, err := o.svc.Verify(tok); err != nil {
		t.Fatalf("the original still verifies: %v", err)
	}
}

// A token names its node's key: another office, holding the same account,
// refuses it, and so does a token signed under a guessed key.
func TestTokenFromAnotherNodeRefused(t *testing.T) {
	a, b := apart(t)
	tok, _ := login(t, a, "budi", budiPass)
	if _, err := b.svc.Verify(tok); !errors.Is(err, ErrToken) {
		t.Fatalf("token of another node: %v", err)
	}
	forged := sign(deriveTokenKey(make([]byte, 32)), claims{Username: "admin", Roles: []catalog.Role{catalog.ADBSIAK},
		Expires: a.clock.now().Add(time.Hour).Unix(), ID: "x", Password: "y"})
	if _, err := a.svc.Verify(forged); !errors.Is(err, ErrToken) {
		t.Fatalf("forged token: %v", err)
	}
	login(t, b, "budi", budiPass) // the account works there with a token of its own
}

func TestExpiredTokenRefused(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	o.svc.TokenTTL = 5 * time.Minute
	tok, s := login(t, o, "budi", budiPass)
	if !s.Expires.Equal(o.clock.now().Add(5 * time.Minute)) {
		t.Fatalf("expires %v", s.Expires)
	}
	o.clock.advance(5*time.Minute - time.Second)
	if _, err := o.svc.Verify(tok); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	o.clock.advance(time.Second)
	if _, err := o.svc.Verify(tok); !errors.Is(err, ErrToken) {
		t.Fatalf("expired: %v", err)
	}
	if err := o.svc.Logout(tok); err != nil {
		t.Fatalf("logout of an expired token: %v", err)
	}
	if err := o.svc.Logout("v1.rusak.rusak"); !errors.Is(err, ErrToken) {
		t.Fatalf("logout of a bad token: %v", err)
	}
}

// A token never carries more than the account holds now, even one this
// node signed with more roles, nor names an account the node lacks.
func TestTokenRolesBoundedByAccount(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	tok, _ := login(t, o, "budi", budiPass)
	c, err := parse(o.svc.key, tok)
	must(t, err)
	c.Roles = append(c.Roles, catalog.ADBSIAK)
	s, err := o.svc.Verify(sign(o.svc.key, c))
	if err != nil || !slices.Equal(s.Roles, []catalog.Role{catalog.OperatorKecamatan}) {
		t.Fatalf("inflated token: %+v %v", s, err)
	}
	c.Username = "hantu"
	if _, err := o.svc.Verify(sign(o.svc.key, c)); !errors.Is(err, ErrToken) {
		t.Fatalf("token of an unknown account: %v", err)
	}
	if _, err := parse(o.svc.key, "v1."+base64.RawURLEncoding.EncodeToString([]byte("{"))+".x"); !errors.Is(err, ErrToken) {
		t.Fatal(err)
	}
}

// A token another office issued is told apart from a bad one, so the
// officer knows to sign in here; it is refused all the same, and a token
// that only claims another office, under a guessed key, is no more
// accepted than any other forgery.
func TestTokenFromAnotherOfficeNamed(t *testing.T) {
	a, b := apart(t)
	fromA, _ := login(t, a, "budi", budiPass)
	fromB, _ := login(t, b, "budi", budiPass)
	flipped := []byte(fromB)
	flipped[len(flipped)-2] ^= 1
	guessed := sign(deriveTokenKey(make([]byte, 32)), claims{Username: "admin", Roles: []catalog.Role{catalog.ADBSIAK},
		Expires: a.clock.now().Add(time.Hour).Unix(), ID: "x", Password: "y", Office: "Kecamatan Sibolga Selatan"})
	tests := []struct {
		name, token string
		at          *office
		msg         string
	}{
		{"another office's token", fromA, b, "token ini dari kantor lain (Dinas Dukcapil Kota Sibolga); masuk lagi di kantor ini"},
		{"the other way round", fromB, a, "token ini dari kantor lain (Kecamatan Sibolga Selatan); masuk lagi di kantor ini"},
		{"this office's token, tampered", string(flipped), b, "token tidak berlaku"},
		{"a guessed key claiming another office", guessed, a, "token ini dari kantor lain (Kecamatan Sibolga Selatan); masuk lagi di kantor ini"},
		{"a guessed key claiming this office", guessed, b, "token tidak berlaku"},
		{"malformed", "v1.bukan.token", b, "token tidak berlaku"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := tt.at.svc.Verify(tt.token)
			if !errors.Is(err, ErrToken) || s.Username != "" {
				t.Fatalf("Verify = %+v, %v; want a refusal (ErrToken)", s, err)
			}
			if err.Error() != tt.msg {
				t.Errorf("message %q, want %q", err.Error(), tt.msg)
			}
			if err := tt.at.svc.Logout(tt.token); !errors.Is(err, ErrToken) {
				t.Errorf("Logout = %v, want ErrToken", err)
			}
		})
	}
}
