package antientropy

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	ma "github.com/multiformats/go-multiaddr"

	"github.com/sinkron-id/sinkron/replication/store"
)

// Protocol is the libp2p protocol ID of the exchange.
const Protocol protocol.ID = "/sinkron/sync/1"

// Options configure a Service.
type Options struct {
	Host  host.Host
	Store *store.Store
	// Topology says who may be synced and how offices pass events on;
	// nil: every peer, none relays (a mesh).
	Topology Topology
	Logger   *slog.Logger
	Now      func() time.Time
	// Interval between periodic rounds (sync with every connected peer and
	// redial offices that are down). Default 30s.
	Interval time.Duration
	// IdleTimeout is how long a frame may take. Default 60s.
	IdleTimeout time.Duration
	// Batch limits; defaults 256 KiB and 1024 events.
	BatchBytes, BatchEvents int
	// Observer, if set, is told after each exchange (blob fetching hooks
	// here).
	Observer Observer
	// BulkEvents (default 500): an exchange that must send a peer more
	// than this takes the node's one bulk turn. While another holds it the
	// exchange sends nothing and the peer is synced again when the turn
	// frees, so a backlog crosses a thin uplink once, to whoever gets it
	// first and passes it on over their own link, not once per peer at the
	// same time (a kecamatan back from a week offline has seven peers).
	BulkEvents int
	// ForwardWindow is how long events are left to a hub (Topology.Forwards) for
	// another office: after they were delivered to the hub, and while that
	// office gets nothing from anywhere (it may not reach the hub). Past
	// it, the office that still lacks them gets them from this node.
	// Default DefaultForwardWindow.
	ForwardWindow time.Duration
}

// PeerStats accumulates what happened with one peer.
type PeerStats struct {
	Peer                       peer.ID
	LastSync                   time.Time
	LastError                  string
	PeerLacks, WeLack          uint64
	ClockSkew                  time.Duration
	EventsSent, EventsReceived uint64
	// Repeats: events received that were already held (Stats.Repeats).
	Repeats                  uint64
	BytesSent, BytesReceived uint64
	Syncs                    uint64
}

// Service runs the protocol: it answers exchanges and starts them on
// connect, on Nudge and periodically.
type Service struct {
	opt  Options
	tags tags

	mu      sync.Mutex
	stats   map[peer.ID]*PeerStats
	running map[peer.ID]bool
	again   map[peer.ID]bool
	active  map[network.Stream]bool
	closed  bool
	// bulk is the one turn to send a large backlog; deferred are the peers
	// that waited for it.
	bulk     chan struct{}
	deferred map[peer.ID]bool
	// hubWait: the peers whose events are left to a hub.
	hubWait map[peer.ID]hubWait
	// home is the upstream this node takes events from (Home).
	home peer.ID
	// sending counts exchanges sending this node's events (over its own
	// uplink); receiving, under mu, those bringing a peer's events here
	// (over the peer's uplink), by peer.
	sending   atomic.Int32
	receiving map[peer.ID]int

	claims claims

	nudge  chan struct{}
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New registers the protocol on the host. Call Start to begin syncing.
func New(opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Interval == 0 {
		opt.Interval = 30 * time.Second
	}
	if opt.IdleTimeout == 0 {
		opt.IdleTimeout = 60 * time.Second
	}
	if opt.BatchBytes == 0 {
		opt.BatchBytes = 256 << 10
	}
	if opt.BatchEvents == 0 {
		opt.BatchEvents = 1024
	}
	if opt.ForwardWindow == 0 {
		opt.ForwardWindow = DefaultForwardWindow
	}
	if opt.BulkEvents == 0 {
		opt.BulkEvents = 500
	}
	if opt.Topology == nil {
		opt.Topology = mesh{opt.Store}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Service{
		opt: opt, tags: tags{known: opt.Topology.Known},
		stats: map[peer.ID]*PeerStats{}, running: map[peer.ID]bool{}, again: map[peer.ID]bool{}, active: map[network.Stream]bool{},
		nudge: make(chan struct{}, 1), ctx: ctx, cancel: cancel,
		bulk: make(chan struct{}, 1), deferred: map[peer.ID]bool{}, hubWait: map[peer.ID]hubWait{}, receiving: map[peer.ID]int{},
		claims: claims{topo: opt.Topology, forwardWindow: opt.ForwardWindow, now: opt.Now},
	}
	s.claims.retry = s.trigger
	opt.Host.SetStreamHandler(Protocol, s.handle)
	return s
}

// Start begins the background loop and syncs on every new connection.
func (s *Service) Start() {
	s.opt.Host.Network().Notify(&network.NotifyBundle{
		ConnectedF: func(n network.Network, c network.Conn) {
			s.trigger(c.RemotePeer())
			if len(n.Peers()) == 1 {
				// The first link back after none: the others are likely
				// back too, so dial them now, not at the next round (a
				// kecamatan leaves its backlog to a dinas server it waits
				// for; awaitHub).
				s.redial()
			}
		},
	})
	s.wg.Go(s.loop)
}

// Close stops the loop and waits for exchanges in flight.
func (s *Service) Close() {
	s.opt.Host.RemoveStreamHandler(Protocol)
	s.mu.Lock()
	s.closed = true
	for str := range s.active {
		str.Reset()
	}
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// begin registers an exchange's stream so Close can cut it and wait.
func (s *Service) begin(str network.Stream) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		str.Reset()
		return false
	}
	s.wg.Add(1)
	s.active[str] = true
	return true
}

func (s *Service) end(str network.Stream) {
	s.mu.Lock()
	delete(s.active, str)
	s.mu.Unlock()
	s.wg.Done()
}

// takeBulk takes the bulk turn if it is free; otherwise p will be synced
// again when it frees.
func (s *Service) takeBulk(p peer.ID) bool {
	select {
	case s.bulk <- struct{}{}:
		return true
	default:
	}
	s.mu.Lock()
	s.deferred[p] = true
	s.mu.Unlock()
	return false
}

// releaseBulk frees the turn and syncs again with the peers that waited:
// they say afresh what they lack, often nothing by then.
func (s *Service) releaseBulk() {
	<-s.bulk
	s.mu.Lock()
	waiting := s.deferred
	s.deferred = map[peer.ID]bool{}
	s.mu.Unlock()
	for p := range waiting {
		if s.opt.Host != nil {
			s.trigger(p)
		}
	}
}

// Idle reports whether no exchange is under way or queued: what other
// exchanges left out for one in flight has then arrived or been freed.
func (s *Service) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.running {
		if r {
			return false
		}
	}
	return len(s.active) == 0
}

// Sending reports whether an exchange is sending this node's events to any
// peer now: a node serving documents pauses them, since both cross its own
// uplink.
func (s *Service) Sending() bool { return s.sending.Load() > 0 }

// Receiving reports whether an exchange is bringing p's events here now: a
// node fetching documents from p asks for no more meanwhile, since both
// cross p's uplink.
func (s *Service) Receiving(p peer.ID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.receiving[p] > 0
}

// moving records an exchange with p that moves events out (send) or in
// (receive), until the returned func is called.
func (s *Service) moving(p peer.ID, send, receive bool) (done func()) {
	if send {
		s.sending.Add(1)
	}
	if receive {
		s.mu.Lock()
		s.receiving[p]++
		s.mu.Unlock()
	}
	return func() {
		if send {
			s.sending.Add(-1)
		}
		if receive {
			s.mu.Lock()
			if s.receiving[p]--; s.receiving[p] == 0 {
				delete(s.receiving, p)
			}
			s.mu.Unlock()
		}
	}
}

// Nudge asks for a round with every connected peer soon; calls coalesce.
func (s *Service) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

func (s *Service) loop() {
	tick := time.NewTicker(s.opt.Interval)
	defer tick.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-s.nudge:
			// Coalesce a burst of local writes into one round.
			time.Sleep(10 * time.Millisecond)
			s.push()
		case <-tick.C:
			s.redial()
			s.syncConnected()
		}
	}
}

func (s *Service) syncConnected() {
	s.SyncWith(s.opt.Host.Network().Peers()...)
}

func (s *Service) push() {
	s.SyncWith(s.opt.Topology.PushTo(s.opt.Host.Network().Peers())...)
}

// SyncWith starts an exchange with each peer (or runs one more after the
// one under way), without waiting.
func (s *Service) SyncWith(ps ...peer.ID) {
	for _, p := range ps {
		s.trigger(p)
	}
}

// redial connects to offices whose addresses we know but are not connected.
func (s *Service) redial() {
	h := s.opt.Host
	for _, p := range h.Peerstore().PeersWithAddrs() {
		if p == h.ID() || !s.opt.Topology.Allows(p) || h.Network().Connectedness(p) == network.Connected {
			continue
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			return
		}
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			ctx, cancel := context.WithTimeout(s.ctx, 10*time.Second)
			defer cancel()
			if err := h.Connect(ctx, peer.AddrInfo{ID: p}); err != nil {
				s.opt.Logger.Debug("redial failed", "peer", p.String(), "err", err)
			}
		}()
	}
}

// AddPeer records where an office listens so the loop keeps it connected.
func (s *Service) AddPeer(p peer.ID, addrs []ma.Multiaddr) {
	s.opt.Host.Peerstore().AddAddrs(p, addrs, time.Duration(1<<62))
}

// trigger runs an exchange with p, or one more after the current one.
func (s *Service) trigger(p peer.ID) {
	if !s.opt.Topology.Allows(p) || !s.asks(p) || s.ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if s.running[p] {
		s.again[p] = true
		return
	}
	s.running[p] = true
	s.wg.Go(func() { s.run(p) })
}

func (s *Service) run(p peer.ID) {
	for {
		// Spread simultaneous dials from both sides of a new connection.
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
		_, _ = s.SyncPeer(s.ctx, p)
		s.mu.Lock()
		if !s.again[p] || s.ctx.Err() != nil {
			s.running[p] = false
			s.mu.Unlock()
			return
		}
		s.again[p] = false
		s.mu.Unlock()
	}
}

// SyncPeer runs one exchange with p now, as the dialer.
func (s *Service) SyncPeer(ctx context.Context, p peer.ID) (Stats, error) {
	st, err := s.exchange(ctx, p)
	s.record(p, st, err)
	return st, err
}

func (s *Service) exchange(ctx context.Context, p peer.ID) (Stats, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.IdleTimeout)
	defer cancel()
	str, err := s.opt.Host.NewStream(network.WithNoDial(ctx, "sync"), p, Protocol)
	if err != nil {
		return Stats{}, err
	}
	if !s.begin(str) {
		return Stats{}, context.Canceled
	}
	defer s.end(str)
	x := s.newSession(str)
	return x.run(x.initiate)
}

func (s *Service) handle(str network.Stream) {
	p := str.Conn().RemotePeer()
	if !s.opt.Topology.Allows(p) || !s.begin(str) {
		str.Reset()
		return
	}
	defer s.end(str)
	x := s.newSession(str)
	st, err := x.run(x.respond)
	s.record(p, st, err)
}

func (s *Service) record(p peer.ID, st Stats, err error) {
	s.mu.Lock()
	ps := s.stats[p]
	if ps == nil {
		ps = &PeerStats{Peer: p}
		s.stats[p] = ps
	}
	ps.Syncs++
	ps.EventsSent += st.EventsSent
	ps.EventsReceived += st.EventsReceived
	ps.Repeats += st.Repeats
	ps.BytesSent += st.BytesSent
	ps.BytesReceived += st.BytesReceived
	ps.ClockSkew = st.ClockSkew
	if err != nil {
		ps.LastError = err.Error()
	} else {
		ps.LastError = ""
		ps.LastSync = s.opt.Now()
		ps.PeerLacks = st.PeerLacked - min(st.PeerLacked, st.EventsSent)
		ps.WeLack = st.WeLacked - min(st.WeLacked, st.EventsReceived)
	}
	s.mu.Unlock()
	if st.EventsReceived > 0 {
		s.Nudge() // store and forward: pass news on to the other peers
	}
	if err != nil && s.ctx.Err() == nil {
		s.opt.Logger.Debug("sync failed", "peer", p.String(), "err", err)
	}
	if s.opt.Observer != nil {
		s.opt.Observer.Synced(p, st, err)
	}
}

// Peers returns per-peer statistics, by peer ID.
func (s *Service) Peers() []PeerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PeerStats, 0, len(s.stats))
	for _, ps := range s.stats {
		out = append(out, *ps)
	}
	slices.SortFunc(out, func(a, b PeerStats) int {
		if a.Peer < b.Peer {
			return -1
		}
		return 1
	})
	return out
}
