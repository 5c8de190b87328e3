package account

import (
	"crypto/rand"
	"errors"
	"fmt"
	"slices"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/form"
)

// PendingAdmin is an ADB SIAK account waiting for its node to start:
// `sinkron init --admin` and `sinkron akun admin` write one beside the
// store, which they cannot open, and the node creates the account at its
// next start. It holds the argon2id hash, never the password.
type PendingAdmin struct {
	Username     string `json:"username"`
	FullName     string `json:"full_name"`
	PasswordHash string `json:"password_hash"`
}

// NewPendingAdmin checks a first administrator's username, name and
// password against the same rules as any account, and hashes the password
// with DefaultParams, so a weak password is refused at the console that
// typed it rather than at the node's next start.
func NewPendingAdmin(username, fullName, pw string) (PendingAdmin, error) {
	username = normUsername(username)
	fullName, nameErr := form.ValidName("nama_lengkap", fullName)
	if err := invalid(validUsername(username), nameErr, validPassword("kata_sandi", pw, username)); err != nil {
		return PendingAdmin{}, err
	}
	hash, err := hashPassword(pw, DefaultParams, rand.Reader)
	if err != nil {
		return PendingAdmin{}, err
	}
	return PendingAdmin{Username: username, FullName: fullName, PasswordHash: hash}, nil
}

// ErrHasAdmin is BootstrapHash's answer when the node already has a usable
// ADB SIAK: the pending account is not needed.
var ErrHasAdmin = fault.New(fault.Exists, "node ini sudah memiliki ADB SIAK yang aktif")

// BootstrapHash creates p as an ADB SIAK account from its hash. Unlike
// Bootstrap it does not need an empty node, only one without a usable ADB
// SIAK: it is also how an office whose last administrator was disabled
// gets one back, by someone who can write to the node's data directory
// while it is stopped. It never adds a second administrator; ADB SIAK do
// that through the API.
func (s *Service) BootstrapHash(p PendingAdmin) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	username := normUsername(p.Username)
	fullName, nameErr := form.ValidName("nama_lengkap", p.FullName)
	var hashErr error
	if _, _, _, err := parseHash(p.PasswordHash); err != nil {
		hashErr = &form.FieldError{Field: "kata_sandi", Message: err.Error()}
	}
	if err := invalid(validUsername(username), nameErr, hashErr); err != nil {
		return err
	}
	all, err := s.List()
	if err != nil {
		return err
	}
	if slices.ContainsFunc(all, func(a *Account) bool { return a.Usable() == nil && a.HasRole(catalog.ADBSIAK) }) {
		return ErrHasAdmin
	}
	if _, err := s.load(username); err == nil {
		return fmt.Errorf("%w: %s; pilih nama pengguna lain", ErrExists, username)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	return s.createHashed(username, fullName, []catalog.Role{catalog.ADBSIAK}, p.PasswordHash, username)
}
