package account

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/form"
	"github.com/sinkron-id/sinkron/replication/store"
)

// DefaultTokenTTL is how long a login lasts.
const DefaultTokenTTL = 15 * time.Minute

// Service keeps officer accounts at one node: changes are replicated
// events; logins, lockouts and logouts are this node's own.
type Service struct {
	// TokenTTL is the lifetime of the tokens Login issues; set it before
	// serving.
	TokenTTL time.Duration

	store  *store.Store
	office string
	now    func() time.Time
	rand   io.Reader
	key    []byte // HMAC key of tokens, derived from the node's secret
	params Params // for new hashes; tests lower them

	// mu makes each check-then-append atomic at this node, so two ADB
	// SIAK consoles never create one username twice.
	mu sync.Mutex
	// hashing bounds concurrent argon2id runs: each takes Params.Memory.
	hashing chan struct{}
	dummy   struct {
		once sync.Once
		hash string
	}
	locks  lockout
	denied denyList
}

// New builds the service over a node's store; office names this node's
// office in every event it writes. tokenKey is the node's 32-byte secret
// (its at-rest key): tokens are signed with a key derived from it, so they
// survive a restart. Without one (a node with no at-rest key) a random key
// is drawn and every token dies with the process. Any other length is a
// wiring mistake and panics.
func New(st *store.Store, office string, now func() time.Time, random io.Reader, tokenKey []byte) *Service {
	switch len(tokenKey) {
	case 0:
		tokenKey = make([]byte, 32)
		rand.Read(tokenKey) // crypto/rand: never fails
	case 32:
	default:
		panic(fmt.Sprintf("account: token key has %d bytes, want 32", len(tokenKey)))
	}
	return &Service{
		TokenTTL: DefaultTokenTTL, store: st, office: office, now: now, rand: random,
		key: deriveTokenKey(tokenKey), params: DefaultParams,
		hashing: make(chan struct{}, runtime.GOMAXPROCS(0)),
	}
}

// Create opens an account with its first roles, on behalf of byOfficer, who
// must be an ADB SIAK (or hold another role allowed OpAccountAdmin).
func (s *Service) Create(username, fullName string, roles []catalog.Role, pw, byOfficer string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.admin(byOfficer); err != nil {
		return err
	}
	return s.create(username, fullName, roles, pw, byOfficer)
}

// Bootstrap creates the first ADB SIAK account of a node, for `sinkron
// init` and the CLI: only while the node knows no account at all, so it
// cannot be used to add an administrator later. The password is the
// operator's; there is no default.
func (s *Service) Bootstrap(username, fullName, pw string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, err := s.count(); err != nil || n > 0 {
		return errors.Join(err, fmt.Errorf("%w: node ini sudah memiliki akun petugas", ErrPrecondition))
	}
	return s.create(username, fullName, []catalog.Role{catalog.ADBSIAK}, pw, normUsername(username))
}

func (s *Service) create(username, fullName string, roles []catalog.Role, pw, by string) error {
	username = normUsername(username)
	fullName, nameErr := form.ValidName("nama_lengkap", fullName)
	if err := invalid(validUsername(username), nameErr, validRoles(roles, true), validPassword("kata_sandi", pw, username)); err != nil {
		return err
	}
	if _, err := s.load(username); err == nil {
		return fmt.Errorf("%w: %s", ErrExists, username)
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	hash, err := s.hash(pw)
	if err != nil {
		return err
	}
	return s.createHashed(username, fullName, roles, hash, by)
}

// createHashed appends the creation of a checked account.
func (s *Service) createHashed(username, fullName string, roles []catalog.Role, hash, by string) error {
	names := make([]string, len(roles))
	for i, r := range roles {
		names[i] = string(r)
	}
	msg := &eventpb.AccountCreated{Actor: s.actor(by), Username: username, FullName: fullName,
		Office: s.office, PasswordHash: hash, Roles: names}
	return s.append(username, typeCreated, msg)
}

// Grant gives username a role. A role in conflict (granted at one office,
// revoked at another) may be granted again: the grant has seen both and
// settles it.
func (s *Service) Grant(username string, role catalog.Role, byOfficer string) error {
	return s.setRole(username, role, byOfficer, true)
}

// Revoke takes a role from username; like Grant, it settles a conflict.
func (s *Service) Revoke(username string, role catalog.Role, byOfficer string) error {
	return s.setRole(username, role, byOfficer, false)
}

func (s *Service) setRole(username string, role catalog.Role, by string, grant bool) error {
	if err := invalid(validRoles([]catalog.Role{role}, true)); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.admin(by); err != nil {
		return err
	}
	a, err := s.changeable(username)
	if err != nil {
		return err
	}
	_, inConflict := conflict.On(a.Conflicts, RolePrefix+string(role))
	if !inConflict && a.HasRole(role) == grant {
		state := "tidak"
		if grant {
			state = "sudah"
		}
		return fmt.Errorf("%w: %s %s memegang peran %s", ErrPrecondition, a.Username, state, role.Title())
	}
	if !grant && role == catalog.ADBSIAK {
		if err := s.keepsAdmin(a.Username); err != nil {
			return err
		}
	}
	if grant {
		return s.append(a.Username, typeRoleGranted, &eventpb.RoleGranted{Actor: s.actor(by), Role: string(role)})
	}
	return s.append(a.Username, typeRoleRevoked, &eventpb.RoleRevoked{Actor: s.actor(by), Role: string(role)})
}

// Disable revokes an account for good: once the event reaches an office,
// the account can no longer log in there and its tokens are refused.
func (s *Service) Disable(username, reason, byOfficer string) error {
	reason, err := form.ValidText("alasan", reason, 3, 500)
	if err := invalid(err); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.admin(byOfficer); err != nil {
		return err
	}
	a, err := s.changeable(username)
	if err != nil && !errors.Is(err, ErrUnusable) { // a duplicate is what Disable is for
		return err
	}
	if a.HasRole(catalog.ADBSIAK) {
		if err := s.keepsAdmin(a.Username); err != nil {
			return err
		}
	}
	return s.append(a.Username, typeDisabled, &eventpb.AccountDisabled{Actor: s.actor(byOfficer), Reason: reason})
}

// ResetPassword sets a new password for an officer who lost theirs, on
// behalf of byOfficer, an ADB SIAK: the old one is not asked for, which is
// why only an administrator may do it. It is recorded as a password change
// whose actor is the administrator (the audit trail says who reset it),
// the officer's old tokens stop working as with ChangePassword, and a
// lockout from guessing is lifted: the officer has a password they know.
func (s *Service) ResetPassword(username, pw, byOfficer string) error {
	username = normUsername(username)
	if err := invalid(validPassword("kata_sandi", pw, username)); err != nil {
		return err
	}
	hash, err := s.hash(pw) // before the lock: argon2id is slow on purpose
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.admin(byOfficer); err != nil {
		return err
	}
	a, err := s.changeable(username)
	if err != nil {
		return err
	}
	if err := s.append(a.Username, typePasswordChanged, &eventpb.PasswordChanged{Actor: s.actor(byOfficer), PasswordHash: hash}); err != nil {
		return err
	}
	s.locks.succeeded(a.Username)
	return nil
}

// Get returns an account as this node knows it, without its password.
func (s *Service) Get(username string) (*Account, error) {
	rec, err := s.load(normUsername(username))
	if err != nil {
		return nil, err
	}
	return &rec.Account, nil
}

// List returns every account this node knows, by username.
func (s *Service) List() ([]*Account, error) {
	var out []*Account
	var decodeErr error
	err := s.store.Each(Kind, "", func(_ string, b []byte) bool {
		var rec record
		if decodeErr = json.Unmarshal(b, &rec); decodeErr != nil {
			return false
		}
		out = append(out, &rec.Account)
		return true
	})
	return out, errors.Join(err, decodeErr)
}

// admin checks that by may administer accounts. The API's interceptor
// checks the same; checking here too means a handler that forgot it, or a
// forged officer name, still cannot hand out roles.
func (s *Service) admin(by string) error {
	a, err := s.Get(by)
	if err == nil {
		err = a.Usable()
	}
	if err != nil || !slices.ContainsFunc(a.Roles, func(r catalog.Role) bool { return slices.Contains(Permissions[OpAccountAdmin], r) }) {
		return fmt.Errorf("%w: %q tidak dapat mengelola akun petugas", ErrForbidden, by)
	}
	return nil
}

// changeable loads an account that may still change: not disabled, since
// nothing undoes a disablement.
func (s *Service) changeable(username string) (*Account, error) {
	a, err := s.Get(username)
	if err != nil {
		return nil, err
	}
	if a.Disabled {
		return nil, fmt.Errorf("%w: akun %s %w", ErrPrecondition, a.Username, ErrDisabled)
	}
	return a, a.Usable()
}

// keepsAdmin refuses to leave this node without a usable ADB SIAK other
// than username: nobody could then manage accounts here. Two offices apart
// can still each remove one of two; the dinas then bootstraps anew.
func (s *Service) keepsAdmin(username string) error {
	all, err := s.List()
	if err != nil {
		return err
	}
	for _, a := range all {
		if a.Username != username && a.Usable() == nil && a.HasRole(catalog.ADBSIAK) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s adalah ADB SIAK terakhir yang aktif", ErrPrecondition, username)
}

func (s *Service) count() (int, error) {
	n := 0
	err := s.store.Each(Kind, "", func(string, []byte) bool { n++; return false })
	return n, err
}

func (s *Service) load(username string) (*record, error) {
	b, err := s.store.State(Kind, username)
	if errors.Is(err, store.ErrNotFound) || (err == nil && username == "") {
		return nil, fmt.Errorf("%w: %q", ErrNotFound, username)
	}
	if err != nil {
		return nil, err
	}
	var rec record
	return &rec, json.Unmarshal(b, &rec)
}

// hash runs argon2id under the concurrency bound.
func (s *Service) hash(pw string) (string, error) {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return hashPassword(pw, s.params, s.rand)
}

func (s *Service) check(pw, encoded string) bool {
	s.hashing <- struct{}{}
	defer func() { <-s.hashing }()
	return checkPassword(pw, encoded)
}

// actor names the officer by username, as they log in.
func (s *Service) actor(officer string) *eventpb.Actor {
	return &eventpb.Actor{Officer: normUsername(officer), Office: s.office}
}

// append writes one event; its deps are the entity's heads, so a grant,
// revocation or password change supersedes every write this node has seen.
func (s *Service) append(username, typ string, m proto.Message) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return err
	}
	if _, err := s.store.Append(store.Draft{Kind: Kind, Entity: username, Type: typ, Payload: b}, nil); err != nil {
		return fmt.Errorf("simpan akun %s: %w", username, err)
	}
	return nil
}

var usernameRE = regexp.MustCompile(`^[a-z][a-z0-9._-]{2,31}$`)

func normUsername(u string) string { return strings.ToLower(strings.TrimSpace(u)) }

func validUsername(u string) error {
	if !usernameRE.MatchString(u) {
		return &form.FieldError{Field: "nama_pengguna", Message: "3–32 karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung, diawali huruf"}
	}
	return nil
}

func validRoles(roles []catalog.Role, required bool) error {
	if required && len(roles) == 0 {
		return &form.FieldError{Field: "peran", Message: "pilih minimal satu peran"}
	}
	for _, r := range roles {
		if !slices.Contains(officerRoles(), r) {
			return &form.FieldError{Field: "peran", Message: fmt.Sprintf("peran %q tidak dikenal; pilihan: %s", r, roleNames())}
		}
	}
	return nil
}

func roleNames() string {
	var names []string
	for _, r := range officerRoles() {
		names = append(names, string(r))
	}
	return strings.Join(names, ", ")
}

// invalid gathers field errors into one error wrapping ErrInvalid, or nil.
func invalid(errs ...error) error {
	var fes form.Errors
	for _, err := range errs {
		var fe *form.FieldError
		var list form.Errors
		if errors.As(err, &list) {
			fes = append(fes, list...)
		} else if errors.As(err, &fe) {
			fes = append(fes, fe)
		}
	}
	if len(fes) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrInvalid, fes)
}
