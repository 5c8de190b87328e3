package api

import (
	"context"
	"fmt"
	"io"
	"net/http"

	"connectrpc.com/connect"
	"github.com/libp2p/go-libp2p/core/peer"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// nodes implements sinkronv1connect.NodeServiceHandler.
type nodes struct{ n OperatorNode }

func (h *nodes) GetStatus(_ context.Context, req *connect.Request[v1.GetStatusRequest]) (*connect.Response[v1.GetStatusResponse], error) {
	s := h.n.Status()
	var hash []byte
	if req.Msg.WithStateHash {
		// Read after the status, so a hash never covers fewer events
		// than the vector beside it claims.
		sum, err := h.n.StateHash()
		if err != nil {
			return nil, toConnect(fmt.Errorf("state hash: %w", err))
		}
		hash = sum[:]
	}
	ahead := map[string]int64{}
	for o, d := range s.ClockAhead {
		ahead[o.String()] = d.Milliseconds()
	}
	return connect.NewResponse(&v1.GetStatusResponse{
		ClockAheadMs: ahead,
		PeerId:       s.Peer.String(), Office: s.Office, Role: s.Role, RegionCode: s.Region, Online: s.Online,
		ListenAddrs: s.ListenAddrs, VersionVector: vectorToProto(s.Vector), Events: s.Events,
		Conflicts: uint64(s.Conflicts), OutboxDepth: uint64(s.OutboxDepth), BlobsMissing: uint64(s.BlobsMissing),
		Now: timestamppb.New(s.Now), StateHash: hash, Dwh: dwhToProto(s.DWH),
	}), nil
}

func (h *nodes) ListPeers(context.Context, *connect.Request[v1.ListPeersRequest]) (*connect.Response[v1.ListPeersResponse], error) {
	out := &v1.ListPeersResponse{}
	for _, p := range h.n.Peers() {
		pp := &v1.Peer{
			PeerId: p.Peer.String(), Office: p.Office, Role: p.Role, Connected: p.Connected, Addrs: p.Addrs,
			PeerLacks: p.Sync.PeerLacks, WeLack: p.Sync.WeLack, ClockSkewMs: p.Sync.ClockSkew.Milliseconds(),
			EventsSent: p.Sync.EventsSent, EventsReceived: p.Sync.EventsReceived,
			BytesSent: p.Sync.BytesSent, BytesReceived: p.Sync.BytesReceived, LastError: p.Sync.LastError,
		}
		if !p.Sync.LastSync.IsZero() {
			pp.LastSync = timestamppb.New(p.Sync.LastSync)
		}
		out.Peers = append(out.Peers, pp)
	}
	return connect.NewResponse(out), nil
}

func (h *nodes) ListConflicts(context.Context, *connect.Request[v1.ListConflictsRequest]) (*connect.Response[v1.ListConflictsResponse], error) {
	cs, err := h.n.Conflicts()
	if err != nil {
		return nil, toConnect(err)
	}
	out := &v1.ListConflictsResponse{}
	for _, c := range cs {
		out.Entities = append(out.Entities, &v1.ConflictEntity{Kind: c.Kind, Id: c.ID, Fields: c.Fields})
	}
	return connect.NewResponse(out), nil
}

func (h *nodes) SetNetwork(_ context.Context, req *connect.Request[v1.SetNetworkRequest]) (*connect.Response[v1.SetNetworkResponse], error) {
	h.n.SetOnline(req.Msg.Online)
	return connect.NewResponse(&v1.SetNetworkResponse{Online: req.Msg.Online}), nil
}

func (h *nodes) SyncNow(ctx context.Context, _ *connect.Request[v1.SyncNowRequest]) (*connect.Response[v1.SyncNowResponse], error) {
	return connect.NewResponse(&v1.SyncNowResponse{Peers: int32(h.n.SyncNow(ctx))}), nil
}

func (h *nodes) ExportBundle(_ context.Context, req *connect.Request[v1.ExportBundleRequest], stream *connect.ServerStream[v1.ExportBundleResponse]) error {
	since, err := vectorFromProto(req.Msg.Since)
	if err != nil {
		return invalid(err.Error())
	}
	w := &chunkWriter{send: func(b []byte) error { return stream.Send(&v1.ExportBundleResponse{Chunk: b}) }}
	if _, err := h.n.ExportBundle(w, since, req.Msg.IncludeDocuments); err != nil {
		return toConnect(err)
	}
	return w.flush()
}

func (h *nodes) ImportBundle(_ context.Context, stream *connect.ClientStream[v1.ImportBundleRequest]) (*connect.Response[v1.ImportBundleResponse], error) {
	pr, pw := io.Pipe()
	go func() {
		for stream.Receive() {
			if _, err := pw.Write(stream.Msg().Chunk); err != nil {
				return
			}
		}
		// nil closes with io.EOF itself: the bundle reader tests for it
		// with ==, which a joined io.EOF fails.
		pw.CloseWithError(stream.Err())
	}()
	st, err := h.n.ImportBundle(pr)
	pr.Close()
	if err != nil {
		return nil, toConnect(err)
	}
	return connect.NewResponse(&v1.ImportBundleResponse{EventsApplied: uint64(st.Applied), EventsDuplicate: uint64(st.Duplicates), Documents: uint64(st.Blobs)}), nil
}

// chunkWriter cuts a byte stream into messages of at most 1 MiB.
type chunkWriter struct {
	buf  []byte
	send func([]byte) error
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	c.buf = append(c.buf, p...)
	for len(c.buf) >= 1<<20 {
		if err := c.send(c.buf[:1<<20]); err != nil {
			return 0, err
		}
		c.buf = append([]byte(nil), c.buf[1<<20:]...)
	}
	return len(p), nil
}

func (c *chunkWriter) flush() error {
	if len(c.buf) == 0 {
		return nil
	}
	return c.send(c.buf)
}

func vectorToProto(v vv.Vector) []*v1.VersionEntry {
	var out []*v1.VersionEntry
	for _, o := range v.Origins() {
		out = append(out, &v1.VersionEntry{Origin: o.String(), Seq: v[o]})
	}
	return out
}

func vectorFromProto(es []*v1.VersionEntry) (vv.Vector, error) {
	v := vv.Vector{}
	for _, e := range es {
		id, err := peer.Decode(e.Origin)
		if err != nil {
			return nil, fmt.Errorf("version vector origin %q: %v", e.Origin, err)
		}
		v[id] = e.Seq
	}
	return v, nil
}

func sniff(b []byte) string { return http.DetectContentType(b) }
