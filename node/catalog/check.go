package catalog

import (
	"errors"
	"fmt"
	"slices"
)

// Check verifies the whole catalog: unique machine names, known roles,
// offices, decisions, inputs and outputs, every role working at the office
// of its step, positive time standards, forms and documents well formed,
// and every path starting where its first step happens, with every move
// between offices explained by a hand-over on the step before it.
func Check() error { return check(table) }

// problems collects what is wrong, each prefixed with where it is.
type problems struct{ errs []error }

func (p *problems) add(where, format string, args ...any) {
	p.errs = append(p.errs, fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...)))
}

func check(services []Service) error {
	var p problems
	if len(services) == 0 {
		p.add("catalog", "no services")
	}
	seen := map[string]bool{}
	for _, s := range services {
		if seen[s.Name] {
			p.add("service "+s.Name, "duplicate name")
		}
		seen[s.Name] = true
		checkService(&p, s)
	}
	for _, s := range services {
		for _, path := range s.Paths {
			if path.Next != "" && (!seen[path.Next] || path.Next == s.Name) {
				p.add("service "+s.Name+" path "+path.Name, "next service %q unknown", path.Next)
			}
		}
	}
	return errors.Join(p.errs...)
}

func checkService(p *problems, s Service) {
	where := "service " + s.Name
	if !isIdent(s.Name, '-') {
		p.add(where, "name must be kebab-case")
	}
	if s.Title == "" || s.Source == "" {
		p.add(where, "title and source are required")
	}
	if len(s.Paths) == 0 {
		p.add(where, "no paths")
	}
	checkForm(p, where, s.Form)
	checkDocuments(p, s)
	names := map[string]bool{}
	for _, path := range s.Paths {
		if names[path.Name] {
			p.add(where, "duplicate path %q", path.Name)
		}
		names[path.Name] = true
		checkPath(p, where+" path "+path.Name, path)
	}
}

func checkForm(p *problems, where string, f Form) {
	if len(f.Fields) == 0 {
		p.add(where, "form has no fields")
	}
	seen := map[string]bool{}
	for _, fd := range f.Fields {
		at := where + " field " + fd.Name
		if !isIdent(fd.Name, '_') || seen[fd.Name] {
			p.add(at, "name must be snake_case and unique")
		}
		seen[fd.Name] = true
		if fd.Label == "" || !slices.Contains(FieldTypes(), fd.Type) {
			p.add(at, "needs a label and a known type, got %q", fd.Type)
		}
		checkFieldLimits(p, at, fd)
	}
}

func checkFieldLimits(p *problems, at string, fd Field) {
	if fd.Type == FieldChoice {
		if len(fd.Choices) < 2 || len(slices.Compact(slices.Sorted(slices.Values(fd.Choices)))) != len(fd.Choices) {
			p.add(at, "a choice needs at least two distinct choices")
		}
	} else if len(fd.Choices) > 0 {
		p.add(at, "only choice fields have choices")
	}
	if (fd.Type == FieldText || fd.Type == FieldNumber) && fd.MaxLen <= 0 {
		p.add(at, "text and number fields need a maximum length")
	}
	if fd.MinLen < 0 || (fd.MaxLen > 0 && fd.MinLen > fd.MaxLen) {
		p.add(at, "minimum length %d does not fit maximum %d", fd.MinLen, fd.MaxLen)
	}
}

func checkDocuments(p *problems, s Service) {
	if len(s.Documents) == 0 {
		p.add("service "+s.Name, "no required documents")
	}
	seen := map[string]bool{}
	for _, d := range s.Documents {
		at := "service " + s.Name + " document " + d.Name
		if !isIdent(d.Name, '_') || seen[d.Name] || d.Title == "" {
			p.add(at, "needs a unique snake_case name and a title")
		}
		seen[d.Name] = true
		if !d.Upload && d.Paper == NoPaper || !slices.Contains([]Paper{NoPaper, PaperShown, PaperKept}, d.Paper) {
			p.add(at, "must be uploaded or shown or handed in")
		}
		checkCondition(p, at, s.Form, d.When)
		for _, name := range d.Paths {
			if _, ok := s.Path(name); !ok {
				p.add(at, "unknown path %q", name)
			}
		}
	}
}

func checkCondition(p *problems, at string, f Form, c Condition) {
	if c.Field == "" {
		return
	}
	fd, ok := f.Field(c.Field)
	if !ok || fd.Type != FieldChoice || len(c.Values) == 0 {
		p.add(at, "condition needs a choice field of the form and values, got %q", c.Field)
		return
	}
	for _, v := range c.Values {
		if !slices.Contains(fd.Choices, v) {
			p.add(at, "condition value %q is not a choice of %s", v, c.Field)
		}
	}
}

func checkPath(p *problems, where string, path Path) {
	if !isIdent(path.Name, '-') || path.Title == "" || path.Source == "" {
		p.add(where, "needs a kebab-case name, a title and a source")
	}
	if path.Start.Title() == "" {
		p.add(where, "unknown start office %q", path.Start)
	}
	if _, ok := path.Verification(); !ok {
		p.add(where, "no officer step to verify the file")
	}
	if len(path.Steps) > 0 && path.Steps[0].Office != path.Start {
		p.add(where, "first step is at %s but the path starts at %s", path.Steps[0].Office, path.Start)
	}
	names, last := map[string]bool{}, 0
	for i, st := range path.Steps {
		at := where + " step " + st.Name
		if names[st.Name] {
			p.add(at, "duplicate step name")
		}
		names[st.Name] = true
		if st.No > 0 && st.No <= last || st.No == 0 && st.Source == "" {
			p.add(at, "SOP box %d out of order, or a step from another section without its source", st.No)
		}
		last = max(last, st.No)
		checkStep(p, at, st)
		checkMove(p, at, path.Steps, i)
	}
}

// checkMove checks that a step's office follows from the step before it:
// the same office, or the one the step before handed the file over to.
func checkMove(p *problems, at string, steps []Step, i int) {
	st := steps[i]
	if i+1 == len(steps) && st.HandOver != "" {
		p.add(at, "hands over to %s but no step follows", st.HandOver)
	}
	if i == 0 {
		return
	}
	prev := steps[i-1]
	if prev.HandOver != "" && st.Office != prev.HandOver {
		p.add(at, "is at %s but the step before handed the file to %s", st.Office, prev.HandOver)
	}
	if prev.HandOver == "" && st.Office != prev.Office {
		p.add(at, "moves from %s to %s without a hand-over", prev.Office, st.Office)
	}
}

func checkStep(p *problems, at string, st Step) {
	if !isIdent(st.Name, '-') || st.Title == "" {
		p.add(at, "needs a kebab-case name and a title")
	}
	if st.Role.Title() == "" || st.Office.Title() == "" {
		p.add(at, "unknown role %q or office %q", st.Role, st.Office)
	} else if !slices.Contains(st.Role.Offices(), st.Office) {
		p.add(at, "%s does not work at %s", st.Role, st.Office)
	}
	if st.Standard <= 0 {
		p.add(at, "time standard must be positive")
	}
	checkRecorder(p, at, st)
	if st.HandOver != "" && (st.HandOver.Title() == "" || st.HandOver == st.Office) {
		p.add(at, "hand-over to %q must name another office", st.HandOver)
	}
	checkKinds(p, at, "decision", st.Waits, Decisions())
	checkKinds(p, at, "input", st.Inputs, Inputs())
	checkKinds(p, at, "output", st.Produces, Outputs())
	checkInputs(p, at, st)
	if need, ok := Effects()[st.Effect]; st.Effect != "" && (!ok || !slices.Contains(st.Waits, need)) {
		p.add(at, "registry effect %q needs the step to wait for its decision", st.Effect)
	}
}

// checkRecorder: the applicant's steps are recorded by an officer there.
func checkRecorder(p *problems, at string, st Step) {
	if st.Role != Pemohon {
		if st.RecordedBy != "" {
			p.add(at, "only the applicant's steps have a recorder")
		}
		return
	}
	if st.RecordedBy == Pemohon || !slices.Contains(st.RecordedBy.Offices(), st.Office) {
		p.add(at, "applicant's step needs an officer at %s to record it, got %q", st.Office, st.RecordedBy)
	}
}

// checkInputs: cards are printed at the dinas after an IssueCard decision;
// biometrics are captured by an operator.
func checkInputs(p *problems, at string, st Step) {
	if slices.Contains(st.Inputs, InputPrintedCard) && (st.Office != Dinas || !slices.Contains(st.Waits, DecisionKartu)) {
		p.add(at, "a printed card needs the dinas and a card-issue decision")
	}
	operators := []Role{OperatorKecamatan, OperatorMobile, OperatorDinas}
	if slices.Contains(st.Inputs, InputISOTemplate) && !slices.Contains(operators, st.Role) {
		p.add(at, "biometric capture needs an operator, got %s", st.Role)
	}
}

// checkKinds checks that every item is known and none repeats.
func checkKinds[T comparable](p *problems, at, what string, items, known []T) {
	for i, it := range items {
		if !slices.Contains(known, it) || slices.Contains(items[:i], it) {
			p.add(at, "%s %v unknown or repeated", what, it)
		}
	}
}

// isIdent reports whether s is lower-case ASCII letters and digits in
// words joined by sep.
func isIdent(s string, sep byte) bool {
	if s == "" || s[0] == sep || s[len(s)-1] == sep {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == sep && s[i-1] != sep
		if !ok {
			return false
		}
	}
	return true
}
