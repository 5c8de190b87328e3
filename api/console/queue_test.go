package console

import (
	"testing"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// The queue marks a step whose previous step waited for the dinas and
// got its decision back, with what came back.
func TestReturnedDecision(t *testing.T) {
	steps := func(prev *v1.Step) *v1.Request {
		return &v1.Request{Steps: []*v1.Step{prev, {Name: "validasi"}}}
	}
	for _, tc := range []struct {
		name string
		prev *v1.Step
		want string
	}{
		{"a step without decisions", &v1.Step{Name: "rekam", Done: true}, ""},
		{"a verdict came back", &v1.Step{Name: "rekam", Done: true, Result: "unik", Decisions: []*v1.StepDecision{{Kind: "dedup", Verdict: "unik"}}}, "unik"},
		{"a NIK came back", &v1.Step{Name: "rekam", Done: true, Result: "1806015708900003", Decisions: []*v1.StepDecision{{Kind: "nik"}}}, "1806015708900003"},
	} {
		if got := returned(steps(tc.prev), "validasi"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := returned(&v1.Request{Steps: []*v1.Step{{Name: "validasi"}}}, "validasi"); got != "" {
		t.Errorf("the first step: %q", got)
	}
}
