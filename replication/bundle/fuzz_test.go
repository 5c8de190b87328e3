package bundle

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sinkron-id/sinkron/replication/event"
	"github.com/sinkron-id/sinkron/replication/store"
	"github.com/sinkron-id/sinkron/replication/vv"
)

// memNode is an in-memory node, for the fuzzer and the benchmark, which
// open many; documents on it must stay under 4 KiB.
func memNode(tb testing.TB, seed []byte) *node {
	tb.Helper()
	n, err := open("", signer(tb, seed), nil)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// seedBundle is a small valid bundle: a few events, one of them with a
// one-chunk document, from a fixed key.
func seedBundle(tb testing.TB) []byte {
	a := memNode(tb, bytes.Repeat([]byte{7}, 32))
	defer a.st.Close()
	h, err := a.bl.Put(bytes.Repeat([]byte("KTP-el "), 100))
	if err != nil {
		tb.Fatal(err)
	}
	a.put(tb, "p1", `{"status":"baru"}`)
	a.put(tb, "p1", `{"status":"diproses"}`, h)
	a.put(tb, "p2", `{"status":"baru"}`)
	var buf bytes.Buffer
	_, err = Export(&buf, a.st, a.bl, ExportOptions{IncludeBlobs: true, Origin: a.st.Self(), Now: time.UnixMilli(1)})
	if err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// reseal gives data a correct checksum, so the fuzzer reaches the decoder.
func reseal(data []byte) []byte {
	if len(data) < sumSize {
		return data
	}
	out := slices.Clone(data)
	sum := sha256.Sum256(out[:len(out)-sumSize])
	copy(out[len(out)-sumSize:], sum[:])
	return out
}

// The fuzz target is shared by all inputs of a worker: opening badger per
// input would leave the fuzzer little time for anything else.
var fuzzTarget = sync.OnceValues(func() (*node, error) {
	s, err := keySigner(nil)
	if err != nil {
		return nil, err
	}
	return open("", s, nil)
})

// FuzzImport feeds the importer raw files (mode 0), files with a corrected
// checksum (mode 1) and frame streams packed into well-formed files (mode
// 2). It must never panic, refuse only with the refusal errors, and accept
// only what leaves the target holding validly signed events.
func FuzzImport(f *testing.F) {
	seed := seedBundle(f)
	f.Add(byte(0), seed)
	f.Add(byte(1), seed[:len(seed)-5])
	f.Add(byte(2), unpack(f, seed))
	f.Fuzz(func(t *testing.T, mode byte, data []byte) {
		switch mode % 3 {
		case 1:
			data = reseal(data)
		case 2:
			data = pack(data)
		}
		n, err := fuzzTarget()
		if err != nil {
			t.Fatal(err)
		}
		_, err = Import(bytes.NewReader(data), n.st, n.bl, ImportOptions{})
		if err != nil && !isRefusal(err) {
			t.Fatalf("not a refusal: %v", err)
		}
		if err == nil {
			allValid(t, n.st)
		}
	})
}

func isRefusal(err error) bool {
	for _, r := range []error{ErrTruncated, ErrCorrupt, ErrForged, ErrGap, ErrNotAdmitted} {
		if errors.Is(err, r) {
			return !errors.Is(err, ErrInterrupted)
		}
	}
	return false
}

// allValid checks that every event st holds is signed by its origin and
// that the vector counts exactly them.
func allValid(t *testing.T, st *store.Store) {
	var evs []*event.Event
	err := st.Scan(vv.Vector{}, func(raw []byte) error {
		e, err := event.Unmarshal(raw)
		evs = append(evs, e)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, rej := st.Verifier().VerifyBatch(evs); len(rej) > 0 {
		t.Fatalf("target holds a forged event: %v", rej[0].Err)
	}
	if total := st.Vector().Total(); total != uint64(len(evs)) {
		t.Fatalf("vector counts %d events, store holds %d", total, len(evs))
	}
}

const benchEvents = 10_000

// benchSource is a node with benchEvents of about 300 bytes of payload
// each, over 1000 entities; built once, as it takes a while.
var benchSource = sync.OnceValues(func() (*node, error) {
	s, err := keySigner(nil)
	if err != nil {
		return nil, err
	}
	n, err := open("", s, nil)
	if err != nil {
		return nil, err
	}
	for i := range benchEvents {
		p := fmt.Sprintf(`{"nik":"3201%012d","nama":"Warga %d","alamat":"Jl. Merdeka No. %d RT %03d/RW %03d","layanan":"akta-kelahiran","status":"diproses"`,
			i, i, i%200, i%17, i%9)
		p += `,"catatan":"` + strings.Repeat("berkas lengkap ", (300-len(p))/15) + `"}`
		_, err := n.st.Append(store.Draft{Kind: "permohonan", Entity: fmt.Sprintf("p%04d", i%1000), Type: "set", Payload: []byte(p)}, nil)
		if err != nil {
			return nil, err
		}
	}
	return n, nil
})

// BenchmarkExportImport measures a full flash-disk round: export every
// event, then spool, verify and apply them on an empty node.
func BenchmarkExportImport(b *testing.B) {
	src, err := benchSource()
	if err != nil {
		b.Fatal(err)
	}
	var size int
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := memNode(b, nil)
		b.StartTimer()
		var buf bytes.Buffer
		if _, err := Export(&buf, src.st, src.bl, ExportOptions{IncludeBlobs: true, Origin: src.st.Self()}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
		im, err := Import(&buf, dst.st, dst.bl, ImportOptions{})
		if err != nil || im.Applied != benchEvents {
			b.Fatalf("import %+v: %v", im, err)
		}
		b.StopTimer()
		dst.st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(benchEvents*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(size), "bundle-bytes")
}
