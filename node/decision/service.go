package decision

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/catalog"
	"github.com/sinkron-id/sinkron/node/eventpb"
	"github.com/sinkron-id/sinkron/node/fault"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
)

// Cluster is what the service needs of the dinas Raft group.
type Cluster interface {
	Propose(ctx context.Context, cmd []byte) ([]byte, error)
	Query(ctx context.Context, q []byte) ([]byte, error)
	IsLeader() bool
}

// Errors the API maps to Connect codes.
var (
	ErrNotDinas = fault.New(fault.Precondition, "keputusan hanya dapat diambil oleh klaster Dinas")
	ErrRefused  = fault.New(fault.Precondition, "permintaan ditolak")
)

// RequestKind is the entity kind of an office's request for a decision.
const RequestKind = "permintaan-keputusan"

const typeRequested = "keputusan.diminta"

// Service takes decisions at a dinas node (through Raft) and requests for
// them at any node (through the replicated log).
type Service struct {
	Book
	cluster Cluster // nil at a kecamatan
	fsm     *FSM
	store   *store.Store
	now     func() time.Time
	rand    io.Reader
	// leaseMu makes choosing a free leased serial and recording it one
	// step: two counters of one office would otherwise give one NIK twice.
	leaseMu sync.Mutex
}

// NewService builds the service; cluster and fsm are nil off the dinas.
func NewService(c Cluster, f *FSM, st *store.Store, now func() time.Time, rand io.Reader) *Service {
	return &Service{Book: NewBook(st), cluster: c, fsm: f, store: st, now: now, rand: rand}
}

// Dinas reports whether this node takes decisions.
func (s *Service) Dinas() bool { return s.cluster != nil }

// Decide proposes a command and waits for its decision. An empty key gets a
// fresh one; pass the same key again to retry safely.
func (s *Service) Decide(ctx context.Context, cmd *eventpb.Command) (*eventpb.Decision, error) {
	if s.cluster == nil {
		return nil, ErrNotDinas
	}
	if cmd.Key == "" {
		cmd.Key = "api/" + s.randomID()
	}
	if cmd.TimeMs == 0 {
		cmd.TimeMs = s.now().UnixMilli()
	}
	b, err := proto.Marshal(cmd)
	if err != nil {
		return nil, err
	}
	resp, err := s.cluster.Propose(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("propose %s: %w", cmd.Key, err)
	}
	var d eventpb.Decision
	if err := proto.Unmarshal(resp, &d); err != nil {
		return nil, fmt.Errorf("decision for %s: %w", cmd.Key, err)
	}
	if d.Refused != "" {
		return &d, fmt.Errorf("%w: %s", ErrRefused, d.Refused)
	}
	return &d, nil
}

func (s *Service) randomID() string {
	b := make([]byte, 10)
	_, _ = io.ReadFull(s.rand, b)
	return fmt.Sprintf("%x", b)
}

// LookupNIK returns who holds a NIK, read linearizably through the leader.
func (s *Service) LookupNIK(ctx context.Context, nik string) (string, bool, error) {
	if s.cluster == nil {
		return "", false, ErrNotDinas
	}
	b, err := s.cluster.Query(ctx, []byte(QueryNIK+":"+nik))
	return string(b), len(b) > 0, err
}

// ActiveCard returns the blank serial of a NIK's active card (0: none).
func (s *Service) ActiveCard(ctx context.Context, nik string) (uint64, error) {
	if s.cluster == nil {
		return 0, ErrNotDinas
	}
	b, err := s.cluster.Query(ctx, []byte(QueryCard+":"+nik))
	if err != nil || len(b) == 0 {
		return 0, err
	}
	return strconv.ParseUint(string(b), 10, 64)
}

// FindingKey is where the dinas files its own finding on a request
// (request.Decider).
func (s *Service) FindingKey(d catalog.Decision, request string) (string, bool) {
	return FindingKey(d, request)
}

// FindingKey is where the dinas files its own finding on a request: the
// final duplicate-check verdict on a recording, the warehouse's
// confirmation. Other decisions are asked for, under their request's key.
func FindingKey(d catalog.Decision, request string) (string, bool) {
	switch d {
	case catalog.DecisionDedup:
		return VerdictKey(request), true
	case catalog.DecisionDWH:
		return WarehouseKey(request), true
	}
	return "", false
}

// Request asks the dinas for a decision through the replicated log: it
// works offline, and the dinas leader decides when the request arrives,
// keyed by the request's event ID. It returns that key.
func (s *Service) Request(cmd *eventpb.Command) (string, error) {
	b, err := proto.Marshal(&eventpb.DecisionRequested{Command: cmd})
	if err != nil {
		return "", err
	}
	e, err := s.store.Append(store.Draft{Kind: RequestKind, Entity: s.randomID(), Type: typeRequested, Payload: b}, nil)
	if err != nil {
		return "", err
	}
	return e.ID().String(), nil
}

// requested decodes a decision request event.
func requested(e *event.Event) (*eventpb.Command, error) {
	var r eventpb.DecisionRequested
	if err := proto.Unmarshal(e.Payload, &r); err != nil || r.Command == nil {
		return nil, fmt.Errorf("decision request %s: %v", e.ID(), err)
	}
	r.Command.Key = e.ID().String()
	return r.Command, nil
}
