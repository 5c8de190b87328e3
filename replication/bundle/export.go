package bundle

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/klauspost/compress/zstd"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// Source is where exported events come from; *store.Store satisfies it.
type Source interface {
	Scan(since vv.Vector, fn func(raw []byte) error) error
	Vector() vv.Vector
}

// Blobs is the document table; *blob.Store satisfies it.
type Blobs interface {
	Stat(event.Hash) (blob.Info, error)
	Chunks(h event.Hash, from uint32, fn func(uint32, []byte) error) error
	WriteChunk(h event.Hash, size int64, idx uint32, b []byte) (bool, error)
}

// Target is where an import goes; *store.Store satisfies it. A Target that
// also has Event(event.ID) (*event.Event, error), as the store does, has
// the events a bundle shares with it compared before anything is written.
type Target interface {
	Verifier() *event.Verifier
	Vector() vv.Vector
	Apply(event.Verified) (store.Result, error)
}

// ExportOptions say what to export.
type ExportOptions struct {
	// Since is the receiving node's vector; the bundle holds what it lacks.
	// Empty exports everything.
	Since vv.Vector
	// IncludeBlobs adds every complete document the exported events refer to.
	IncludeBlobs bool
	// Origin is the exporting node, recorded in the header.
	Origin peer.ID
	// Now stamps the header; zero means time.Now().
	Now time.Time
}

// ExportStats say what a bundle holds.
type ExportStats struct {
	Events int
	Blobs  int
	// Bytes is the file's size.
	Bytes int64
}

// Export writes a bundle of what src holds beyond opt.Since to w.
func Export(w io.Writer, src Source, blobs Blobs, opt ExportOptions) (ExportStats, error) {
	if opt.Origin == "" {
		return ExportStats{}, errors.New("export bundle: origin is required")
	}
	if opt.IncludeBlobs && blobs == nil {
		return ExportStats{}, errors.New("export bundle: documents requested without a document store")
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	ex := &exporter{out: &hashWriter{w: w, h: sha256.New()}, blobs: blobs, refs: map[event.Hash]bool{}}
	err := ex.run(src, opt)
	st := ExportStats{Events: int(ex.n.Events), Blobs: int(ex.n.Blobs), Bytes: ex.out.n}
	if err != nil {
		return st, fmt.Errorf("export bundle: %w", err)
	}
	return st, nil
}

// hashWriter counts and hashes everything written, for the trailer.
type hashWriter struct {
	w io.Writer
	h hash.Hash
	n int64
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.n += int64(n)
	return n, err
}

type exporter struct {
	out   *hashWriter
	z     *zstd.Encoder
	blobs Blobs
	n     counts
	// refs and order are the documents the exported events refer to.
	refs  map[event.Hash]bool
	order []event.Hash
	// buf holds the events frame being filled, count its events.
	buf   []byte
	count int
	body  []byte
}

// run writes the prefix, the compressed frames and the trailer.
func (ex *exporter) run(src Source, opt ExportOptions) error {
	if _, err := ex.out.Write(append([]byte(magic), version)); err != nil {
		return err
	}
	z, err := zstd.NewWriter(ex.out, zstd.WithWindowSize(encodeWindow))
	if err != nil {
		return err
	}
	ex.z = z
	if err := ex.frames(src, opt); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	if _, err := ex.out.Write([]byte(endMark)); err != nil {
		return err
	}
	_, err = ex.out.Write(ex.out.h.Sum(nil))
	return err
}

func (ex *exporter) frames(src Source, opt ExportOptions) error {
	hdr := header{Origin: opt.Origin, Created: opt.Now, Since: opt.Since}
	if err := frames.Write(ex.z, frameHeader, hdr.marshal()); err != nil {
		return err
	}
	if err := src.Scan(opt.Since, func(raw []byte) error { return ex.event(raw, opt.IncludeBlobs) }); err != nil {
		return err
	}
	if err := ex.flush(); err != nil {
		return err
	}
	if err := ex.writeBlobs(); err != nil {
		return err
	}
	return frames.Write(ex.z, frameEnd, ex.n.marshal())
}

// event adds one event to the current frame; raw is only valid during the
// call, so it is copied.
func (ex *exporter) event(raw []byte, withBlobs bool) error {
	if withBlobs {
		e, err := event.Unmarshal(raw)
		if err != nil {
			return fmt.Errorf("stored event: %w", err)
		}
		for _, h := range e.Blobs {
			if !ex.refs[h] {
				ex.refs[h] = true
				ex.order = append(ex.order, h)
			}
		}
		if len(ex.refs) > MaxDocuments {
			return fmt.Errorf("events refer to more than %d documents; export without documents", MaxDocuments)
		}
	}
	ex.buf = binary.AppendUvarint(ex.buf, uint64(len(raw)))
	ex.buf = append(ex.buf, raw...)
	ex.count++
	ex.n.Events++
	if len(ex.buf) >= frameBytes || ex.count >= frameMaxCount {
		return ex.flush()
	}
	return nil
}

func (ex *exporter) flush() error {
	if ex.count == 0 {
		return nil
	}
	ex.body = appendEvents(ex.body[:0], ex.count, ex.buf)
	ex.buf, ex.count = ex.buf[:0], 0
	return frames.Write(ex.z, frameEvents, ex.body)
}

// writeBlobs adds every referenced document the source holds complete;
// incomplete ones are left for the network to bring.
func (ex *exporter) writeBlobs() error {
	for _, h := range ex.order {
		info, err := ex.blobs.Stat(h)
		if err != nil {
			return fmt.Errorf("document %s: %w", h, err)
		}
		if !info.Complete {
			continue
		}
		if err := ex.writeBlob(h, info.Size); err != nil {
			return fmt.Errorf("document %s: %w", h, err)
		}
		ex.n.Blobs++
	}
	return nil
}

// writeBlob copies one document's chunks, checking that the store hands
// them over whole, since the importer refuses anything less.
func (ex *exporter) writeBlob(h event.Hash, size int64) error {
	var next uint32
	err := ex.blobs.Chunks(h, 0, func(idx uint32, b []byte) error {
		if idx != next || idx >= chunkCount(size) || len(b) != chunkLen(size, idx) {
			return fmt.Errorf("stored chunk %d does not fit a document of %d bytes", idx, size)
		}
		next++
		ex.body = chunk{Hash: h, Size: size, Idx: idx, Data: b}.marshal(ex.body[:0])
		ex.n.Chunks++
		return frames.Write(ex.z, frameBlob, ex.body)
	})
	if err == nil && next != chunkCount(size) {
		err = fmt.Errorf("stored with %d of %d chunks", next, chunkCount(size))
	}
	return err
}
