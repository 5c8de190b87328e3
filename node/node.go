package node

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/audit"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/notices"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/node/zone"
	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/roster"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Options carry what tests and the simulator control.
type Options struct {
	Logger *slog.Logger
	Now    func() time.Time
	Rand   io.Reader
	// Sender delivers WhatsApp notices; default logs them.
	Sender outbox.Sender
	// Host, if set, makes the node's libp2p host from its identity instead
	// of listening on the config's addresses: the simulator's in-memory
	// network (libp2p's mocknet), whose links it cuts and heals itself.
	Host func(crypto.PrivKey) (host.Host, error)
}

// Node is one running office node.
type Node struct {
	cfg    Config
	log    *slog.Logger
	now    func() time.Time
	roster *roster.Roster
	selfMu sync.Mutex // guards self, which a roster decision may set
	self   roster.Member
	net    *network

	store     *store.Store
	blobs     *blob.Store
	outbox    *outbox.Outbox
	wa        *whatsApp
	Requests  *request.Service
	Residents *registry.Service // resident registry (Registry() is the metrics registry)
	Accounts  *account.Service
	Audit     audit.Log
	Decisions *decision.Service
	dinas     *dinas
	dwh       *warehouse // the DWH feed, on dinas servers with [dwh]
	rand      io.Reader
	encKey    []byte // at-rest key of the store and the decision state
	registry  *prometheus.Registry

	commits       *queue
	effectsFailed atomic.Int64 // steps whose registry effect failed, as last counted
	cancel        context.CancelFunc
	wg            sync.WaitGroup
}

// New starts a node from its config.
func New(cfg Config, opt Options) (*Node, error) {
	cfg = cfg.withDefaults()
	opt = opt.withDefaults()
	if err := cfg.WhatsApp.check(); err != nil { // e.g. a template Meta would refuse
		return nil, err
	}
	n := &Node{cfg: cfg, log: opt.Logger, now: opt.Now, rand: opt.Rand, commits: newQueue()}
	priv, err := LoadOrCreateIdentity(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if err := n.loadRoster(priv); err != nil {
		return nil, err
	}
	if err := n.openStore(priv, opt); err != nil {
		return nil, err
	}
	if err := n.findSelf(priv); err != nil {
		n.store.Close()
		return nil, err
	}
	n.log = n.log.With("office", n.self.Office)
	n.Accounts = account.New(n.store, n.self.Office, opt.Now, opt.Rand, n.encKey)
	if err := n.createPendingAdmin(); err != nil {
		n.store.Close()
		return nil, err
	}
	// A bundle import cut short by a crash leaves its staging file behind.
	stale, _ := filepath.Glob(filepath.Join(cfg.DataDir, "sinkron-bundle-*"))
	for _, f := range stale {
		_ = os.Remove(f)
	}
	n.outbox = outbox.New(n.store.DB(), n.noticeSender(opt.Sender), n.log,
		append(cfg.WhatsApp.OutboxOptions(), outbox.WithRand(opt.Rand), outbox.WithObserver(n.publishDelivery))...)
	if n.wa, err = newWhatsApp(cfg.WhatsApp, n.outbox, n.log); err != nil {
		n.store.Close()
		return nil, err
	}
	if n.net, err = startNetwork(n, priv, opt.Host); err != nil {
		n.store.Close()
		return nil, err
	}
	n.registry = prometheus.NewRegistry()
	n.registry.MustRegister(collector{n})
	ctx, cancel := context.WithCancel(context.Background())
	n.cancel = cancel
	if err := n.startDinas(ctx); err != nil {
		cancel()
		n.net.close()
		n.store.Close()
		return nil, err
	}
	office := request.Office{Name: n.self.Office, Kind: n.self.Role, Region: n.self.Region, Zone: zone.Of(n.self.Region)}
	n.Requests = request.New(n.store, n.outbox, office, n.Decisions, opt.Now, opt.Rand)
	n.Requests.OnDecided = n.decided
	n.registerInputs()
	n.Requests.Texts = cfg.WhatsApp.Templates
	n.Residents = registry.New(n.store, n.self.Office, opt.Now)
	n.Audit = audit.Log{Store: n.store, Office: n.self.Office, Now: opt.Now}
	n.startConversations(ctx, opt.Sender)
	if err := n.startWarehouse(ctx); err != nil {
		n.Close()
		return nil, err
	}
	n.wg.Go(func() { n.outbox.Run(ctx) })
	n.wg.Go(func() { n.dispatch(ctx) })
	n.wg.Go(func() { n.retryEffects(ctx) })
	n.log.Info("node started", "peer", n.ID().String(), "role", n.self.Role, "listen", n.net.host.Addrs())
	return n, nil
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Sender == nil {
		o.Sender = outbox.LogSender{Log: o.Logger}
	}
	return o
}

func (n *Node) loadRoster(priv crypto.PrivKey) error {
	var pinned peer.ID
	if n.cfg.ClusterKey != "" {
		var err error
		if pinned, err = peer.Decode(n.cfg.ClusterKey); err != nil {
			return fmt.Errorf("config cluster_key: %w", err)
		}
	}
	r, err := roster.Load(n.cfg.Genesis, pinned)
	if err != nil {
		return err
	}
	n.roster = r
	return nil
}

func (n *Node) openStore(priv crypto.PrivKey, opt Options) error {
	signer, err := event.NewSigner(priv)
	if err != nil {
		return err
	}
	var key []byte
	if n.cfg.EncryptionKeyFile != "" {
		if key, err = ReadKeyFile(n.cfg.EncryptionKeyFile); err != nil {
			return err
		}
	}
	n.encKey = key
	n.store, err = store.Open(store.Options{
		Dir: filepath.Join(n.cfg.DataDir, "store"), EncryptionKey: key,
		Signer: signer, Clock: hlc.NewClock(opt.Now, n.cfg.MaxClockOffset.Duration),
		Admit: n.roster.Admits,
		Folders: map[string]store.Folder{
			request.Kind: request.Folder{}, decision.Kind: decision.BlockFolder{}, decision.RequestKind: decision.Folder{},
			registry.KindResident: registry.ResidentFolder{},
			registry.KindFamily:   registry.FamilyFolder{},
			account.Kind:          account.Folder{},
			notices.Kind:          notices.Folder{}, notices.KindOptOut: notices.OptOutFolder{},
		},
		Observer: storeObserver{n},
		Logger:   n.log,
		// Big enough that a request and its two photos (up to 2 MiB each)
		// commit in one transaction.
		MemTableSize: 64 << 20,
	})
	if err != nil {
		return err
	}
	n.blobs = blob.New(n.store.DB())
	return nil
}

// wantsDocuments reports whether this node fetches the documents an event
// refers to. The dinas processes every file, so it fetches all; another
// office fetches what the dinas made (a printed KK to hand over) and holds
// what it took itself, but never another kecamatan's photos of a resident:
// they are personal data (seed 002), and a 3G link has better uses.
func (n *Node) wantsDocuments(e *event.Event) bool {
	if e.Origin == n.store.Self() || n.Member().Role == roster.Dinas {
		return true
	}
	m, ok := n.roster.Member(e.Origin)
	return ok && m.Role == roster.Dinas
}

// dispatch reacts to committed batches off the store's write path: local
// changes are pushed to peers, watchers see changed requests, and documents
// the new events refer to are fetched.
func (n *Node) dispatch(ctx context.Context) {
	for {
		res, ok := n.commits.pop(ctx)
		if !ok {
			return
		}
		if res.Local {
			n.net.sync.Nudge()
		} else {
			n.relay(res.Applied)
		}
		var ids []string
		wantBlobs := false
		for _, e := range res.Applied {
			wantBlobs = wantBlobs || (!res.Local && len(e.Blobs) > 0)
		}
		for _, ref := range res.Entities {
			if ref.Kind == request.Kind {
				ids = append(ids, ref.ID)
			}
		}
		n.Requests.Changed(ids)
		n.noticesArrived(res.Applied)
		pubs, _ := decision.Publications(res.Applied) // a bad block was refused by File
		n.settle(pubs)
		if wantBlobs {
			n.net.fetchAll()
		}
		if n.dinas != nil {
			n.dinas.watcher.Committed(res.Applied)
		}
		if n.dwh != nil {
			n.dwh.feeder.Wake()
		}
		n.rosterChanged(pubs)
	}
}

// settle lets requests whose steps wait for dinas decisions take the ones
// that just arrived.
//
// A decision's key is the ID of the request event that asked for it, so
// only decisions this node asked for can concern its waiting steps; the
// rest (at the dinas, every decision of the regency) are skipped without
// reading any request. The dinas's own findings are the exception: a
// duplicate-check verdict (an officer's or the 1:N search's) and the
// warehouse's confirmation (the feed's) are filed under the request's
// finding key, and the office whose step waits there records them.
func (n *Node) settle(pubs []decision.Published) {
	var keys []string
	for _, p := range pubs {
		if id, err := event.ParseID(p.Key); err == nil && id.Origin == n.ID() {
			keys = append(keys, p.Key)
		}
		if strings.HasPrefix(p.Key, decision.WarehouseKey("")) {
			// The warehouse's confirmation, proposed by the leader's feed:
			// the office whose step waits for it records it.
			keys = append(keys, p.Key)
		}
		if p.Verdict() {
			if d, err := p.Decode(); err == nil {
				keys = append(keys, decision.VerdictKey(d.GetCommand().GetRecordDedupVerdict().GetEnrollment()))
			}
		}
	}
	if len(keys) == 0 {
		return
	}
	waiting, err := n.Requests.Waiting()
	var ids []string
	for _, k := range keys {
		if id, ok := waiting[k]; ok {
			ids = append(ids, id)
		}
	}
	if err = errors.Join(err, n.Requests.Settle(ids...)); err != nil {
		n.log.Warn("record dinas decisions on requests", "err", err)
	}
}

// Close stops the node; everything acknowledged is already on disk.
func (n *Node) Close() error {
	if n.dinas != nil {
		n.dinas.cluster.Close()
	}
	n.net.close()
	n.cancel()
	n.commits.close()
	n.wg.Wait()
	n.dwh.close()
	if n.dinas != nil {
		n.dinas.db.Close() // after the publisher, which reads it, stopped
	}
	return n.store.Close()
}

// ID is the node's peer ID (its origin in the log).
func (n *Node) ID() peer.ID { return n.net.host.ID() }

// Member is this node's roster entry.
func (n *Node) Member() roster.Member {
	n.selfMu.Lock()
	defer n.selfMu.Unlock()
	return n.self
}

// setSelf records this node's roster entry; a roster decision can change it
// while the API reads it.
func (n *Node) setSelf(m roster.Member) {
	n.selfMu.Lock()
	n.self = m
	n.selfMu.Unlock()
}

// Roster is the regency's roster.
func (n *Node) Roster() *roster.Roster { return n.roster }

// Store is the node's replica (for tools, tests and benchmarks).
func (n *Node) Store() *store.Store { return n.store }

// Blobs is the node's document table.
func (n *Node) Blobs() *blob.Store { return n.blobs }

// Registry holds the node's Prometheus metrics.
func (n *Node) Registry() *prometheus.Registry { return n.registry }

// Logger is the node's logger.
func (n *Node) Logger() *slog.Logger { return n.log }
