package main

import (
	"strings"
	"testing"
	"time"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// A request's view shows what each step was decided and its change to the
// registry; a change that failed is shown with its error (it was in the
// JSON before, and must not be lost in the view for officers).
func TestRequestViewShowsDecisionsAndEffects(t *testing.T) {
	tests := []struct {
		name string
		step *v1.Step
		want []string
	}{
		{"failed effect", &v1.Step{Name: "penerbitan-kk", Done: true, Effect: "pindah", EffectError: "KK tujuan tidak ditemukan"},
			[]string{"selesai; perubahan data GAGAL", "perubahan pindah", "GAGAL: KK tujuan tidak ditemukan"}},
		{"settled by hand", &v1.Step{Name: "penerbitan-kk", Done: true, Effect: "pindah", EffectError: "x", EffectNote: "diperbaiki manual"},
			[]string{"diselesaikan petugas: diperbaiki manual"}},
		{"applied", &v1.Step{Name: "penerbitan-kk", Done: true, Effect: "penduduk-baru", EffectDone: true},
			[]string{"perubahan penduduk-baru", "diterapkan"}},
		{"decided NIK", &v1.Step{Name: "penetapan-nik", Done: true, Decisions: []*v1.StepDecision{{Kind: "nik", Number: 12, Nik: "1806011708900001"}}},
			[]string{"keputusan nik no. 12", "NIK 1806011708900001"}},
		{"refused", &v1.Step{Name: "penetapan-nik", Decisions: []*v1.StepDecision{{Kind: "nik", Number: 13, Refused: "nomor urut habis"}}},
			[]string{"ditolak: nomor urut habis"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			v := &view{out: &out, zone: func() *time.Location { return time.UTC }}
			if err := v.show(&v1.GetRequestResponse{Request: &v1.Request{Id: "R1", Steps: []*v1.Step{tc.step}}}); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("no %q in:\n%s", w, out.String())
				}
			}
		})
	}
}
