package request

import (
	"fmt"
	"slices"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// flow is what the engine needs of a catalog path: the counter's
// verification step and the processing steps, in order.
type flow struct {
	service catalog.Service
	path    catalog.Path
	verify  catalog.Step
	steps   []StepDef
}

// flowOf looks a request's service and path up in the catalog. Requests
// filed before paths were recorded take the service's first path.
func flowOf(service, path string) (flow, error) {
	svc, ok := catalog.Lookup(service)
	if !ok {
		return flow{}, fmt.Errorf("%w: layanan %q tidak dikenal", ErrInvalid, service)
	}
	if path == "" && len(svc.Paths) > 0 {
		path = svc.Paths[0].Name
	}
	p, ok := svc.Path(path)
	if !ok {
		return flow{}, fmt.Errorf("%w: jalur %q tidak dikenal untuk layanan %s", ErrInvalid, path, svc.Title)
	}
	f := flow{service: svc, path: p}
	f.verify, _ = p.Verification()
	printed := false // a path that prints a card tells the resident when it waits
	for _, st := range p.Processing() {
		d := stepDef(st)
		printed = printed || slices.Contains(st.Produces, catalog.OutKTPEl)
		d.Notifies = printed && slices.Contains(st.Produces, catalog.OutPemberitahuan)
		f.steps = append(f.steps, d)
	}
	return f, nil
}

// serviceTitle is the service's name for residents, as notices show it;
// the catalog code if the catalog does not know it.
func serviceTitle(service string) string {
	if svc, ok := catalog.Lookup(service); ok {
		return svc.Title
	}
	return service
}

func stepDef(st catalog.Step) StepDef {
	d := StepDef{Name: st.Name, Title: st.Title, Role: string(st.Role), OfficeKind: string(st.Office), RecordedBy: string(st.RecordedBy), Standard: st.Standard, HandOver: string(st.HandOver), Effect: string(st.Effect)}
	for _, w := range st.Waits {
		d.Waits = append(d.Waits, string(w))
	}
	for _, in := range st.Inputs {
		d.Inputs = append(d.Inputs, string(in))
	}
	return d
}

// pathFor picks the path of a service that starts at this office's kind
// when the caller named none: the only one, or an error listing them.
func pathFor(svc catalog.Service, kind roster.Role, named string) (catalog.Path, error) {
	if named != "" {
		p, ok := svc.Path(named)
		if !ok {
			return p, fmt.Errorf("%w: jalur %q tidak dikenal untuk layanan %s", ErrInvalid, named, svc.Title)
		}
		if p.Start != kind {
			return p, fmt.Errorf("%w: jalur %s dimulai di %s, bukan di %s", ErrPrecondition, p.Title, p.Start.Title(), kind.Title())
		}
		return p, nil
	}
	paths := svc.PathsFrom(kind)
	var online []catalog.Path
	for _, p := range paths {
		if !p.Offline {
			online = append(online, p)
		}
	}
	switch {
	case len(online) == 1:
		return online[0], nil
	case len(paths) == 0:
		return catalog.Path{}, fmt.Errorf("%w: layanan %s tidak dapat diajukan di %s", ErrPrecondition, svc.Title, kind.Title())
	}
	var names []string
	for _, p := range paths {
		names = append(names, p.Name)
	}
	return catalog.Path{}, fmt.Errorf("%w: jalur: pilih salah satu dari %v", ErrInvalid, names)
}
