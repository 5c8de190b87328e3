package account

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/form"
)

// Login checks a username and password and returns a token for this node.
// A wrong username and a wrong password get the same answer (and cost the
// same hash), and every attempt counts towards the lockout; a disabled
// account is named only to someone who knew its password.
func (s *Service) Login(username, pw string) (string, Session, error) {
	username = normUsername(username)
	now := s.now()
	if err := s.attempt(username, now); err != nil {
		return "", Session{}, err
	}
	rec, err := s.load(username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return "", Session{}, err
	}
	version, ok := s.match(rec, pw)
	if !ok {
		return "", Session{}, ErrCredentials
	}
	s.locks.succeeded(username)
	if err := rec.Usable(); err != nil {
		return "", Session{}, err
	}
	return s.issue(rec, version, now)
}

// Verify checks a token this node issued and returns its session. It
// re-reads the account, so a token stops working as soon as this node
// holds the account's disablement or a password change made after the
// login. The session's roles are those the token was issued with that the
// account still holds: a revoked role stops at once, a new one needs a new
// login.
func (s *Service) Verify(token string) (Session, error) {
	c, err := s.parse(token)
	if err != nil {
		return Session{}, err
	}
	exp := time.Unix(c.Expires, 0).UTC()
	switch {
	case !s.now().Before(exp):
		return Session{}, fmt.Errorf("%w: sudah kedaluwarsa; silakan masuk kembali", ErrToken)
	case s.denied.has(c.ID):
		return Session{}, fmt.Errorf("%w: petugas sudah keluar; silakan masuk kembali", ErrToken)
	}
	rec, err := s.load(c.Username)
	if errors.Is(err, ErrNotFound) {
		return Session{}, ErrToken
	} else if err != nil {
		return Session{}, err
	}
	if err := rec.Usable(); err != nil {
		return Session{}, fmt.Errorf("%w: %w", ErrToken, err)
	}
	if !slices.ContainsFunc(rec.Passwords, func(p password) bool { return p.Version == c.Password }) {
		return Session{}, fmt.Errorf("%w: kata sandi telah diubah; silakan masuk kembali", ErrToken)
	}
	roles := slices.DeleteFunc(slices.Clone(c.Roles), func(r catalog.Role) bool { return !rec.HasRole(r) })
	return Session{Username: rec.Username, FullName: rec.FullName, Office: rec.Office, Roles: roles, Expires: exp}, nil
}

// Logout refuses the token at this node until it expires. Other nodes
// never accepted it: a token is verifiable only where it was issued.
func (s *Service) Logout(token string) error {
	c, err := s.parse(token)
	if err != nil {
		return err
	}
	if exp := time.Unix(c.Expires, 0); s.now().Before(exp) {
		s.denied.add(c.ID, exp, s.now())
	}
	return nil
}

// ChangePassword sets a new password after checking the old one; guesses
// of the old one count towards the lockout like logins. Tokens issued
// before the change stop working once it reaches the issuing node,
// including the caller's own: the officer logs in again.
func (s *Service) ChangePassword(username, old, pw string) error {
	username = normUsername(username)
	if err := invalid(validPassword("kata_sandi_baru", pw, username)); err != nil {
		return err
	}
	if old == pw {
		return invalid(&form.FieldError{Field: "kata_sandi_baru", Message: "tidak boleh sama dengan kata sandi lama"})
	}
	if err := s.attempt(username, s.now()); err != nil {
		return err
	}
	rec, err := s.load(username)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	version, ok := s.match(rec, old)
	if !ok {
		return ErrCredentials
	}
	s.locks.succeeded(username)
	if err := rec.Usable(); err != nil {
		return err
	}
	hash, err := s.hash(pw)
	if err != nil {
		return err
	}
	return s.replacePassword(username, version, hash)
}

// replacePassword appends the change unless the password the officer
// proved was superseded while the new one was hashed.
func (s *Service) replacePassword(username, proved, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.load(username)
	if err != nil {
		return err
	}
	if err := rec.Usable(); err != nil {
		return err
	}
	if !slices.ContainsFunc(rec.Passwords, func(p password) bool { return p.Version == proved }) {
		return fmt.Errorf("%w: kata sandi baru saja diubah; ulangi", ErrPrecondition)
	}
	return s.append(username, typePasswordChanged, &eventpb.PasswordChanged{Actor: s.actor(username), PasswordHash: hash})
}

// attempt refuses a locked username and counts this attempt.
func (s *Service) attempt(username string, now time.Time) error {
	until, ok := s.locks.begin(username, now)
	if ok {
		return nil
	}
	mins := int(math.Ceil(until.Sub(now).Minutes()))
	return fmt.Errorf("%w; coba lagi dalam %d menit", ErrLocked, mins)
}

// match returns the version of the password pw matches. An unknown
// account is checked against a dummy hash, so it costs what a known one
// does. After concurrent changes at two offices both new passwords match
// until the officer changes it again: each was set by someone who proved
// the password before, and refusing both would lock the officer out.
func (s *Service) match(rec *record, pw string) (string, bool) {
	if rec == nil || len(rec.Passwords) == 0 {
		s.check(pw, s.dummyHash())
		return "", false
	}
	for _, p := range rec.Passwords {
		if s.check(pw, p.Hash) {
			return p.Version, true
		}
	}
	return "", false
}

func (s *Service) dummyHash() string {
	s.dummy.once.Do(func() {
		s.dummy.hash, _ = hashPassword("tidak ada akun dengan nama ini", s.params, s.rand)
	})
	return s.dummy.hash
}

// issue signs a token for the account.
func (s *Service) issue(rec *record, version string, now time.Time) (string, Session, error) {
	id := make([]byte, 16)
	if _, err := io.ReadFull(s.rand, id); err != nil {
		return "", Session{}, fmt.Errorf("token: %w", err)
	}
	exp := now.Add(s.TokenTTL).Truncate(time.Second).UTC()
	c := claims{Username: rec.Username, Roles: rec.Roles, Issued: now.Unix(), Expires: exp.Unix(),
		ID: base64.RawURLEncoding.EncodeToString(id), Password: version, Office: s.office}
	sess := Session{Username: rec.Username, FullName: rec.FullName, Office: rec.Office, Roles: slices.Clone(rec.Roles), Expires: exp}
	return sign(s.key, c), sess, nil
}

// parse checks a token's MAC under this node's key. A token that fails it
// but names another office as its issuer is refused as that office's
// (OtherOfficeError), so the officer learns to sign in here; it is
// refused all the same, since only its issuer can check it.
func (s *Service) parse(token string) (claims, error) {
	c, err := parse(s.key, token)
	if err != nil {
		if o := claimedOffice(token); o != "" && o != s.office {
			return c, &OtherOfficeError{Office: o}
		}
	}
	return c, err
}
