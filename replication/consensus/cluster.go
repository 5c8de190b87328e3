package consensus

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/wal"
)

// logCacheSize keeps the newest entries in memory for replication: two
// full append batches, so a follower one batch behind is served from memory.
const logCacheSize = 1024

// Querier answers linearizable reads from the FSM's state. It is called
// concurrently with FSM.Apply, so it must synchronise with it.
type Querier interface {
	Query(q []byte) ([]byte, error)
}

// Config configures a Cluster.
type Config struct {
	// Dir holds the log and stable store (Dir/wal, see replication/wal; an older
	// badger store in Dir/log is migrated into it) and snapshots
	// (Dir/snapshots).
	Dir  string
	Host host.Host
	// EncryptionKey is the node's at-rest key (16, 24 or 32 bytes): the log
	// and the snapshots hold residents' NIKs and biodata, so with a key both
	// are encrypted on disk (see wal.Open and sealedSnapshots). Nil
	// keeps them in clear, as the tests do. A Dir written with one setting
	// does not open with the other.
	EncryptionKey []byte
	// Rand supplies the snapshots' salts, which must not repeat (a repeat
	// reuses AES-GCM nonces under one key); nil means crypto/rand.Reader.
	Rand io.Reader
	// Allows is the roster gate: only these peers may open Raft or forward
	// streams. Nil allows everyone.
	Allows func(peer.ID) bool
	// FSM applies committed commands. Apply must return []byte, an error or
	// nil; it must be idempotent by command key (Propose re-proposes).
	FSM     raft.FSM
	Querier Querier
	Logger  *slog.Logger
	// RaftLogLevel filters raft's own logging; zero means hclog.Warn, since
	// raft is chatty at Info about every election and snapshot.
	RaftLogLevel hclog.Level

	// Zero values keep raft's defaults, except SnapshotThreshold (see
	// defaultSnapshotThreshold); tests set them low.
	SnapshotThreshold uint64
	TrailingLogs      uint64
	SnapshotInterval  time.Duration
	// Raft's timeouts; zero keeps raft's defaults (1s/1s/500ms), which suit
	// kabupaten WAN links. The loopback tests use 300ms/300ms/150ms.
	HeartbeatTimeout   time.Duration
	ElectionTimeout    time.Duration
	LeaderLeaseTimeout time.Duration

	beforeSync func() // see wal.Options.BeforeSync
}

// raftLog is what the cluster needs of its log (replication/wal's Log):
// raft's log and stable stores, the durable mark the leader's deferred
// flush keeps (durable.go), and being told whether this node leads.
type raftLog interface {
	raft.LogStore
	raft.StableStore
	durableLog
	SetLeading(leads func() bool)
	Close() error
}

// Cluster is this node's membership in the dinas Raft group.
type Cluster struct {
	cfg   Config
	self  peer.ID
	r     *raft.Raft
	log   raftLog
	layer *StreamLayer
	fwd   *forwarder

	// barrierTerm is the last term in which this node, as leader, ran a
	// Barrier; reads need one per term to see earlier terms' entries.
	barrierTerm atomic.Uint64

	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	closed   bool
	serving  map[network.Stream]struct{}
	handlers sync.WaitGroup
}

// Open starts this node's Raft instance from cfg.Dir (recovering the log and
// the latest snapshot) and registers both protocols on the host. A new
// cluster must then be Bootstrapped on one or all of its first voters.
func Open(cfg Config) (*Cluster, error) {
	if cfg.Dir == "" || cfg.Host == nil || cfg.FSM == nil {
		return nil, errors.New("consensus: Config needs Dir, Host and FSM")
	}
	if cfg.Allows == nil {
		cfg.Allows = func(peer.ID) bool { return true }
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.RaftLogLevel == hclog.NoLevel {
		cfg.RaftLogLevel = hclog.Warn
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	hl := newHclog(cfg.Logger, cfg.RaftLogLevel)
	c := &Cluster{cfg: cfg, self: cfg.Host.ID(), serving: map[network.Stream]struct{}{}}
	if err := c.openLog(hl); err != nil {
		return nil, err
	}
	snaps, err := c.openSnapshots(hl)
	if err != nil {
		c.closeLog()
		return nil, err
	}
	c.layer = NewStreamLayer(cfg.Host, cfg.Allows)
	trans := raft.NewNetworkTransportWithConfig(&raft.NetworkTransportConfig{
		Stream: c.layer, MaxPool: 4, Timeout: 10 * time.Second, Logger: hl.Named("net"),
	})
	// Without the cache the leader re-reads every entry it replicates from
	// disk: over a quarter of the CPU at 256 clients.
	logs, _ := raft.NewLogCache(logCacheSize, c.log)
	// The leader's log is synced while the followers sync theirs; the
	// wrappers keep what raft counts as committed early from being seen
	// (durable.go).
	fsm := withDurable(cfg.FSM, c.log)
	c.r, err = raft.NewRaft(c.raftConfig(hl), fsm, logs, c.log, snaps, clampedTransport{trans, c.log})
	if err != nil {
		trans.Close()
		c.closeLog()
		return nil, fmt.Errorf("consensus: start raft: %w", err)
	}
	r := c.r
	c.log.SetLeading(func() bool { return r.State() == raft.Leader })
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.fwd = newForwarder(cfg.Host)
	cfg.Host.SetStreamHandler(ForwardProtocol, c.serveForward)
	return c, nil
}

// openLog opens the log and stable store in Dir/wal, first moving into it
// the badger LogStore an older version left in Dir/log.
func (c *Cluster) openLog(hclog.Logger) error {
	dir := filepath.Join(c.cfg.Dir, "wal")
	if err := wal.Migrate(filepath.Join(c.cfg.Dir, "log"), dir, c.cfg.EncryptionKey); err != nil {
		return fmt.Errorf("consensus: %w", err)
	}
	w, err := wal.Open(dir, c.cfg.EncryptionKey, wal.Options{BeforeSync: c.cfg.beforeSync})
	if err != nil {
		return fmt.Errorf("consensus: %w", err)
	}
	c.log = w
	return nil
}

// openSnapshots opens the snapshot store in Dir/snapshots, sealed with the
// at-rest key when there is one, so raft's files only ever hold ciphertext.
func (c *Cluster) openSnapshots(hl hclog.Logger) (raft.SnapshotStore, error) {
	files, err := raft.NewFileSnapshotStoreWithLogger(c.cfg.Dir, 2, hl.Named("snapshots"))
	if err != nil {
		return nil, fmt.Errorf("consensus: snapshot store: %w", err)
	}
	if len(c.cfg.EncryptionKey) == 0 {
		return files, nil
	}
	return newSealedSnapshots(files, c.cfg.EncryptionKey, c.cfg.Rand), nil
}

func (c *Cluster) raftConfig(hl hclog.Logger) *raft.Config {
	rc := raft.DefaultConfig()
	rc.LocalID = raft.ServerID(c.self.String())
	rc.Logger = hl.Named("raft")
	rc.NoSnapshotRestoreOnStart = false
	// Batching and larger appends are what carry throughput: one fsync and
	// one round trip cover up to 512 decisions under load.
	rc.BatchApplyCh = true
	rc.MaxAppendEntries = 512
	// A removed node stays open as a quiet follower (it cannot start
	// elections outside the configuration) so the Cluster's methods keep
	// working and it can be re-added; Close is the only shutdown.
	rc.ShutdownOnRemove = false
	rc.SnapshotThreshold = defaultSnapshotThreshold
	setNonzero(&rc.SnapshotThreshold, c.cfg.SnapshotThreshold)
	setNonzero(&rc.TrailingLogs, c.cfg.TrailingLogs)
	setNonzero(&rc.SnapshotInterval, c.cfg.SnapshotInterval)
	setNonzero(&rc.HeartbeatTimeout, c.cfg.HeartbeatTimeout)
	setNonzero(&rc.ElectionTimeout, c.cfg.ElectionTimeout)
	setNonzero(&rc.LeaderLeaseTimeout, c.cfg.LeaderLeaseTimeout)
	return rc
}

// defaultSnapshotThreshold is how many new entries prompt a snapshot.
// Raft's 8192 means, under a burst of decisions, a full copy of the state
// every second, which stalls the commit path on a small machine; the log
// store holds far more entries cheaply, and a restart skips applied ones.
// etcd's snapshot-count, for the same trade, is 100,000.
const defaultSnapshotThreshold = 65536

func setNonzero[T comparable](dst *T, v T) {
	var zero T
	if v != zero {
		*dst = v
	}
}

// Bootstrap makes voters the initial configuration. Calling it on a node
// that already has state (a restart, or another voter bootstrapped the same
// set) is not an error.
func (c *Cluster) Bootstrap(voters []peer.ID) error {
	var conf raft.Configuration
	for _, v := range voters {
		conf.Servers = append(conf.Servers, raft.Server{
			Suffrage: raft.Voter, ID: raft.ServerID(v.String()), Address: RaftAddr(v),
		})
	}
	err := c.r.BootstrapCluster(conf).Error()
	if errors.Is(err, raft.ErrCantBootstrap) {
		return nil
	}
	return err
}

// Leader is the current leader as this node knows it, or "" if none.
func (c *Cluster) Leader() peer.ID {
	_, id := c.r.LeaderWithID()
	p, err := peer.Decode(string(id))
	if err != nil {
		return ""
	}
	return p
}

// IsLeader reports whether this node is the leader right now.
func (c *Cluster) IsLeader() bool { return c.r.State() == raft.Leader }

// AppliedIndex is the last log index handed to the FSM.
func (c *Cluster) AppliedIndex() uint64 { return c.r.AppliedIndex() }

// Raft exposes the raft instance for what this package does not wrap
// (forcing a snapshot, observers).
func (c *Cluster) Raft() *raft.Raft { return c.r }

// ID is this node's peer ID, also its Raft server ID.
func (c *Cluster) ID() peer.ID { return c.self }

// Close shuts Raft down and releases the streams and the log. Calls after the
// first return nil.
func (c *Cluster) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	for s := range c.serving {
		_ = s.Reset()
	}
	c.mu.Unlock()
	c.cfg.Host.RemoveStreamHandler(ForwardProtocol)
	c.cancel()
	c.fwd.close()
	// Raft goes first: its shutdown fails the futures that served requests
	// may be waiting on (a commit that lost its quorum would wait forever).
	// It also closes the transport, and with it the stream layer.
	err := c.r.Shutdown().Error()
	c.handlers.Wait()
	c.layer.Close()
	return errors.Join(err, c.closeLog())
}

func (c *Cluster) closeLog() error { return c.log.Close() }

func (c *Cluster) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}
