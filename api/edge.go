package api

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/sinkron-id/sinkron/node"
	"github.com/sinkron-id/sinkron/node/account"
	"github.com/sinkron-id/sinkron/node/audit"
	"github.com/sinkron-id/sinkron/node/decision"
	"github.com/sinkron-id/sinkron/node/document"
	"github.com/sinkron-id/sinkron/node/outbox"
	"github.com/sinkron-id/sinkron/node/registry"
	"github.com/sinkron-id/sinkron/node/request"
	"github.com/sinkron-id/sinkron/replication/bundle"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// The API's edge: what each service's handlers use of a node, declared
// here by the consumer (as rqlite's HTTP service declares the Store and
// Cluster it needs), so a reader sees what a handler can touch and the
// node's store, cluster and decision state stay behind typed methods.
// *node.Node satisfies every one (node/edge.go).

// AccountNode is what AccountService's handlers use.
type AccountNode interface {
	AccountService() *account.Service
}

// RequestNode is what RequestService's handlers use.
type RequestNode interface {
	RequestService() *request.Service
	Office() string
	RequestCopy(id string) ([]byte, error)
	LogbookPDF(day time.Time) ([]byte, error)
	Document(h event.Hash) ([]byte, error)
	HasDocument(h event.Hash) bool
	RetryEffects() error // decided steps' failed registry changes, tried again now
}

// RegistryNode is what RegistryService's handlers use.
type RegistryNode interface {
	RegistryService() *registry.Service
	AuditLog() audit.Log
	RegisterResident(b registry.Biodata, officer string) (*registry.Resident, error)
	IssueKK(kk string) (pdf []byte, qr string, err error)
	VerifyKK(qr string) (document.KKSummary, error)
}

// DecisionNode is what DecisionService's handlers use.
type DecisionNode interface {
	DecisionService() *decision.Service
	ID() peer.ID
	Office() string
	AuditLog() audit.Log // who recorded a duplicate-check verdict
}

// ClusterNode is what ClusterService's handlers use: the dinas cluster's
// status and membership, refused (node.ErrNotCluster) outside it.
type ClusterNode interface {
	ClusterStatus(ctx context.Context) (node.ClusterStatus, error)
	AddVoter(ctx context.Context, p peer.ID) error
	AddNonvoter(ctx context.Context, p peer.ID) error
	RemoveServer(ctx context.Context, p peer.ID) error
	TransferLeadership(ctx context.Context, p peer.ID) error
}

// OperatorNode is what NodeService's handlers use: the node's own state,
// its network, bundles, the audit and the failed notices.
type OperatorNode interface {
	Status() node.Status
	StateHash() ([32]byte, error)
	Peers() []node.PeerInfo
	Conflicts() ([]store.Conflict, error)
	SetOnline(on bool)
	SyncNow(ctx context.Context) int
	ExportBundle(w io.Writer, since vv.Vector, documents bool) (bundle.ExportStats, error)
	ImportBundle(r io.Reader) (bundle.ImportStats, error)
	AuditLog() audit.Log
	FailedNotices() ([]outbox.DeadLetter, error)
	RetryNotice(id string) error
}

// diskChecker refuses writes on a nearly full disk (diskGuard).
type diskChecker interface {
	CheckDisk() error
}

// Node is everything NewHandler serves: every officers' service, the
// gates before them and the metrics.
type Node interface {
	AccountNode
	RequestNode
	RegistryNode
	DecisionNode
	ClusterNode
	OperatorNode
	InstitutionNode
	diskChecker
	Registry() *prometheus.Registry
}

// PublicNode is what NewPublicHandler serves residents from: filing and
// tracking requests.
type PublicNode interface {
	RequestService() *request.Service
	diskChecker
	Logger() *slog.Logger
}

// Both handlers serve a real node.
var (
	_ Node       = (*node.Node)(nil)
	_ PublicNode = (*node.Node)(nil)

	_ InstitutionNode = (*node.Node)(nil)
)
