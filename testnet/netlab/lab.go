package netlab

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"sync"
)

// Options carry what a lab takes from its surroundings.
type Options struct {
	// Clock drives the links (default: the system clock).
	Clock Clock
	// Logger gets lifecycle messages (default: none).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = SystemClock{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Lab is a running set of namespaces, links and processes.
type Lab struct {
	spec    Spec
	opt     Options
	hub     string
	offices []*office
	byName  map[string]*office
	procs   *procTable

	cancel   context.CancelFunc
	wg       sync.WaitGroup
	downOnce sync.Once
	downErr  error
}

// Up builds the lab spec describes and starts its links. It refuses to
// start over namespaces left by an earlier lab with the same prefix (see
// Cleanup); if it fails halfway it removes what it made.
func Up(ctx context.Context, spec Spec, opt Options) (*Lab, error) {
	spec = spec.withDefaults()
	if err := spec.validate(); err != nil {
		return nil, err
	}
	left, err := listNetns(ctx, spec.Prefix)
	if err != nil {
		return nil, err
	}
	if len(left) > 0 {
		return nil, fmt.Errorf("netlab: namespaces %v are left from an earlier lab with prefix %q: remove them first (Cleanup)", left, spec.Prefix)
	}
	l := &Lab{
		spec: spec, opt: opt.withDefaults(), hub: spec.Prefix + hubSuffix,
		byName: map[string]*office{}, procs: newProcTable(),
	}
	if err := l.build(ctx); err != nil {
		return nil, errors.Join(err, l.Down())
	}
	l.run()
	l.opt.Logger.Info("netlab: lab up", "prefix", spec.Prefix, "offices", len(spec.Offices))
	return l, nil
}

// build makes the hub and the offices.
func (l *Lab) build(ctx context.Context) error {
	if err := l.buildHub(ctx); err != nil {
		return err
	}
	for i, spec := range l.spec.Offices {
		addr, err := officeAddr(l.spec.Subnet, i)
		if err != nil {
			return err
		}
		o := &office{
			name: spec.Name, ns: l.spec.Prefix + spec.Name, addr: addr,
			hubIf: fmt.Sprintf("o%d", i), link: spec.Link, blocked: map[netip.Addr]bool{},
		}
		// Registered before it is built, so Down closes what was opened.
		l.offices = append(l.offices, o)
		l.byName[o.name] = o
		if err := l.buildOffice(ctx, o); err != nil {
			return fmt.Errorf("netlab: office %s: %w", o.name, err)
		}
	}
	return nil
}

// buildHub makes the hub namespace: it only routes between the offices'
// links, so it needs forwarding on and an address of its own (on lo) for
// ICMP errors and for offices to reach.
func (l *Lab) buildHub(ctx context.Context) error {
	if _, err := ip(ctx, "netns", "add", l.hub); err != nil {
		return err
	}
	err := inNetns(l.hub, func() error {
		if err := quietIPv6(); err != nil {
			return err
		}
		return writeSysctl("net.ipv4.ip_forward", "1")
	})
	if err != nil {
		return err
	}
	if _, err := ip(ctx, "-n", l.hub, "link", "set", "lo", "up"); err != nil {
		return err
	}
	_, err = ip(ctx, "-n", l.hub, "addr", "add", hubAddr(l.spec.Subnet).String()+"/32", "dev", "lo")
	return err
}

// run starts both directions of every link.
func (l *Lab) run() {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	for _, o := range l.offices {
		for _, p := range []*pipe{o.up, o.down} {
			l.wg.Add(1)
			go func() {
				defer l.wg.Done()
				if err := p.run(ctx); err != nil {
					l.opt.Logger.Error("netlab: link stopped", "office", o.name, "err", err)
				}
			}()
		}
	}
}

// Down stops the processes and links and removes every namespace with the
// lab's prefix. It is safe to call more than once.
func (l *Lab) Down() error {
	l.downOnce.Do(func() {
		ctx := context.Background()
		errs := []error{l.procs.killAll()}
		if l.cancel != nil {
			l.cancel()
		}
		for _, o := range l.offices {
			errs = append(errs, o.close())
		}
		l.wg.Wait()
		errs = append(errs, Cleanup(ctx, l.spec.Prefix))
		l.downErr = errors.Join(errs...)
		l.opt.Logger.Info("netlab: lab down", "prefix", l.spec.Prefix, "err", l.downErr)
	})
	return l.downErr
}

// Spec is the spec the lab was built from, with defaults filled in.
func (l *Lab) Spec() Spec { return l.spec }

// HubAddr is the hub's address, reachable from every office.
func (l *Lab) HubAddr() netip.Addr { return hubAddr(l.spec.Subnet) }

// HubNamespace is the hub's namespace name.
func (l *Lab) HubNamespace() string { return l.hub }

// office finds an office by name.
func (l *Lab) office(name string) (*office, error) {
	o, ok := l.byName[name]
	if !ok {
		return nil, fmt.Errorf("netlab: no office %q", name)
	}
	return o, nil
}

// Addr is an office's address.
func (l *Lab) Addr(office string) (netip.Addr, error) {
	o, err := l.office(office)
	if err != nil {
		return netip.Addr{}, err
	}
	return o.addr, nil
}

// Namespace is an office's namespace name.
func (l *Lab) Namespace(office string) (string, error) {
	o, err := l.office(office)
	if err != nil {
		return "", err
	}
	return o.ns, nil
}

// InNamespace runs fn in an office's namespace; sockets fn opens stay
// there (tests use it to talk across the lab without extra processes).
func (l *Lab) InNamespace(office string, fn func() error) error {
	o, err := l.office(office)
	if err != nil {
		return err
	}
	return inNetns(o.ns, fn)
}

// linkRNG seeds one direction of one link from the lab's seed, so links
// draw independent but reproducible streams.
func linkRNG(seed uint64, office string, dir Direction) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(office + "/" + string(dir)))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}
