package lab

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/testnet/netlab"
)

// Lab is a lab that is up, as seen from any process on the host.
type Lab struct {
	State *State
	Net   *netlab.Client

	mu      sync.Mutex
	hcs     map[string]*http.Client // by namespace
	clients map[string]*Client      // by office and user
}

func newLab(st *State) *Lab {
	return &Lab{State: st, Net: netlab.NewClient(st.Dir), hcs: map[string]*http.Client{}, clients: map[string]*Client{}}
}

// Open reconnects to the lab in dir, which `sinkron-lab testnet up` (or Up)
// brought up.
func Open(ctx context.Context, dir string) (*Lab, error) {
	st, err := loadState(dir)
	if err != nil {
		return nil, err
	}
	l := newLab(st)
	if err := l.Net.Ping(ctx); err != nil {
		return nil, fmt.Errorf("lab: controller of %s: %w", dir, err)
	}
	return l, nil
}

// Close drops the lab's idle connections; the lab keeps running.
func (l *Lab) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, hc := range l.hcs {
		hc.CloseIdleConnections()
	}
}

// httpIn is the shared HTTP client for namespace ns.
func (l *Lab) httpIn(ns string) *http.Client {
	l.mu.Lock()
	defer l.mu.Unlock()
	hc, ok := l.hcs[ns]
	if !ok {
		hc = inNamespace(ns)
		l.hcs[ns] = hc
	}
	return hc
}

// Officer is user signed in at office, calling from the office's LAN.
func (l *Lab) Officer(office, user string) (*Client, error) {
	o, err := l.State.office(office)
	if err != nil {
		return nil, err
	}
	key := office + "/" + user
	l.mu.Lock()
	c, ok := l.clients[key]
	l.mu.Unlock()
	if ok {
		return c, nil
	}
	c = newClient(l.httpIn(o.Namespace), o, user, l.State.Password)
	l.mu.Lock()
	l.clients[key] = c
	l.mu.Unlock()
	return c, nil
}

// Admin is the ADB SIAK at office.
func (l *Lab) Admin(office string) (*Client, error) { return l.Officer(office, adminUser) }

// Public is the residents' API of a dinas server, reached from the hub
// (the internet), across the dinas's uplink.
func (l *Lab) Public(office string) (sinkronv1connect.PublicServiceClient, error) {
	o, err := l.State.office(office)
	if err != nil {
		return nil, err
	}
	if o.Public == "" {
		return nil, fmt.Errorf("lab: %s serves no public API", office)
	}
	return sinkronv1connect.NewPublicServiceClient(l.httpIn(l.State.Hub), o.Public), nil
}

// Cut cuts an office's uplink (netlab.DirUp: what it sends).
func (l *Lab) Cut(ctx context.Context, office string, d netlab.Direction) error {
	return l.Net.Cut(ctx, office, d)
}

// Heal undoes Cut.
func (l *Lab) Heal(ctx context.Context, office string, d netlab.Direction) error {
	return l.Net.Heal(ctx, office, d)
}

// Degrade sets an office's uplink to a named profile.
func (l *Lab) Degrade(ctx context.Context, office, profile string) error {
	return l.Net.SetProfile(ctx, office, profile)
}

// Pause stops an office's node with SIGSTOP (a hung machine), Resume
// continues it, Kill SIGKILLs it (a power cut).
func (l *Lab) Pause(ctx context.Context, office string) error {
	return l.Net.Signal(ctx, office, netlab.Pause)
}
func (l *Lab) Resume(ctx context.Context, office string) error {
	return l.Net.Signal(ctx, office, netlab.Resume)
}
func (l *Lab) Kill(ctx context.Context, office string) error {
	return l.Net.Signal(ctx, office, netlab.Kill)
}

// StartNode starts (or restarts, after Kill) an office's node in its
// namespace and waits until its API answers.
func (l *Lab) StartNode(ctx context.Context, office string) error {
	o, err := l.State.office(office)
	if err != nil {
		return err
	}
	spec := netlab.ProcSpec{Name: o.Name, Office: o.Name, Args: []string{l.State.Bin, "node", "--config", o.Config}}
	if _, err := l.Net.Start(ctx, spec); err != nil {
		return err
	}
	return l.waitAPI(ctx, o, 60*time.Second)
}

// waitAPI waits until the office's API answers, before anyone signed in
// with a refusal.
func (l *Lab) waitAPI(ctx context.Context, o Office, patience time.Duration) error {
	nc := sinkronv1connect.NewNodeServiceClient(l.httpIn(o.Namespace), o.API)
	deadline := time.Now().Add(patience)
	for {
		_, err := nc.GetStatus(ctx, connect.NewRequest(&v1.GetStatusRequest{}))
		if err == nil || connect.CodeOf(err) == connect.CodeUnauthenticated {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lab: node %s not answering at %s (log: %s/logs/%s.log): %w", o.Name, o.API, l.State.Dir, o.Name, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
