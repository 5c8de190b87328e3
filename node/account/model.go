package account

import (
	"slices"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/node/fault"
)

// Kind is the entity kind of officer accounts; the entity id is the
// username.
const Kind = "petugas"

// Event types. Their names are stored in signed events: never rename them.
const (
	typeCreated         = "petugas.dibuat"
	typeRoleGranted     = "petugas.peran-diberikan"
	typeRoleRevoked     = "petugas.peran-dicabut"
	typePasswordChanged = "petugas.sandi-diubah"
	typeDisabled        = "petugas.dinonaktifkan"
)

// Registers of an account (see doc.go for how each folds).
const (
	fieldCreated  = "dibuat" // the creation event's id: two creations apart conflict
	fieldFullName = "nama_lengkap"
	fieldOffice   = "kantor"
	fieldPassword = "kata_sandi"
	// RolePrefix starts a role's register: "peran/<role>", holding
	// Granted or Revoked.
	RolePrefix = "peran/"
	Granted    = "diberikan"
	Revoked    = "dicabut"
)

// Errors callers test with errors.Is. Validation failures wrap ErrInvalid
// and a form.Errors naming each field.
var (
	ErrNotFound     = fault.New(fault.NotFound, "akun tidak ditemukan")
	ErrInvalid      = fault.New(fault.Invalid, "isian tidak valid")
	ErrExists       = fault.New(fault.Exists, "nama pengguna sudah dipakai")
	ErrPrecondition = fault.New(fault.Precondition, "perubahan tidak dapat dilakukan")
	ErrForbidden    = fault.New(fault.Permission, "tidak berwenang")
	// ErrCredentials is the one answer to a wrong username or password, so
	// a caller cannot learn which usernames exist.
	ErrCredentials = fault.New(fault.Unauthenticated, "nama pengguna atau kata sandi salah")
	ErrLocked      = fault.New(fault.Exhausted, "akun dikunci sementara karena terlalu banyak percobaan masuk yang gagal")
	ErrDisabled    = fault.New(fault.Permission, "akun telah dinonaktifkan")
	// ErrUnusable: the username was created twice while offices were
	// apart; nobody may use it until an ADB SIAK disables it.
	ErrUnusable = fault.New(fault.Permission, "akun ganda: nama pengguna dibuat dua kali di kantor berbeda; hubungi ADB SIAK")
	// ErrToken covers every token that does not verify: malformed,
	// tampered, from another node, expired, logged out, or issued before
	// the last password change. One that names another office as its
	// issuer is an OtherOfficeError, which wraps it.
	ErrToken = fault.New(fault.Unauthenticated, "token tidak berlaku")
)

// Change is one entry of an account's history.
type Change struct {
	What    string    `json:"what"` // e.g. "dibuat", "peran diberikan"
	Value   string    `json:"value,omitempty"`
	Note    string    `json:"note,omitempty"`
	Officer string    `json:"officer"`
	Office  string    `json:"office"`
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
}

// Account is the folded state of one officer account, without its
// password hash.
type Account struct {
	Username string `json:"username"`
	FullName string `json:"full_name"`
	Office   string `json:"office"` // the office that created it
	// Roles are the roles the account holds: granted and not in conflict.
	Roles             []catalog.Role `json:"roles"`
	Disabled          bool           `json:"disabled,omitempty"`
	DisabledReason    string         `json:"disabled_reason,omitempty"`
	Duplicate         bool           `json:"duplicate,omitempty"` // created twice while apart
	CreatedAt         time.Time      `json:"created_at"`
	UpdatedAt         time.Time      `json:"updated_at"`
	PasswordChangedAt time.Time      `json:"password_changed_at"`
	History           []Change       `json:"history"`
	// Conflicts lists registers whose concurrent writes disagree (a role
	// granted at one office and revoked at another). A disabled account
	// lists none: there is nothing left for an officer to decide.
	Conflicts []conflict.Field `json:"conflicts,omitempty"`
}

// HasRole reports whether the account holds role now.
func (a *Account) HasRole(r catalog.Role) bool { return slices.Contains(a.Roles, r) }

// Usable reports whether anyone may log in to the account.
func (a *Account) Usable() error {
	switch {
	case a.Disabled:
		return ErrDisabled
	case a.Duplicate:
		return ErrUnusable
	}
	return nil
}

// password is one surviving write of the password register: normally one,
// two after concurrent changes at two offices.
type password struct {
	Hash    string `json:"hash"`
	Version string `json:"version"` // id of the event that set it
}

// record is what the store keeps per account: the Account and the password
// hashes, which Get never hands out.
type record struct {
	Account
	Passwords []password `json:"passwords"`
}

// Session is a verified login.
type Session struct {
	Username string
	FullName string
	Office   string // the account's office, not the node's
	Roles    []catalog.Role
	Expires  time.Time
}

// HasRole reports whether the session carries role.
func (s Session) HasRole(r catalog.Role) bool { return slices.Contains(s.Roles, r) }
