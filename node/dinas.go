package node

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/replication/consensus"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/roster"
)

// dinas is the part of a node that only dinas nodes run: the Raft group,
// the decision machine, its publisher and the request watcher.
type dinas struct {
	cluster   *consensus.Cluster
	db        *badger.DB // the FSM's state, apart from the synced store
	fsm       *decision.FSM
	publisher *decision.Publisher
	watcher   *decision.Watcher
	key       crypto.PrivKey // the cluster key, which also signs KKs
}

// startDinas joins the Raft group when this node is a dinas node with the
// cluster key; the first start bootstraps with every dinas node of the
// roster as a voter (each does the same, which Raft allows).
func (n *Node) startDinas(ctx context.Context) error {
	if n.self.Role != roster.Dinas || n.cfg.ClusterKeyFile == "" {
		n.Decisions = decision.NewService(nil, nil, n.store, n.now, n.rand)
		return nil
	}
	key, err := readClusterKey(n.cfg.ClusterKeyFile)
	if err != nil {
		return err
	}
	signer, err := event.NewSigner(key)
	if err != nil {
		return err
	}
	if signer.Origin() != n.roster.Cluster() {
		return fmt.Errorf("cluster key %s does not match the roster's cluster %s", signer.Origin(), n.roster.Cluster())
	}
	d := &dinas{key: key}
	if d.db, err = decision.OpenDB(filepath.Join(n.cfg.DataDir, "decisions"), n.encKey); err != nil {
		return err
	}
	if d.fsm, err = decision.NewFSM(d.db); err != nil {
		d.db.Close()
		return err
	}
	d.cluster, err = consensus.Open(consensus.Config{
		Dir: filepath.Join(n.cfg.DataDir, "raft"), Host: n.net.host, Allows: n.isDinas,
		FSM: d.fsm, Querier: d.fsm, Logger: n.log, EncryptionKey: n.encKey,
		HeartbeatTimeout: n.cfg.RaftHeartbeat.Duration, ElectionTimeout: n.cfg.RaftHeartbeat.Duration,
		LeaderLeaseTimeout: n.cfg.RaftHeartbeat.Duration / 2,
	})
	if err != nil {
		d.db.Close()
		return err
	}
	// Founding dinas nodes bootstrap the group together; a node added later
	// waits to be made a voter by the cluster (`sinkron cluster add-voter`).
	if n.roster.InGenesis(n.self.Peer) {
		if err := d.cluster.Bootstrap(n.dinasVoters()); err != nil {
			d.close()
			return err
		}
	}
	d.publisher = decision.NewPublisher(d.fsm, n.store, signer, d.cluster, n.log)
	d.fsm.Applied = d.publisher.Wake
	n.Decisions = decision.NewService(d.cluster, d.fsm, n.store, n.now, n.rand)
	d.watcher = decision.NewWatcher(n.Decisions, n.log)
	n.wg.Go(func() { d.publisher.Run(ctx) })
	n.wg.Go(func() { d.watcher.Run(ctx) })
	n.dinas = d
	return nil
}

// close undoes startDinas after a failure past opening the group.
func (d *dinas) close() {
	d.cluster.Close()
	d.db.Close()
}

func (n *Node) isDinas(p peer.ID) bool {
	m, ok := n.roster.Member(p)
	return ok && m.Role == roster.Dinas && n.net.gate.Allows(p)
}

func (n *Node) dinasVoters() []peer.ID {
	var out []peer.ID
	for _, m := range n.roster.Members() {
		if m.Role == roster.Dinas && n.roster.InGenesis(m.Peer) {
			out = append(out, m.Peer)
		}
	}
	return out
}

func readClusterKey(path string) (crypto.PrivKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cluster key: %w", err)
	}
	return crypto.UnmarshalPrivateKey(b)
}

// Cluster is the dinas Raft group, or nil off the dinas.
func (n *Node) Cluster() *consensus.Cluster {
	if n.dinas == nil {
		return nil
	}
	return n.dinas.cluster
}

// DecisionFSM is the dinas decision machine, or nil off the dinas.
func (n *Node) DecisionFSM() *decision.FSM {
	if n.dinas == nil {
		return nil
	}
	return n.dinas.fsm
}
