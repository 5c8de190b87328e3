package node

import (
	"context"

	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/audit"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/consensus"
	"github.com/sinkron-id/sinkron/replication/event"
)

// The methods in this file are the node's edge: what the API serves,
// typed, so the API declares interfaces of what it consumes (api/edge.go)
// instead of reaching into the store, the cluster, the decision state
// machine and the document table. The service accessors exist because a
// struct field cannot satisfy an interface.

// RequestService is the node's request engine (the Requests field).
func (n *Node) RequestService() *request.Service { return n.Requests }

// RegistryService is the node's resident registry (the Residents field).
func (n *Node) RegistryService() *registry.Service { return n.Residents }

// AccountService is the node's officer accounts (the Accounts field).
func (n *Node) AccountService() *account.Service { return n.Accounts }

// DecisionService asks the dinas cluster for decisions (the Decisions
// field).
func (n *Node) DecisionService() *decision.Service { return n.Decisions }

// AuditLog is the node's record of who read and changed what (the Audit
// field).
func (n *Node) AuditLog() audit.Log { return n.Audit }

// Office is the name of this node's office.
func (n *Node) Office() string { return n.Member().Office }

// StateHash is the hash of every event the node holds: two nodes with the
// same hash hold the same state.
func (n *Node) StateHash() ([32]byte, error) { return n.store.StateHash() }

// Document is an uploaded or issued document's content, by its SHA-256.
func (n *Node) Document(h event.Hash) ([]byte, error) { return n.blobs.Get(h) }

// HasDocument reports whether the node holds all of a document, not only
// the event that names it (documents follow their events).
func (n *Node) HasDocument(h event.Hash) bool {
	in, err := n.blobs.Stat(h)
	return err == nil && in.Complete
}

// ErrNotCluster is the answer of a node outside the dinas cluster to a
// cluster call.
var ErrNotCluster = fault.New(fault.Precondition, "node ini bukan anggota klaster Dinas")

// ClusterStatus is the dinas cluster as this server sees it now.
type ClusterStatus struct {
	consensus.Status
	// Decisions is how many decisions the state machine has taken.
	Decisions uint64
	// Offices names each server's office, from the roster ("" if unknown).
	Offices map[peer.ID]string
}

// ClusterStatus probes the dinas cluster's servers.
func (n *Node) ClusterStatus(ctx context.Context) (ClusterStatus, error) {
	c, err := n.cluster()
	if err != nil {
		return ClusterStatus{}, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return ClusterStatus{}, err
	}
	out := ClusterStatus{Status: st, Offices: map[peer.ID]string{}}
	_, out.Decisions = n.dinas.fsm.Counts()
	for _, s := range st.Servers {
		out.Offices[s.ID] = n.roster.Office(s.ID)
	}
	return out, nil
}

// AddVoter makes p a voting server of the dinas cluster.
func (n *Node) AddVoter(ctx context.Context, p peer.ID) error {
	return n.changeCluster(func(c *consensus.Cluster) error { return c.AddVoter(ctx, p) })
}

// AddNonvoter makes p a server that follows the dinas cluster's log
// without voting.
func (n *Node) AddNonvoter(ctx context.Context, p peer.ID) error {
	return n.changeCluster(func(c *consensus.Cluster) error { return c.AddNonvoter(ctx, p) })
}

// RemoveServer takes p out of the dinas cluster.
func (n *Node) RemoveServer(ctx context.Context, p peer.ID) error {
	return n.changeCluster(func(c *consensus.Cluster) error { return c.RemoveServer(ctx, p) })
}

// TransferLeadership hands the dinas cluster's leadership to p (to the
// most up-to-date voter when p is empty).
func (n *Node) TransferLeadership(ctx context.Context, p peer.ID) error {
	return n.changeCluster(func(c *consensus.Cluster) error { return c.TransferLeadership(ctx, p) })
}

func (n *Node) changeCluster(change func(*consensus.Cluster) error) error {
	c, err := n.cluster()
	if err != nil {
		return err
	}
	return change(c)
}

func (n *Node) cluster() (*consensus.Cluster, error) {
	if n.dinas == nil {
		return nil, ErrNotCluster
	}
	return n.dinas.cluster, nil
}
