package registry

import (
	"errors"
	"testing"
)

// A move whose new card cannot be filed changes nothing: the resident stays
// on the card they had. A move that can is one step, and a repeat of it
// (the decision's effect run again) changes nothing either.
func TestMoveRefusedLeavesTheOldCard(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	family(t, o)
	if _, err := o.svc.AddMember(kkBudi, nikSiti, "Istri", "Andi"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.CreateFamily(kkLain, nikAnak1, sibolga(), "Andi"); err != nil {
		t.Fatal(err)
	}
	const newKK = "1271010103200009"
	move := func(from, to string, a Address, reason string) func() error {
		return func() error { _, err := o.svc.Move(from, to, nikSiti, a, reason, "Andi"); return err }
	}
	noRT := sibolga()
	noRT.RT = ""
	tests := []struct {
		name   string
		call   func() error
		want   error
		fields []string
	}{
		{"KK baru tanggal tidak ada", move(kkBudi, "1271013102200001", sibolga(), "pindah"), ErrInvalid, []string{"kk"}},
		{"alamat baru tanpa RT", move(kkBudi, newKK, noRT, "pindah"), ErrInvalid, []string{"rt"}},
		{"tanpa alasan", move(kkBudi, newKK, sibolga(), ""), ErrInvalid, []string{"alasan"}},
		{"KK baru sudah ada", move(kkBudi, kkLain, sibolga(), "pindah"), ErrExists, nil},
		{"tercatat di KK lain", move(kkLain, newKK, sibolga(), "pindah"), ErrPrecondition, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			refused(t, o, tt.want, tt.fields, tt.call)
			if fs, err := o.svc.FamiliesOf(nikSiti); err != nil || len(fs) != 1 || fs[0].KK != kkBudi {
				t.Fatalf("after a refused move the resident is on %v (%v), want only %s", kks(fs), err, kkBudi)
			}
		})
	}

	if err := move(kkBudi, newKK, sibolga(), "pindah")(); err != nil {
		t.Fatal(err)
	}
	fs, err := o.svc.FamiliesOf(nikSiti)
	if err != nil || len(fs) != 1 || fs[0].KK != newKK || fs[0].Head != nikSiti {
		t.Fatalf("after the move the resident is on %v (%v), want only %s as its head", kks(fs), err, newKK)
	}
	refused(t, o, ErrExists, nil, move(kkBudi, newKK, sibolga(), "pindah"))
}

func kks(fs []*Family) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.KK)
	}
	return out
}

// A move is two appends (off the old card, the new card filed). A crash
// between them leaves the resident on no card; the node retries the
// decided step's effect, and the repeat finds the old card done and files
// the new one, so the resident always ends on exactly one card.
func TestMoveResumesAfterACrashBetweenItsAppends(t *testing.T) {
	o := testOffice(t, "Kecamatan Sibolga Kota")
	family(t, o)
	if _, err := o.svc.AddMember(kkBudi, nikSiti, "Istri", "Andi"); err != nil {
		t.Fatal(err)
	}
	const newKK = "1271010103200009"
	// The first append of the move, then the crash.
	if _, err := o.svc.RemoveMember(kkBudi, nikSiti, "pindah", "Andi"); err != nil {
		t.Fatal(err)
	}
	if _, err := o.svc.Move(kkBudi, newKK, nikSiti, sibolga(), "pindah", "Andi"); err != nil {
		t.Fatalf("the retried move: %v", err)
	}
	fs, err := o.svc.FamiliesOf(nikSiti)
	if err != nil || len(fs) != 1 || fs[0].KK != newKK || fs[0].Head != nikSiti {
		t.Fatalf("after the resumed move the resident is on %v (%v), want only %s as its head", kks(fs), err, newKK)
	}
	if _, err := o.svc.Move(kkBudi, newKK, nikSiti, sibolga(), "pindah", "Andi"); !errors.Is(err, ErrExists) {
		t.Fatalf("a third try: %v, want ErrExists (counted as applied)", err)
	}
}
