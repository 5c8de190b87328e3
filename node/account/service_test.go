package account

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/form"
)

func TestCreateLoginVerifyLogout(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	tok, s := login(t, o, " Budi ", budiPass)
	want := Session{Username: "budi", FullName: "Budi Santoso", Office: "Kecamatan Sibolga Kota",
		Roles: []catalog.Role{catalog.OperatorKecamatan}, Expires: o.clock.now().Add(DefaultTokenTTL)}
	got, err := o.svc.Verify(tok)
	if err != nil || !sameSession(got, want) || !sameSession(s, want) {
		t.Fatalf("verify: %+v %v, login %+v, want %+v", got, err, s, want)
	}
	if !got.HasRole(catalog.OperatorKecamatan) || got.HasRole(catalog.ADBSIAK) {
		t.Fatalf("roles %v", got.Roles)
	}
	a := get(t, o, "budi")
	if a.Office != o.name || len(a.History) != 1 || a.History[0].Officer != "admin" || a.Usable() != nil {
		t.Fatalf("account %+v", a)
	}
	must(t, o.svc.Logout(tok))
	if _, err := o.svc.Verify(tok); !errors.Is(err, ErrToken) {
		t.Fatalf("token after logout: %v", err)
	}
	tok2, _ := login(t, o, "budi", budiPass)
	if _, err := o.svc.Verify(tok2); err != nil {
		t.Fatalf("a new login after logout: %v", err)
	}
	if all, err := o.svc.List(); err != nil || len(all) != 2 || all[0].Username != "admin" || all[1].Username != "budi" {
		t.Fatalf("list %+v %v", all, err)
	}
}

func sameSession(a, b Session) bool {
	return a.Username == b.Username && a.FullName == b.FullName && a.Office == b.Office &&
		slices.Equal(a.Roles, b.Roles) && a.Expires.Equal(b.Expires)
}

// A wrong password and an unknown username get one answer, so a caller
// cannot tell which usernames exist.
func TestWrongPasswordAndUnknownUser(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	_, _, e1 := o.svc.Login("budi", "salah-sandi-123")
	_, _, e2 := o.svc.Login("tidakada", "salah-sandi-123")
	if !errors.Is(e1, ErrCredentials) || !errors.Is(e2, ErrCredentials) || e1.Error() != e2.Error() {
		t.Fatalf("wrong password %v, unknown user %v", e1, e2)
	}
}

func TestLockoutAfterFiveFailuresUnlocksAfterWindow(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	for i := range LockAfter {
		if i > 0 {
			o.clock.advance(time.Minute)
		}
		if _, _, err := o.svc.Login("budi", "salah-sandi-123"); !errors.Is(err, ErrCredentials) {
			t.Fatalf("failure %d: %v", i+1, err)
		}
	}
	o.clock.advance(time.Minute)
	_, _, err := o.svc.Login("budi", budiPass)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "coba lagi dalam 14 menit") {
		t.Fatalf("right password while locked: %v", err)
	}
	o.clock.advance(LockFor - time.Minute - time.Second)
	if _, _, err := o.svc.Login("budi", budiPass); !errors.Is(err, ErrLocked) {
		t.Fatalf("a second before the lock ends: %v", err)
	}
	o.clock.advance(time.Second)
	login(t, o, "budi", budiPass)
	// Others are not locked by budi's failures.
	login(t, o, "admin", adminPass)
}

// Failures spread wider than the window never add up to a lock, and a
// success clears them.
func TestLockoutCountsOnlyRecentFailures(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	fail := func() {
		t.Helper()
		if _, _, err := o.svc.Login("budi", "salah-sandi-123"); !errors.Is(err, ErrCredentials) {
			t.Fatalf("failure: %v", err)
		}
	}
	for range 2 * LockAfter {
		fail()
		o.clock.advance(LockWindow / (LockAfter - 1))
	}
	login(t, o, "budi", budiPass)
	for range LockAfter - 1 {
		fail()
	}
	login(t, o, "budi", budiPass)
	fail()
	login(t, o, "budi", budiPass)
	// Unknown usernames lock like known ones.
	for range LockAfter {
		o.svc.Login("hantu", "salah-sandi-123")
	}
	if _, _, err := o.svc.Login("hantu", "salah-sandi-123"); !errors.Is(err, ErrLocked) {
		t.Fatalf("unknown username: %v", err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	for _, c := range []struct {
		pw, msg string
	}{
		{"pendek-1", "minimal 10 karakter"},
		{"123456789012", "tidak boleh hanya berisi angka"},
		{"Budi.Santo", "tidak boleh sama dengan nama pengguna"},
		{"sandi\x00panjang", "karakter kontrol"},
		{strings.Repeat("x", maxPasswordLen+1), "maksimal 256 karakter"},
		{"sandi\xffpanjang", "tidak valid"},
		{"kopi tubruk", ""},
		{"1234567890a", ""},
		{"kata-sandi-ü", ""},
	} {
		o := withAdmin(t, "Kecamatan Sibolga Kota")
		err := o.svc.Create("budi.santo", "Budi Santoso", []catalog.Role{catalog.OperatorKecamatan}, c.pw, "admin")
		if c.msg == "" {
			if err != nil {
				t.Errorf("%q: %v", c.pw, err)
			}
			continue
		}
		var fes form.Errors
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &fes) || fes[0].Field != "kata_sandi" || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%.20q: %v, want %q", c.pw, err, c.msg)
		}
	}
}

func TestCreateRefusals(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	ops := []catalog.Role{catalog.OperatorKecamatan}
	for _, c := range []struct {
		name                string
		user, full, by      string
		roles               []catalog.Role
		want                error
		wantField, wantText string
	}{
		{"existing username", "BUDI", "Budi Lain", "admin", ops, ErrExists, "", "budi"},
		{"bad username", "1budi", "Budi Lain", "admin", ops, ErrInvalid, "nama_pengguna", "diawali huruf"},
		{"bad name", "budi2", "B", "admin", ops, ErrInvalid, "nama_lengkap", ""},
		{"no role", "budi2", "Budi Lain", "admin", nil, ErrInvalid, "peran", "minimal satu peran"},
		{"applicant role", "budi2", "Budi Lain", "admin", []catalog.Role{catalog.Pemohon}, ErrInvalid, "peran", "tidak dikenal"},
		{"not an admin", "budi2", "Budi Lain", "budi", ops, ErrForbidden, "", ""},
		{"no such admin", "budi2", "Budi Lain", "siapa", ops, ErrForbidden, "", ""},
	} {
		err := o.svc.Create(c.user, c.full, c.roles, "sandi-yang-kuat", c.by)
		var fes form.Errors
		if !errors.Is(err, c.want) || (c.wantField != "" && (!errors.As(err, &fes) || fes[0].Field != c.wantField)) ||
			!strings.Contains(err.Error(), c.wantText) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// Bootstrap makes the first ADB SIAK of an empty node and nothing else.
func TestBootstrapOnlyOnEmptyNode(t *testing.T) {
	o := testOffice(t, "Dinas Dukcapil Kota Sibolga")
	if err := o.svc.Bootstrap("admin", "Siti Administrator", "123"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("weak first password: %v", err)
	}
	must(t, o.svc.Bootstrap("Admin", "Siti Administrator", adminPass))
	if a := get(t, o, "admin"); !slices.Equal(a.Roles, []catalog.Role{catalog.ADBSIAK}) || a.History[0].Officer != "admin" {
		t.Fatalf("first account %+v", a)
	}
	if err := o.svc.Bootstrap("admin2", "Penyusup", adminPass); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("second bootstrap: %v", err)
	}
	// An office that received accounts by sync has some: no bootstrap.
	b := testOffice(t, "Kecamatan Sibolga Selatan")
	syncInto(t, b, o)
	if err := b.svc.Bootstrap("admin2", "Penyusup", adminPass); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("bootstrap after sync: %v", err)
	}
	login(t, b, "admin", adminPass)
}

func TestChangePassword(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	old, _ := login(t, o, "budi", budiPass)
	if err := o.svc.ChangePassword("budi", "salah-sandi-123", "teh-manis-2026"); !errors.Is(err, ErrCredentials) {
		t.Fatalf("wrong old password: %v", err)
	}
	if err := o.svc.ChangePassword("budi", budiPass, budiPass); !errors.Is(err, ErrInvalid) {
		t.Fatalf("same password: %v", err)
	}
	if err := o.svc.ChangePassword("budi", budiPass, "1234567890"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("weak new password: %v", err)
	}
	o.clock.advance(time.Minute)
	must(t, o.svc.ChangePassword("budi", budiPass, "teh-manis-2026"))
	if _, err := o.svc.Verify(old); !errors.Is(err, ErrToken) || !strings.Contains(err.Error(), "kata sandi telah diubah") {
		t.Fatalf("token from before the change: %v", err)
	}
	if _, _, err := o.svc.Login("budi", budiPass); !errors.Is(err, ErrCredentials) {
		t.Fatalf("old password: %v", err)
	}
	tok, _ := login(t, o, "budi", "teh-manis-2026")
	if _, err := o.svc.Verify(tok); err != nil {
		t.Fatal(err)
	}
	if a := get(t, o, "budi"); a.History[1].What != "kata sandi diubah" || a.History[1].Officer != "budi" {
		t.Fatalf("history %+v", a.History)
	}
}

// Guessing the old password through ChangePassword locks like logins do.
func TestChangePasswordCountsTowardsLockout(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	for range LockAfter {
		o.svc.ChangePassword("budi", "tebakan-sandi-1", "teh-manis-2026")
	}
	if err := o.svc.ChangePassword("budi", budiPass, "teh-manis-2026"); !errors.Is(err, ErrLocked) {
		t.Fatalf("change while locked: %v", err)
	}
	if _, _, err := o.svc.Login("budi", budiPass); !errors.Is(err, ErrLocked) {
		t.Fatalf("login while locked: %v", err)
	}
}

// A role revoked after login leaves the session at once; a role granted
// after login needs a new login.
func TestGrantAndRevokeTakeEffect(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	tok, _ := login(t, o, "budi", budiPass)
	must(t, o.svc.Grant("budi", catalog.KasiData, "admin"))
	if s, _ := o.svc.Verify(tok); s.HasRole(catalog.KasiData) {
		t.Fatalf("role granted after login: %v", s.Roles)
	}
	tok, _ = login(t, o, "budi", budiPass)
	must(t, o.svc.Revoke("budi", catalog.OperatorKecamatan, "admin"))
	s, err := o.svc.Verify(tok)
	if err != nil || !slices.Equal(s.Roles, []catalog.Role{catalog.KasiData}) {
		t.Fatalf("after revoke: %+v %v", s, err)
	}
	if err := o.svc.Revoke("budi", catalog.OperatorKecamatan, "admin"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("revoke a role not held: %v", err)
	}
	if err := o.svc.Grant("budi", catalog.KasiData, "admin"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("grant a role held: %v", err)
	}
	if err := o.svc.Grant("budi", catalog.ADBSIAK, "budi"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("self-promotion: %v", err)
	}
	if err := o.svc.Grant("budi", "raja", "admin"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown role: %v", err)
	}
}

func TestDisable(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	tok, _ := login(t, o, "budi", budiPass)
	if err := o.svc.Disable("budi", "", "admin"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no reason: %v", err)
	}
	must(t, o.svc.Disable("budi", "pindah tugas ke Medan", "admin"))
	if _, err := o.svc.Verify(tok); !errors.Is(err, ErrToken) || !errors.Is(err, ErrDisabled) {
		t.Fatalf("token of a disabled account: %v", err)
	}
	if _, _, err := o.svc.Login("budi", budiPass); !errors.Is(err, ErrDisabled) {
		t.Fatalf("login: %v", err)
	}
	if _, _, err := o.svc.Login("budi", "salah-sandi-123"); !errors.Is(err, ErrCredentials) {
		t.Fatalf("a guesser is not told the account is disabled: %v", err)
	}
	if err := o.svc.Grant("budi", catalog.KasiData, "admin"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("grant to a disabled account: %v", err)
	}
	if err := o.svc.ChangePassword("budi", budiPass, "teh-manis-2026"); !errors.Is(err, ErrDisabled) {
		t.Fatalf("password of a disabled account: %v", err)
	}
	if a := get(t, o, "budi"); !a.Disabled || a.DisabledReason != "pindah tugas ke Medan" {
		t.Fatalf("account %+v", a)
	}
}

// The last usable ADB SIAK cannot be removed: nobody could then manage
// accounts at this node.
func TestLastAdminKept(t *testing.T) {
	o := withBudi(t, "Dinas Dukcapil Kota Sibolga")
	if err := o.svc.Revoke("admin", catalog.ADBSIAK, "admin"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("revoke the last admin role: %v", err)
	}
	if err := o.svc.Disable("admin", "pensiun", "admin"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("disable the last admin: %v", err)
	}
	must(t, o.svc.Grant("budi", catalog.ADBSIAK, "admin"))
	must(t, o.svc.Disable("admin", "pensiun", "budi"))
	if err := o.svc.Create("rina", "Rina Wati", []catalog.Role{catalog.KasiData}, "sandi-yang-kuat", "admin"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("a disabled admin creates: %v", err)
	}
}

// An ADB SIAK resets a locked-out officer's password: the old password and
// tokens stop working, the lockout is lifted, the history names the
// administrator; nobody else may reset, and a weak password is refused.
func TestResetPassword(t *testing.T) {
	o := withBudi(t, "Kecamatan Sibolga Kota")
	old, _ := login(t, o, "budi", budiPass)
	for range LockAfter {
		o.svc.Login("budi", "tebakan-sandi-1")
	}
	if err := o.svc.ResetPassword("admin", "teh-manis-2026", "budi"); !errors.Is(err, ErrForbidden) {
		t.Fatalf("reset by an operator: %v", err)
	}
	if err := o.svc.ResetPassword("budi", "1234567890", "admin"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("weak password: %v", err)
	}
	if err := o.svc.ResetPassword("siapa", "teh-manis-2026", "admin"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	o.clock.advance(time.Minute)
	must(t, o.svc.ResetPassword("budi", "teh-manis-2026", "admin"))
	if _, err := o.svc.Verify(old); !errors.Is(err, ErrToken) {
		t.Fatalf("token from before the reset: %v", err)
	}
	if _, _, err := o.svc.Login("budi", budiPass); !errors.Is(err, ErrCredentials) {
		t.Fatalf("old password: %v", err)
	}
	login(t, o, "budi", "teh-manis-2026") // the lockout is lifted
	if a := get(t, o, "budi"); a.History[1].What != "kata sandi diatur ulang" || a.History[1].Officer != "admin" {
		t.Fatalf("history %+v", a.History)
	}
}
