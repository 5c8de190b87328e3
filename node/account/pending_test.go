package account

import (
	"errors"
	"strings"
	"testing"
)

// A pending administrator is checked and hashed where the password is
// typed; the hash, not the password, is what the node gets.
func TestNewPendingAdmin(t *testing.T) {
	for name, tc := range map[string]struct{ user, full, pw string }{
		"short password":   {"adb", "Siti Administrator", "pendek"},
		"digits only":      {"adb", "Siti Administrator", "1234567890123"},
		"bad username":     {"A", "Siti Administrator", adminPass},
		"missing fullname": {"adb", "", adminPass},
	} {
		if _, err := NewPendingAdmin(tc.user, tc.full, tc.pw); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	p, err := NewPendingAdmin(" ADB ", "Siti Administrator", adminPass)
	if err != nil {
		t.Fatal(err)
	}
	if p.Username != "adb" || strings.Contains(p.PasswordHash, adminPass) || !checkPassword(adminPass, p.PasswordHash) {
		t.Fatalf("pending %+v", p)
	}
}

// BootstrapHash gives a node an ADB SIAK from a hash when it has none that
// is usable, and never a second one.
func TestBootstrapHash(t *testing.T) {
	p, err := NewPendingAdmin("adb", "Siti Administrator", adminPass)
	if err != nil {
		t.Fatal(err)
	}
	o := testOffice(t, "Dinas Dukcapil Kota Sibolga")
	if err := o.svc.BootstrapHash(PendingAdmin{Username: "adb", FullName: "Siti", PasswordHash: "$argon2id$v=19$m=1,t=1,p=1$xx$yy"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad hash: %v", err)
	}
	must(t, o.svc.BootstrapHash(p))
	login(t, o, "adb", adminPass)
	if err := o.svc.BootstrapHash(PendingAdmin{Username: "adb2", FullName: "Penyusup", PasswordHash: p.PasswordHash}); !errors.Is(err, ErrHasAdmin) {
		t.Fatalf("second administrator: %v", err)
	}

	// Two offices apart each bootstrapped "admin": the duplicate leaves
	// neither usable, and a new username restores an administrator.
	a, b := withAdmin(t, "Kecamatan A"), withAdmin(t, "Kecamatan B")
	rejoin(t, a, b)
	if err := a.svc.BootstrapHash(PendingAdmin{Username: "admin", FullName: "Siti Administrator", PasswordHash: p.PasswordHash}); !errors.Is(err, ErrExists) {
		t.Fatalf("reusing the duplicate username: %v", err)
	}
	p.Username = "adb-kec-a"
	must(t, a.svc.BootstrapHash(p))
	login(t, a, "adb-kec-a", adminPass)
}
