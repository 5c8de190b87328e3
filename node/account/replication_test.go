package account

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/conflict"
	"github.com/sinkron-id/sinkron/replication/event"
)

func sameState(t *testing.T, a, b *office, user string) {
	t.Helper()
	sa, ea := a.st.State(Kind, user)
	sb, eb := b.st.State(Kind, user)
	if ea != nil || eb != nil || !bytes.Equal(sa, sb) {
		t.Fatalf("%s differs:\n%s\n%s\n%v %v", user, sa, sb, ea, eb)
	}
}

// An officer logs in at an office that only received the account; the
// revocation made elsewhere stops the token there once it arrives.
func TestRevocationReachesOtherOffice(t *testing.T) {
	a, b := apart(t)
	tok, _ := login(t, b, "budi", budiPass)
	must(t, a.svc.Disable("budi", "diberhentikan", "admin"))
	if _, err := b.svc.Verify(tok); err != nil {
		t.Fatalf("before the revocation arrives the token still works: %v", err)
	}
	syncInto(t, b, a)
	if _, err := b.svc.Verify(tok); !errors.Is(err, ErrToken) || !errors.Is(err, ErrDisabled) {
		t.Fatalf("after it arrives: %v", err)
	}
	if _, _, err := b.svc.Login("budi", budiPass); !errors.Is(err, ErrDisabled) {
		t.Fatalf("login after it arrives: %v", err)
	}
}

// The dinas reinstates a role (revoke, then grant again) while a kecamatan
// revokes it: the same register, two values, a conflict naming both, and
// the role is not held until an ADB SIAK decides.
func TestConcurrentGrantAndRevokeConflict(t *testing.T) {
	a, b := apart(t)
	tok, _ := login(t, b, "budi", budiPass)
	role := catalog.OperatorKecamatan
	must(t, a.svc.Revoke("budi", role, "admin"))
	must(t, a.svc.Grant("budi", role, "admin"))
	must(t, b.svc.Revoke("budi", role, "admin"))
	// Different roles apart both stand.
	must(t, a.svc.Grant("budi", catalog.KasiData, "admin"))
	must(t, b.svc.Grant("budi", catalog.OperatorDinas, "admin"))
	rejoin(t, a, b)
	sameState(t, a, b, "budi")
	acc := get(t, a, "budi")
	c, in := conflict.On(acc.Conflicts, RolePrefix+string(role))
	if !in || len(acc.Conflicts) != 1 || len(c.Values) != 2 {
		t.Fatalf("want one conflict on %s: %+v", role, acc.Conflicts)
	}
	got := map[string]string{}
	for _, v := range c.Values {
		got[v.Value] = v.Office
	}
	if got[Granted] != a.name || got[Revoked] != b.name {
		t.Fatalf("conflict values %+v", c.Values)
	}
	if want := []catalog.Role{catalog.OperatorDinas, catalog.KasiData}; !slices.Equal(acc.Roles, want) {
		t.Fatalf("roles %v, want %v (the one in conflict is not held)", acc.Roles, want)
	}
	if s, err := b.svc.Verify(tok); err != nil || s.HasRole(role) {
		t.Fatalf("old token keeps the role in conflict: %+v %v", s, err)
	}
	if cs, _ := a.st.Conflicts(); len(cs) != 1 || cs[0].Kind != Kind {
		t.Fatalf("store conflicts %+v", cs)
	}
	// Granting again has seen both values: it settles the conflict.
	must(t, b.svc.Grant("budi", role, "admin"))
	rejoin(t, a, b)
	sameState(t, a, b, "budi")
	if acc := get(t, a, "budi"); len(acc.Conflicts) != 0 || !acc.HasRole(role) {
		t.Fatalf("after settling: %+v", acc)
	}
}

// A revocation wins over whatever was concurrent with it: a grant and a
// password change made apart do not bring the account back.
func TestRevokedWinsOverConcurrentChange(t *testing.T) {
	a, b := apart(t)
	tok, _ := login(t, b, "budi", budiPass)
	must(t, a.svc.Disable("budi", "akun disalahgunakan", "admin"))
	must(t, b.svc.Grant("budi", catalog.KasiData, "admin"))
	must(t, b.svc.Revoke("budi", catalog.OperatorKecamatan, "admin"))
	must(t, b.svc.ChangePassword("budi", budiPass, "teh-manis-2026"))
	tok2, _ := login(t, b, "budi", "teh-manis-2026")
	rejoin(t, a, b)
	sameState(t, a, b, "budi")
	for _, o := range []*office{a, b} {
		acc := get(t, o, "budi")
		if !acc.Disabled || len(acc.Conflicts) != 0 || len(acc.History) != 5 {
			t.Fatalf("%s: %+v", o.name, acc)
		}
		if _, _, err := o.svc.Login("budi", "teh-manis-2026"); !errors.Is(err, ErrDisabled) {
			t.Fatalf("%s login: %v", o.name, err)
		}
		if err := o.svc.Grant("budi", catalog.KepalaSeksi, "admin"); !errors.Is(err, ErrDisabled) {
			t.Fatalf("%s grant after: %v", o.name, err)
		}
	}
	for _, tk := range []string{tok, tok2} {
		if _, err := b.svc.Verify(tk); !errors.Is(err, ErrDisabled) {
			t.Fatalf("token: %v", err)
		}
	}
	if cs, _ := b.st.Conflicts(); len(cs) != 0 {
		t.Fatalf("a disabled account is nobody's to-do: %+v", cs)
	}
}

// Two password changes apart both log in (each proved the old password),
// the conflict is listed without hashes, and the next change settles it.
func TestConcurrentPasswordChanges(t *testing.T) {
	a, b := apart(t)
	must(t, a.svc.ChangePassword("budi", budiPass, "sandi-di-dinas-1"))
	must(t, b.svc.ChangePassword("budi", budiPass, "sandi-di-kecamatan-2"))
	rejoin(t, a, b)
	sameState(t, a, b, "budi")
	login(t, a, "budi", "sandi-di-dinas-1")
	login(t, a, "budi", "sandi-di-kecamatan-2")
	if _, _, err := a.svc.Login("budi", budiPass); !errors.Is(err, ErrCredentials) {
		t.Fatalf("old password: %v", err)
	}
	c, in := conflict.On(get(t, a, "budi").Conflicts, fieldPassword)
	if !in || len(c.Values) != 2 || c.Values[0].Value != "(kata sandi baru)" || c.Values[0].Officer != "budi" {
		t.Fatalf("password conflict: %+v", c)
	}
	must(t, b.svc.ChangePassword("budi", "sandi-di-dinas-1", "sandi-akhir-3"))
	rejoin(t, a, b)
	if acc := get(t, a, "budi"); len(acc.Conflicts) != 0 {
		t.Fatalf("after a new change: %+v", acc.Conflicts)
	}
	login(t, a, "budi", "sandi-akhir-3")
	if _, _, err := a.svc.Login("budi", "sandi-di-kecamatan-2"); !errors.Is(err, ErrCredentials) {
		t.Fatalf("superseded password: %v", err)
	}
}

// One username created at two offices apart is unusable until disabled.
func TestUsernameCreatedTwiceApart(t *testing.T) {
	a, b := apart(t)
	must(t, a.svc.Create("rina", "Rina Wati", []catalog.Role{catalog.KasiData}, "sandi-rina-dinas", "admin"))
	must(t, b.svc.Create("rina", "Rina Marlina", []catalog.Role{catalog.OperatorKecamatan}, "sandi-rina-kec", "admin"))
	rejoin(t, a, b)
	sameState(t, a, b, "rina")
	acc := get(t, b, "rina")
	if _, in := conflict.On(acc.Conflicts, fieldCreated); !in || !acc.Duplicate {
		t.Fatalf("duplicate: %+v", acc)
	}
	if _, _, err := b.svc.Login("rina", "sandi-rina-kec"); !errors.Is(err, ErrUnusable) {
		t.Fatalf("login to a duplicate: %v", err)
	}
	if err := b.svc.Grant("rina", catalog.KepalaSeksi, "admin"); !errors.Is(err, ErrUnusable) {
		t.Fatalf("grant to a duplicate: %v", err)
	}
	must(t, b.svc.Disable("rina", "nama pengguna ganda", "admin"))
	if acc := get(t, b, "rina"); !acc.Disabled || len(acc.Conflicts) != 0 {
		t.Fatalf("after disable: %+v", acc)
	}
}

// An event type from a newer version is kept and sets nothing: refusing
// it would refuse the whole batch it came in.
func TestUnknownEventTypeFoldsToNothing(t *testing.T) {
	a, _ := apart(t)
	evs, err := a.st.Events(Kind, "budi")
	must(t, err)
	future := &event.Event{Origin: "X", Seq: 1, Kind: Kind, Entity: "budi", Type: "petugas.diaktifkan",
		Payload: []byte{0xff}, Deps: []event.ID{evs[0].ID()}}
	st, err := Folder{}.Fold(append(evs, future))
	if err != nil || len(st.Heads) != 1 || st.Heads[0] != future.ID() || len(st.Conflicts) != 0 {
		t.Fatalf("fold with a future event: %+v %v", st, err)
	}
}
