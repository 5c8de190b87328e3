package catalog

import (
	"strings"
	"testing"
)

// Check finds what an SOP author may get wrong when editing the table.
func TestCheckFindsMistakes(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(ss []Service)
		want   string
	}{
		{"duplicate service", func(ss []Service) { ss[1].Name = ss[0].Name }, "duplicate name"},
		{"name not kebab-case", func(ss []Service) { ss[0].Name = "Sinkronisasi Data" }, "kebab-case"},
		{"duplicate path", func(ss []Service) { ss[3].Paths[1].Name = ss[3].Paths[0].Name }, "duplicate path"},
		{"step without role", func(ss []Service) { ss[0].Paths[0].Steps[2].Role = "" }, "unknown role"},
		{"step without office", func(ss []Service) { ss[0].Paths[0].Steps[2].Office = "" }, "unknown role"},
		{"zero time standard", func(ss []Service) { ss[2].Paths[0].Steps[3].Standard = 0 }, "time standard must be positive"},
		{"role at wrong office", func(ss []Service) { ss[1].Paths[0].Steps[3].Role = OperatorDinas }, "does not work at kecamatan"},
		{"first step elsewhere", func(ss []Service) { ss[3].Paths[0].Start = Dinas }, "first step is at kecamatan"},
		{"move without hand-over", func(ss []Service) { ss[3].Paths[0].Steps[2].HandOver = "" }, "without a hand-over"},
		{"hand-over to nowhere", func(ss []Service) { ss[1].Paths[0].Steps[7].HandOver = Dinas }, "no step follows"},
		{"hand-over to the wrong office", func(ss []Service) { ss[3].Paths[0].Steps[2].HandOver = Mobile }, "handed the file to mobile"},
		{"applicant step unrecorded", func(ss []Service) { ss[1].Paths[0].Steps[0].RecordedBy = "" }, "needs an officer"},
		{"officer with recorder", func(ss []Service) { ss[1].Paths[0].Steps[2].RecordedBy = PetugasPendukung }, "only the applicant's"},
		{"no verifier", func(ss []Service) { ss[0].Paths[0].Steps = ss[0].Paths[0].Steps[:1] }, "no officer step"},
		{"printed card without decision", func(ss []Service) { ss[3].Paths[1].Steps[3].Waits = nil }, "card-issue decision"},
		{"capture by the counter", func(ss []Service) { ss[1].Paths[0].Steps[2].Inputs = []Input{InputISOTemplate} }, "needs an operator"},
		{"unknown decision", func(ss []Service) { ss[0].Paths[0].Steps[3].Waits = []Decision{"restu-camat"} }, "unknown or repeated"},
		{"boxes out of order", func(ss []Service) { ss[0].Paths[0].Steps[3].No = 2 }, "out of order"},
		{"step from elsewhere without source", func(ss []Service) { ss[3].Paths[0].Steps[7].Source = "" }, "without its source"},
		{"unknown next service", func(ss []Service) { ss[2].Paths[1].Next = "perekaman" }, "next service"},
		{"choice with one option", func(ss []Service) { ss[2].Form.Fields[3].Choices = []string{"Perempuan"} }, "two distinct choices"},
		{"text without limit", func(ss []Service) { ss[0].Form.Fields[3].MaxLen = 0 }, "maximum length"},
		{"unknown field type", func(ss []Service) { ss[0].Form.Fields[0].Type = "email" }, "known type"},
		{"condition on unknown field", func(ss []Service) { ss[2].Documents[3].When.Field = "agama_lama" }, "condition needs"},
		{"document for unknown path", func(ss []Service) { ss[2].Documents[0].Paths = []string{"mobile"} }, "unknown path"},
		{"document neither uploaded nor paper", func(ss []Service) { ss[0].Documents[0].Upload = false }, "uploaded or shown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ss := All()
			tc.mutate(ss)
			err := check(ss)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("check = %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestCheckEmptyCatalog(t *testing.T) {
	if check(nil) == nil {
		t.Error("empty catalog passed")
	}
}

func TestIsIdent(t *testing.T) {
	for s, want := range map[string]bool{
		"ktp-el-baru": true, "a1": true, "": false, "-a": false, "a-": false, "a--b": false, "A": false, "a_b": false,
	} {
		if isIdent(s, '-') != want {
			t.Errorf("isIdent(%q) = %v", s, !want)
		}
	}
}
