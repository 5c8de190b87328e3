package consensus

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"
	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"go.uber.org/goleak"
)

// A waiter on a raft future that raft never answers at shutdown
// (hashicorp/raft#498) stays parked by design; see consensus.(*Cluster).wait.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/sinkron-id/sinkron/replication/consensus.(*Cluster).wait.func1"))
}

// kvFSM is the test FSM: key → value, first write wins, so a re-proposed
// command answers the same as the original (the idempotency the package
// relies on). A value starting with "fail" is refused with an error.
type kvFSM struct {
	mu       sync.Mutex
	m        map[string]string
	restores int
	restored int // keys present after the last restore
}

var errRefused = errors.New("refused by the FSM")

func newKV() *kvFSM { return &kvFSM{m: map[string]string{}} }

func kvCmd(k, v string) []byte { return []byte(k + "\x00" + v) }

func (f *kvFSM) Apply(l *raft.Log) any {
	k, v, _ := bytes.Cut(l.Data, []byte{0})
	if bytes.HasPrefix(v, []byte("fail")) {
		return errRefused
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.m[string(k)]; ok {
		return []byte(old)
	}
	f.m[string(k)] = string(v)
	return v
}

func (f *kvFSM) Query(q []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[string(q)]
	if !ok {
		return nil, errors.New("not found")
	}
	return []byte(v), nil
}

func (f *kvFSM) get(k string) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.m[k]
	return v, ok
}

func (f *kvFSM) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.m)
}

func (f *kvFSM) Snapshot() (raft.FSMSnapshot, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, err := json.Marshal(f.m)
	return kvSnap(b), err
}

func (f *kvFSM) Restore(rc io.ReadCloser) error {
	defer rc.Close()
	m := map[string]string{}
	if err := json.NewDecoder(rc).Decode(&m); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m, f.restores, f.restored = m, f.restores+1, len(m)
	return nil
}

type kvSnap []byte

func (s kvSnap) Persist(sink raft.SnapshotSink) error {
	if _, err := sink.Write(s); err != nil {
		sink.Cancel()
		return err
	}
	return sink.Close()
}

func (kvSnap) Release() {}

// node is one member: a host, its Raft dir and FSM, reopenable with the
// same key (same peer ID) as a restarted office would be.
type node struct {
	key crypto.PrivKey
	dir string
	id  peer.ID
	h   host.Host
	c   *Cluster
	fsm *kvFSM
}

// tune adjusts a node's Config before Open.
type tune func(*Config)

// fast are loopback timeouts, loose enough for -race on two busy cores.
func fast(c *Config) {
	c.HeartbeatTimeout, c.ElectionTimeout, c.LeaderLeaseTimeout = 300*time.Millisecond, 300*time.Millisecond, 150*time.Millisecond
}

func newHost(tb testing.TB, key crypto.PrivKey) host.Host {
	tb.Helper()
	h, err := libp2p.New(libp2p.Identity(key), libp2p.DisableRelay(),
		libp2p.NoListenAddrs, libp2p.ListenAddrStrings("/ip4/127.0.0.1/tcp/0"))
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func newNode(tb testing.TB, tunes ...tune) *node {
	tb.Helper()
	key, _, err := crypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	n := &node{key: key, dir: tb.TempDir()}
	n.id, _ = peer.IDFromPrivateKey(key)
	n.start(tb, tunes...)
	return n
}

// start opens the node with a fresh host and FSM on its existing dir.
func (n *node) start(tb testing.TB, tunes ...tune) {
	tb.Helper()
	n.h, n.fsm = newHost(tb, n.key), newKV()
	cfg := Config{Dir: n.dir, Host: n.h, FSM: n.fsm, Querier: n.fsm}
	if os.Getenv("CONSENSUS_TEST_LOG") != "" { // raft's own log, for debugging a test
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		cfg.Logger = cfg.Logger.With("node", n.id.ShortString())
		cfg.RaftLogLevel = hclog.Info
	}
	for _, t := range tunes {
		t(&cfg)
	}
	c, err := Open(cfg)
	if err != nil {
		n.h.Close()
		tb.Fatal(err)
	}
	n.c = c
	h := n.h
	tb.Cleanup(func() { c.Close(); h.Close() })
}

func (n *node) stop(tb testing.TB) {
	tb.Helper()
	if err := n.c.Close(); err != nil {
		tb.Errorf("close %s: %v", n.id, err)
	}
	n.h.Close()
}

func connect(tb testing.TB, a, b *node) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := a.h.Connect(ctx, peer.AddrInfo{ID: b.id, Addrs: b.h.Addrs()}); err != nil {
		tb.Fatal(err)
	}
}

// newGroup starts n connected, bootstrapped voters and waits for a leader.
func newGroup(tb testing.TB, n int, tunes ...tune) []*node {
	tb.Helper()
	nodes := make([]*node, n)
	ids := make([]peer.ID, n)
	for i := range nodes {
		nodes[i] = newNode(tb, tunes...)
		ids[i] = nodes[i].id
	}
	for i := range nodes {
		for j := i + 1; j < n; j++ {
			connect(tb, nodes[i], nodes[j])
		}
	}
	for _, nd := range nodes {
		if err := nd.c.Bootstrap(ids); err != nil {
			tb.Fatal(err)
		}
	}
	waitLeader(tb, nodes...)
	return nodes
}

// waitLeader waits until the given nodes agree on a leader among them.
func waitLeader(tb testing.TB, nodes ...*node) *node {
	tb.Helper()
	var leader *node
	eventually(tb, 20*time.Second, func() bool {
		leader = nil
		for _, n := range nodes {
			if n.c.IsLeader() {
				leader = n
			}
		}
		if leader == nil {
			return false
		}
		for _, n := range nodes {
			if n.c.Leader() != leader.id {
				return false
			}
		}
		return true
	})
	return leader
}

func followers(nodes []*node, leader *node) []*node {
	var out []*node
	for _, n := range nodes {
		if n != leader {
			out = append(out, n)
		}
	}
	return out
}

func eventually(tb testing.TB, d time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %v", d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func ctxT(tb testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	tb.Cleanup(cancel)
	return ctx
}
