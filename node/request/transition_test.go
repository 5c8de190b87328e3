package request

import (
	"errors"
	"testing"
	"time"
)

func TestTransitionTable(t *testing.T) {
	done := func(n int) []Step {
		s := make([]Step, len(Steps))
		for i := range s {
			s[i].StepDef, s[i].Done = Steps[i], i < n
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
		{Baru, Selesai, "", 2, ErrPrecondition},
		{Disetujui, Diproses, "", 0, nil},
		{Disetujui, Dibatalkan, "data ganda", 0, nil},
		{Diproses, Selesai, "", 1, ErrPrecondition},
		{Diproses, Selesai, "", 2, nil},
		{Dibatalkan, Disetujui, "", 0, ErrPrecondition},
		{Selesai, Diproses, "", 2, ErrPrecondition},
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

func TestStepsInOrder(t *testing.T) {
	r := &Request{Steps: []Step{{StepDef: Steps[0]}, {StepDef: Steps[1]}}}
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
	if err := nextStep(r, "cetak"); !errors.Is(err, ErrInvalid) {
		t.Fatalf("unknown step: %v", err)
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
