package request

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// sinkronisasiSteps are Sinkronisasi Data's processing steps (kecamatan
// path), from the catalog.
func sinkronisasiSteps(t *testing.T) []StepDef {
	fl, err := flowOf(ServiceName, "kecamatan")
	if err != nil {
		t.Fatal(err)
	}
	return fl.steps
}

func TestTransitionTable(t *testing.T) {
	defs := sinkronisasiSteps(t)
	done := func(n int) []Step {
		s := make([]Step, len(defs))
		for i := range s {
			s[i].StepDef, s[i].Done = defs[i], i < n
		}
		return s
	}
	tests := []struct {
		from  Status
		to    Status
		note  string
		steps int
		want  error
	}{
		{Baru, Disetujui, "", 0, nil},
		{Baru, Dibatalkan, "KK tidak terbaca", 0, nil},
		{Baru, Dibatalkan, "  ", 0, ErrInvalid},
		{Baru, Diproses, "", 0, ErrPrecondition},
		{Baru, Selesai, "", 3, ErrPrecondition},
		{Disetujui, Diproses, "", 0, nil},
		{Disetujui, Dibatalkan, "data ganda", 0, nil},
		{Diproses, Selesai, "", 2, ErrPrecondition},
		{Diproses, Selesai, "", 3, nil},
		{Dibatalkan, Disetujui, "", 0, ErrPrecondition},
		{Selesai, Diproses, "", 3, ErrPrecondition},
	}
	for _, tt := range tests {
		t.Run(tt.from.String()+"→"+tt.to.String(), func(t *testing.T) {
			r := &Request{Status: tt.from, Steps: done(tt.steps)}
			err := checkTransition(r, tt.to, tt.note)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// A move to the status a request already has says so, in the words of a
// counter ("sudah disetujui"); other refused moves keep naming both.
func TestSameStatusSaysItIsAlreadyThere(t *testing.T) {
	for st, want := range map[Status]string{Disetujui: "permohonan ini sudah disetujui", Dibatalkan: "permohonan ini sudah dibatalkan",
		Diproses: "permohonan ini sudah diproses", Selesai: "permohonan ini sudah selesai"} {
		err := checkTransition(&Request{Status: st}, st, "catatan")
		if !errors.Is(err, ErrPrecondition) || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("%s→%s: %v, want …%s", st, st, err, want)
		}
	}
	if err := checkTransition(&Request{Status: Dibatalkan}, Disetujui, ""); !strings.HasSuffix(err.Error(), "status Dibatalkan tidak dapat diubah menjadi Disetujui") {
		t.Errorf("Dibatalkan→Disetujui: %v", err)
	}
}

func TestStepsInOrder(t *testing.T) {
	defs := sinkronisasiSteps(t)
	r := &Request{Steps: []Step{{StepDef: defs[0]}, {StepDef: defs[1]}}}
	if err := nextStep(r, "sinkronisasi-dwh"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("DWH before konsolidasi: %v", err)
	}
	if err := nextStep(r, "konsolidasi-manual"); err != nil {
		t.Fatal(err)
	}
	r.Steps[0].Done = true
	if err := nextStep(r, "konsolidasi-manual"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("twice: %v", err)
	}
	r.Steps[1].Waiting = true
	if err := nextStep(r, "sinkronisasi-dwh"); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("while waiting for the dinas: %v", err)
	}
}

type fixedRand struct{}

func (fixedRand) Read(p []byte) (int, error) { return len(p), nil }

func TestTrackingCodesSortByTime(t *testing.T) {
	a, _ := newID(time.UnixMilli(1_700_000_000_000), fixedRand{})
	b, _ := newID(time.UnixMilli(1_700_000_000_001), fixedRand{})
	if len(a) != 16 || a >= b {
		t.Fatalf("ids %q %q", a, b)
	}
}
