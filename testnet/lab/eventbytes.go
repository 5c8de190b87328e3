package lab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"connectrpc.com/connect"
	"github.com/klauspost/compress/zstd"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// syncSent is what an office has sent on its sync streams to every peer:
// events (counted again when resent) and bytes (the events, vectors,
// acknowledgements and frames).
type syncSent struct{ events, bytes uint64 }

func syncSentBy(ctx context.Context, l *Lab, office string) (syncSent, error) {
	c, err := l.Admin(office)
	if err != nil {
		return syncSent{}, err
	}
	r, err := c.Node.ListPeers(ctx, connect.NewRequest(&v1.ListPeersRequest{}))
	if err != nil {
		return syncSent{}, fmt.Errorf("peers of %s: %w", office, err)
	}
	var s syncSent
	for _, p := range r.Msg.Peers {
		s.events += p.EventsSent
		s.bytes += p.BytesSent
	}
	return s, nil
}

// rawBytesSince is the size of the events office authored after seq0: the
// uncompressed frames of a bundle without documents of what a replica
// holding everything else lacks. Frames add a header and a length of a
// byte or two to each event, so this slightly overstates the raw size.
func rawBytesSince(ctx context.Context, l *Lab, office string, seq0 uint64) (uint64, error) {
	c, err := l.Admin(office)
	if err != nil {
		return 0, err
	}
	st, err := c.Node.GetStatus(ctx, connect.NewRequest(&v1.GetStatusRequest{}))
	if err != nil {
		return 0, fmt.Errorf("status of %s: %w", office, err)
	}
	o, err := l.State.office(office)
	if err != nil {
		return 0, err
	}
	since := st.Msg.VersionVector
	for _, v := range since {
		if v.Origin == o.Peer {
			v.Seq = seq0
		}
	}
	stream, err := c.Node.ExportBundle(ctx, connect.NewRequest(&v1.ExportBundleRequest{Since: since}))
	if err != nil {
		return 0, fmt.Errorf("bundle of %s: %w", office, err)
	}
	defer stream.Close()
	var file []byte
	for stream.Receive() {
		file = append(file, stream.Msg().Chunk...)
	}
	if err := stream.Err(); err != nil && !errors.Is(err, io.EOF) {
		return 0, fmt.Errorf("bundle of %s: %w", office, err)
	}
	return framesSize(file)
}

// framesSize is the uncompressed size of a bundle file's frames: the file
// is a 16-byte prefix, a zstd stream and a 44-byte end (replication/bundle).
func framesSize(file []byte) (uint64, error) {
	const prefix, trailer = 16, 44
	if len(file) < prefix+trailer {
		return 0, fmt.Errorf("bundle of %d bytes is too short", len(file))
	}
	z, err := zstd.NewReader(bytes.NewReader(file[prefix : len(file)-trailer]))
	if err != nil {
		return 0, err
	}
	defer z.Close()
	n, err := io.Copy(io.Discard, z)
	return uint64(n), err
}

// base is an office's counters as a measured stretch begins.
type base struct {
	seq  uint64   // events it had authored
	sync syncSent // what it had sent on sync streams
	up   uint64   // bytes up its link
}

func (r *run) baseOf(ctx context.Context, office string) (base, error) {
	seq, err := authored(ctx, r.l, office)
	if err != nil {
		return base{}, err
	}
	sync, err := syncSentBy(ctx, r.l, office)
	return base{seq: seq, sync: sync, up: linkBytes(ctx, r.l, office)}, err
}

// eventFigures records how many times office's new events crossed its
// uplink on the sync streams, and the bytes that took per raw byte.
func (r *run) eventFigures(ctx context.Context, office, label string, b base, seq uint64) {
	seq0, before := b.seq, b.sync
	after, err := syncSentBy(ctx, r.l, office)
	if err == nil && after.events < before.events {
		err = fmt.Errorf("%s restarted: its sync counters began again", office)
	}
	var raw uint64
	if err == nil {
		raw, err = rawBytesSince(ctx, r.l, office, seq0)
	}
	if err != nil || raw == 0 || seq <= seq0 {
		r.rep.Figure(label+": byte sinkronisasi ÷ byte event", "tidak terukur (%v)", err)
		return
	}
	n := seq - seq0
	sent, bytes := after.events-before.events, after.bytes-before.bytes
	r.rep.Figure(label+": byte sinkronisasi ÷ byte event", "%.3f (%.1f kB dikirim untuk %d event, %.0f B per event mentah; tiap event dikirim %.2f×)",
		float64(bytes)/float64(raw), float64(bytes)/1e3, n, float64(raw)/float64(n), float64(sent)/float64(n))
}
