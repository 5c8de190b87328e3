package catalog

import (
	"slices"
	"time"

	"github.com/sinkron-id/sinkron/replication/roster"
)

// table is the catalog in a stable order. It is built once and never
// changed; Lookup and All hand out deep copies.
var table = []Service{
	sinkronisasiData(),
	perekamanKTPEl(),
	ktpElBaru(),
	penggantiSalahData(),
	penggantiSalahFoto(),
	penggantiRusak(),
	penggantiHilang(),
	penggantiPerubahanElemen(),
	pindahDalamKabupaten(),
	pindahAntarKabupaten(),
}

// All returns every service, in catalog order.
func All() []Service {
	out := make([]Service, len(table))
	for i, s := range table {
		out[i] = s.clone()
	}
	return out
}

// Names returns the machine names of all services, in catalog order.
func Names() []string {
	out := make([]string, len(table))
	for i, s := range table {
		out[i] = s.Name
	}
	return out
}

// Lookup returns the service with the given machine name.
func Lookup(name string) (Service, bool) {
	for _, s := range table {
		if s.Name == name {
			return s.clone(), true
		}
	}
	return Service{}, false
}

// Path returns the service's path with the given machine name.
func (s Service) Path(name string) (Path, bool) {
	for _, p := range s.Paths {
		if p.Name == name {
			return p, true
		}
	}
	return Path{}, false
}

// StartsAt reports whether the service may be started at an office of kind k.
func (s Service) StartsAt(k roster.Role) bool {
	return len(s.PathsFrom(k)) > 0
}

// PathsFrom returns the paths that start at an office of kind k.
func (s Service) PathsFrom(k roster.Role) []Path {
	var out []Path
	for _, p := range s.Paths {
		if p.Start == k {
			out = append(out, p)
		}
	}
	return out
}

// DocumentsFor returns the documents that apply to a request on the given
// path with the given form values (as Form.Normalize returns them): those
// for every path or this one, whose condition holds.
func (s Service) DocumentsFor(path string, values map[string]string) []Document {
	var out []Document
	for _, d := range s.Documents {
		if (len(d.Paths) == 0 || slices.Contains(d.Paths, path)) && d.When.Holds(values) {
			out = append(out, d)
		}
	}
	return out
}

// Step returns the path's step with the given machine name and its index.
func (p Path) Step(name string) (Step, int, bool) {
	for i, st := range p.Steps {
		if st.Name == name {
			return st, i, true
		}
	}
	return Step{}, -1, false
}

// verification is the index of the first step an officer performs; the
// applicant's steps come before it.
func (p Path) verification() int {
	for i, st := range p.Steps {
		if st.Role != Pemohon {
			return i
		}
	}
	return -1
}

// Submission returns the applicant's steps before the request exists: they
// are recorded when the request is created (status Baru).
func (p Path) Submission() []Step {
	v := p.verification()
	if v < 0 {
		return slices.Clone(p.Steps)
	}
	return slices.Clone(p.Steps[:v])
}

// Verification returns the counter's check of the file: completing it
// approves the request (Disetujui); the officer may cancel instead
// (Dibatalkan, with a note).
func (p Path) Verification() (Step, bool) {
	v := p.verification()
	if v < 0 {
		return Step{}, false
	}
	return p.Steps[v], true
}

// Processing returns the steps inside status Diproses, in order; the
// request is Selesai when the last one is done.
func (p Path) Processing() []Step {
	v := p.verification()
	if v < 0 {
		return nil
	}
	return slices.Clone(p.Steps[v+1:])
}

// Standard is the sum of the time standards of the path's steps.
func (p Path) Standard() time.Duration {
	var d time.Duration
	for _, st := range p.Steps {
		d += st.Standard
	}
	return d
}

func (s Service) clone() Service {
	s.Form = s.Form.clone()
	s.Documents = slices.Clone(s.Documents)
	for i := range s.Documents {
		s.Documents[i].When.Values = slices.Clone(s.Documents[i].When.Values)
		s.Documents[i].Paths = slices.Clone(s.Documents[i].Paths)
	}
	s.Paths = slices.Clone(s.Paths)
	for i := range s.Paths {
		s.Paths[i] = s.Paths[i].clone()
	}
	return s
}

func (f Form) clone() Form {
	f.Fields = slices.Clone(f.Fields)
	for i := range f.Fields {
		f.Fields[i].Choices = slices.Clone(f.Fields[i].Choices)
	}
	return f
}

func (p Path) clone() Path {
	p.Steps = slices.Clone(p.Steps)
	for i := range p.Steps {
		p.Steps[i].Waits = slices.Clone(p.Steps[i].Waits)
		p.Steps[i].Inputs = slices.Clone(p.Steps[i].Inputs)
		p.Steps[i].Produces = slices.Clone(p.Steps[i].Produces)
	}
	return p
}
