package bundle

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/klauspost/compress/zstd"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/sinkron-id/sinkron/replication/blob"
	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/hlc"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// node is one office: its store and document table on one badger.
type node struct {
	st     *store.Store
	bl     *blob.Store
	signer *event.Signer
}

// keySigner makes a key from seed, or a random one for a nil seed.
func keySigner(seed []byte) (*event.Signer, error) {
	src := rand.Reader
	if seed != nil {
		src = bytes.NewReader(seed)
	}
	priv, _, err := crypto.GenerateEd25519Key(src)
	if err != nil {
		return nil, err
	}
	return event.NewSigner(priv)
}

func signer(tb testing.TB, seed []byte) *event.Signer {
	s, err := keySigner(seed)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// wantBlobs records referenced documents, as the node's store observer
// does.
type wantBlobs struct{}

func (wantBlobs) Committed(store.Result) {}

func (wantBlobs) InTxn(txn *badger.Txn, applied []*event.Event) error {
	for _, e := range applied {
		for _, h := range e.Blobs {
			if err := blob.Want(txn, h); err != nil {
				return err
			}
		}
	}
	return nil
}

// open opens a node in dir, or in memory for an empty dir. An in-memory
// badger refuses values over the store's 4 KiB value threshold, so nodes
// holding documents of whole chunks need a directory.
func open(dir string, s *event.Signer, admit func(peer.ID) bool) (*node, error) {
	st, err := store.Open(store.Options{
		Dir: dir, InMemory: dir == "", Signer: s, Clock: hlc.NewClock(time.Now, time.Minute),
		Admit: admit, MemTableSize: 8 << 20, Observer: wantBlobs{},
	})
	if err != nil {
		return nil, err
	}
	return &node{st: st, bl: blob.New(st.DB()), signer: s}, nil
}

func newNode(tb testing.TB, admit func(peer.ID) bool) *node {
	tb.Helper()
	n, err := open(tb.TempDir(), signer(tb, nil), admit)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { n.st.Close() })
	return n
}

func (n *node) put(tb testing.TB, entity, payload string, blobs ...event.Hash) *event.Event {
	tb.Helper()
	e, err := n.st.Append(store.Draft{Kind: "permohonan", Entity: entity, Type: "set", Payload: []byte(payload), Blobs: blobs}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func (n *node) doc(tb testing.TB, size int) event.Hash {
	tb.Helper()
	content := make([]byte, size)
	rand.Read(content)
	h, err := n.bl.Put(content)
	if err != nil {
		tb.Fatal(err)
	}
	return h
}

func (n *node) export(tb testing.TB, since vv.Vector) []byte {
	tb.Helper()
	var buf bytes.Buffer
	_, err := Export(&buf, n.st, n.bl, ExportOptions{Since: since, IncludeBlobs: true, Origin: n.st.Self()})
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// raws are the node's events in causal order.
func (n *node) raws(tb testing.TB) [][]byte {
	var out [][]byte
	err := n.st.Scan(nil, func(raw []byte) error { out = append(out, slices.Clone(raw)); return nil })
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func (n *node) load(file []byte, admit func(peer.ID) bool) (ImportStats, error) {
	return Import(bytes.NewReader(file), n.st, n.bl, ImportOptions{Admit: admit})
}

// office is a node with history: events over a few entities, two
// documents (one of several chunks) and a reference to one it lacks.
func office(tb testing.TB) (*node, []event.Hash) {
	a := newNode(tb, nil)
	docs := []event.Hash{a.doc(tb, 2*blob.ChunkSize+123), a.doc(tb, 500)}
	var missing event.Hash
	rand.Read(missing[:])
	for i := range 30 {
		a.put(tb, fmt.Sprintf("p%d", i%4), fmt.Sprintf(`{"nik":"32010101%08d"}`, i))
	}
	a.put(tb, "p1", `{"kk":"foto"}`, docs[0])
	a.put(tb, "p2", `{"ktp":"foto"}`, docs[1], missing)
	return a, append(docs, missing)
}

// snapshot is what an import may change, to show a refusal changed nothing.
type snapshot struct {
	vec    vv.Vector
	wanted []event.Hash
	chunks []uint32
}

func (n *node) snapshot(tb testing.TB, docs []event.Hash) snapshot {
	s := snapshot{vec: n.st.Vector()}
	var err error
	if s.wanted, err = n.bl.Wanted(); err != nil {
		tb.Fatal(err)
	}
	for _, h := range docs {
		next, err := n.bl.Next(h)
		if err != nil {
			tb.Fatal(err)
		}
		s.chunks = append(s.chunks, next)
	}
	return s
}

func (s snapshot) equal(o snapshot) bool {
	return s.vec.Equal(o.vec) && slices.Equal(s.wanted, o.wanted) && slices.Equal(s.chunks, o.chunks)
}

func TestRoundTrip(t *testing.T) {
	a, docs := office(t)
	var buf bytes.Buffer
	now := time.UnixMilli(1_750_000_000_123)
	ex, err := Export(&buf, a.st, a.bl, ExportOptions{IncludeBlobs: true, Origin: a.st.Self(), Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if ex.Events != 32 || ex.Blobs != 2 || ex.Bytes != int64(buf.Len()) {
		t.Fatalf("export stats %+v, file %d bytes", ex, buf.Len())
	}
	b := newNode(t, nil)
	im, err := b.load(buf.Bytes(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if im.Applied != 32 || im.Duplicates != 0 || im.Blobs != 2 || im.From != a.st.Self() || !im.Created.Equal(now) {
		t.Fatalf("import stats %+v", im)
	}
	if !b.st.Vector().Equal(a.st.Vector()) {
		t.Fatalf("vectors differ: %v vs %v", b.st.Vector(), a.st.Vector())
	}
	for _, h := range docs[:2] {
		want, _ := a.bl.Get(h)
		got, err := b.bl.Get(h)
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("document %s: %v", h, err)
		}
	}
	if w, _ := b.bl.Wanted(); !slices.Equal(w, docs[2:]) {
		t.Fatalf("wanted %v, want only the document A lacked", w)
	}
}

func TestExportSinceCarriesOnlyTheDelta(t *testing.T) {
	a, _ := office(t)
	b := newNode(t, nil)
	if _, err := b.load(a.export(t, nil), nil); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		a.put(t, "p9", fmt.Sprintf("a%d", i))
	}
	for i := range 3 {
		b.put(t, "p9", fmt.Sprintf("b%d", i))
	}
	var buf bytes.Buffer
	ex, err := Export(&buf, a.st, a.bl, ExportOptions{Since: b.st.Vector(), IncludeBlobs: true, Origin: a.st.Self()})
	if err != nil || ex.Events != 5 || ex.Blobs != 0 {
		t.Fatalf("delta export %+v: %v", ex, err)
	}
	im, err := b.load(buf.Bytes(), nil)
	if err != nil || im.Applied != 5 || im.Duplicates != 0 {
		t.Fatalf("delta import %+v: %v", im, err)
	}
	im, err = a.load(b.export(t, a.st.Vector()), nil)
	if err != nil || im.Applied != 3 {
		t.Fatalf("reverse import %+v: %v", im, err)
	}
	if !a.st.Vector().Equal(b.st.Vector()) {
		t.Fatal("vectors differ after both bundles")
	}
}

func TestImportTwiceIsIdempotent(t *testing.T) {
	a, docs := office(t)
	file := a.export(t, nil)
	b := newNode(t, nil)
	if _, err := b.load(file, nil); err != nil {
		t.Fatal(err)
	}
	before := b.snapshot(t, docs)
	im, err := b.load(file, nil)
	if err != nil || im.Applied != 0 || im.Duplicates != 32 || im.Blobs != 0 {
		t.Fatalf("second import %+v: %v", im, err)
	}
	if !b.snapshot(t, docs).equal(before) {
		t.Fatal("second import changed the node")
	}
}

// refused imports file into a node with history of its own and checks the
// error and that nothing changed.
func refused(t *testing.T, file []byte, docs []event.Hash, want error, admit func(peer.ID) bool) {
	t.Helper()
	b := newNode(t, admit)
	b.put(t, "own", "x=1")
	before := b.snapshot(t, docs)
	_, err := b.load(file, admit)
	t.Log(err)
	if !errors.Is(err, want) {
		t.Fatalf("want %v, got %v", want, err)
	}
	if !b.snapshot(t, docs).equal(before) {
		t.Fatalf("refused import (%v) changed the node", err)
	}
}

func TestTruncatedFileIsRefused(t *testing.T) {
	a, docs := office(t)
	file := a.export(t, nil)
	n := len(file)
	for _, cut := range []int{0, 7, 15, 16, 40, n / 3, n / 2, n - trailer - 1, n - trailer, n - sumSize - 3, n - 1} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) { refused(t, file[:cut], docs, ErrTruncated, nil) })
	}
}

func TestFlippedByteIsRefused(t *testing.T) {
	a, docs := office(t)
	file := a.export(t, nil)
	n := len(file)
	for _, at := range []int{0, 15, 17, 40, n / 2, n - trailer - 5, n - trailer + 2, n - 1} {
		t.Run(fmt.Sprint(at), func(t *testing.T) {
			bad := slices.Clone(file)
			bad[at] ^= 0x20
			refused(t, bad, docs, ErrCorrupt, nil)
		})
	}
}

// frameStream encodes a bundle's frame stream from arbitrary events and chunks.
func frameStream(origin peer.ID, evs [][]byte, chunks []chunk) []byte {
	var b bytes.Buffer
	frames.Write(&b, frameHeader, header{Origin: origin, Created: time.UnixMilli(1)}.marshal())
	n := counts{Events: uint64(len(evs)), Chunks: uint64(len(chunks))}
	if len(evs) > 0 {
		var body []byte
		for _, raw := range evs {
			body = append(binary.AppendUvarint(body, uint64(len(raw))), raw...)
		}
		frames.Write(&b, frameEvents, appendEvents(nil, len(evs), body))
	}
	for _, c := range chunks {
		frames.Write(&b, frameBlob, c.marshal(nil))
		if c.Idx == chunkCount(c.Size)-1 {
			n.Blobs++
		}
	}
	frames.Write(&b, frameEnd, n.marshal())
	return b.Bytes()
}

// pack wraps a frame stream as a file with a correct trailer: what a forger
// who knows the format produces.
func pack(stream []byte) []byte {
	var b bytes.Buffer
	b.WriteString(magic)
	b.WriteByte(version)
	z, _ := zstd.NewWriter(&b, zstd.WithWindowSize(encodeWindow))
	z.Write(stream)
	z.Close()
	b.WriteString(endMark)
	sum := sha256.Sum256(b.Bytes())
	return append(b.Bytes(), sum[:]...)
}

// unpack returns a file's frame stream.
func unpack(tb testing.TB, file []byte) []byte {
	z, err := zstd.NewReader(bytes.NewReader(file[prefix : len(file)-trailer]))
	if err != nil {
		tb.Fatal(err)
	}
	defer z.Close()
	b, err := io.ReadAll(z)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestForgedContentIsRefused(t *testing.T) {
	a, docs := office(t)
	all := a.raws(t)
	first, err := event.Unmarshal(all[0])
	if err != nil {
		t.Fatal(err)
	}
	t.Run("control", func(t *testing.T) {
		im, err := newNode(t, nil).load(pack(frameStream(a.st.Self(), all, nil)), nil)
		if err != nil || im.Applied != len(all) {
			t.Fatalf("hand-built bundle: %+v, %v", im, err)
		}
	})
	t.Run("event", func(t *testing.T) {
		forged := *first
		forged.Payload = []byte(`{"nik":"3201019999999999"}`)
		refused(t, pack(frameStream(a.st.Self(), [][]byte{forged.Marshal()}, nil)), docs, ErrForged, nil)
	})
	t.Run("document", func(t *testing.T) {
		c := chunk{Hash: docs[1], Size: 500, Data: make([]byte, 500)}
		refused(t, pack(frameStream(a.st.Self(), all, []chunk{c})), docs, ErrForged, nil)
	})
	t.Run("equivocation", func(t *testing.T) {
		other := *first
		other.Payload = []byte(`{"nik":"lain"}`)
		a.signer.Sign(&other) // validly signed, but not what b holds
		b := newNode(t, nil)
		if _, err := b.load(pack(frameStream(a.st.Self(), all[:1], nil)), nil); err != nil {
			t.Fatal(err)
		}
		before := b.snapshot(t, docs)
		_, err := b.load(pack(frameStream(a.st.Self(), [][]byte{other.Marshal(), all[1]}, nil)), nil)
		if !errors.Is(err, ErrForged) || !errors.Is(err, store.ErrEquivocation) {
			t.Fatalf("want equivocation refused, got %v", err)
		}
		if !b.snapshot(t, docs).equal(before) {
			t.Fatal("refused import changed the node")
		}
	})
}

func TestOriginOffRosterIsRefused(t *testing.T) {
	a, docs := office(t)
	outsider := a.st.Self()
	admit := func(id peer.ID) bool { return id != outsider }
	refused(t, a.export(t, nil), docs, store.ErrNotOnRoster, admit)
}

func TestGapIsRefused(t *testing.T) {
	a, docs := office(t)
	t.Run("sequence", func(t *testing.T) {
		since := a.st.Vector()
		since[a.st.Self()] = 10 // made for a node holding a's first ten events
		refused(t, a.export(t, since), docs, ErrGap, nil)
	})
	t.Run("dep", func(t *testing.T) {
		c := newNode(t, nil)
		if _, err := c.load(a.export(t, nil), nil); err != nil {
			t.Fatal(err)
		}
		c.put(t, "p1", "x=1") // depends on a's events, which the bundle leaves out
		refused(t, c.export(t, a.st.Vector()), docs, ErrGap, nil)
	})
}
