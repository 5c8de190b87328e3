package consensus

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/raft"

	"github.com/sinkron-id/sinkron/replication/internal/testdisk"
)

var testKey = []byte("0123456789abcdef0123456789abcdef") // an at-rest key, 32 bytes

// seal seals plain in writes of step bytes (uneven, to cross the chunks).
func seal(tb testing.TB, key, plain []byte, step int) []byte {
	tb.Helper()
	return sealSalted(tb, rand.Reader, key, plain, step)
}

// sealSalted is seal with the salt from salts.
func sealSalted(tb testing.TB, salts io.Reader, key, plain []byte, step int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	w, err := newSealWriter(&buf, key, salts)
	if err != nil {
		tb.Fatal(err)
	}
	for p := plain; len(p) > 0; {
		k := min(step, len(p))
		if n, err := w.Write(p[:k]); err != nil || n != k {
			tb.Fatalf("write: %d, %v", n, err)
		}
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func unseal(key, sealed []byte) ([]byte, error) {
	r, err := newSealReader(bytes.NewReader(sealed), key)
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

func randBytes(tb testing.TB, n int) []byte {
	tb.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestSealRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
	}{
		{"empty", 0}, {"one byte", 1}, {"chunk-1", sealChunk - 1}, {"chunk", sealChunk},
		{"chunk+1", sealChunk + 1}, {"1MiB", 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plain := randBytes(t, tc.size)
			for _, step := range []int{1000, sealChunk, 3 * sealChunk} {
				sealed := seal(t, testKey, plain, step)
				if int64(len(sealed)) != sealedSize(int64(tc.size)) {
					t.Fatalf("sealed %d bytes, sealedSize says %d", len(sealed), sealedSize(int64(tc.size)))
				}
				if n, ok := plainSize(int64(len(sealed))); !ok || n != int64(tc.size) {
					t.Fatalf("plainSize(%d) = %d, %v", len(sealed), n, ok)
				}
				got, err := unseal(testKey, sealed)
				if err != nil || !bytes.Equal(got, plain) {
					t.Fatalf("step %d: %d bytes back, %v", step, len(got), err)
				}
			}
		})
	}
}

// Every length a sealed stream can have maps back to its plaintext length,
// and the lengths between (a partial frame) are refused.
func TestPlainSize(t *testing.T) {
	for n := range int64(3*sealChunk + 2) {
		if got, ok := plainSize(sealedSize(n)); !ok || got != n {
			t.Fatalf("plainSize(sealedSize(%d)) = %d, %v", n, got, ok)
		}
	}
	for _, c := range []int64{-1, 0, sealSaltLen, sealedSize(0) - 1, sealedSize(sealChunk-1) + 1, sealedSize(sealChunk) - 1} {
		if n, ok := plainSize(c); ok {
			t.Errorf("plainSize(%d) = %d, want refusal", c, n)
		}
	}
}

// frameAt is the offset of frame i in a stream of full frames.
func frameAt(i int) int { return sealSaltLen + i*sealFrame }

func TestSealRefusesDamage(t *testing.T) {
	plain := randBytes(t, 3*sealChunk+100) // three full frames, a final one of 100
	sealed := seal(t, testKey, plain, 5000)
	frame := func(i int) []byte { return sealed[frameAt(i):frameAt(i+1)] }
	cut := func(n int) []byte { return sealed[:n] }
	flip := func(at int, bit byte) []byte {
		b := bytes.Clone(sealed)
		b[at] ^= bit
		return b
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	final := sealed[frameAt(3):]
	for _, tc := range []struct {
		name   string
		stream []byte
		key    []byte
	}{
		{"empty", nil, testKey},
		{"cut in the salt", cut(10), testKey},
		{"cut after the salt", cut(sealSaltLen), testKey},
		{"cut in a length", cut(sealSaltLen + 2), testKey},
		{"cut in a frame", cut(sealSaltLen + 500), testKey},
		{"cut at a frame boundary", cut(frameAt(1)), testKey},
		{"cut before the final frame", cut(frameAt(3)), testKey},
		{"cut in the final tag", cut(len(sealed) - 1), testKey},
		{"flipped salt", flip(0, 0x01), testKey},
		{"flipped length, too large", flip(sealSaltLen+1, 0x80), testKey},
		{"flipped length, shorter", flip(sealSaltLen+3, 0x10), testKey},
		{"flipped ciphertext", flip(sealSaltLen+sealLenLen+7, 0x10), testKey},
		{"flipped tag", flip(frameAt(1)-1, 0x80), testKey},
		{"flipped final frame", flip(len(sealed)-50, 0x02), testKey},
		{"frames swapped", cat(sealed[:sealSaltLen], frame(1), frame(0), frame(2), final), testKey},
		{"frame dropped", cat(sealed[:sealSaltLen], frame(0), frame(2), final), testKey},
		{"frame repeated", cat(sealed[:frameAt(2)], frame(1), frame(2), final), testKey},
		{"final frame moved up", cat(sealed[:frameAt(1)], final), testKey},
		{"data after the final frame", cat(sealed, []byte{0}), testKey},
		{"final frame twice", cat(sealed, final), testKey},
		{"zero-length frame", cat(sealed[:sealSaltLen], []byte{0, 0, 0, 0}), testKey},
		{"wrong key", sealed, []byte("fedcba9876543210fedcba9876543210")},
		{"shorter key", sealed, testKey[:16]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := unseal(tc.key, tc.stream)
			if !errors.Is(err, errSealCorrupt) {
				t.Fatalf("read %d bytes, err %v; want %v", len(got), err, errSealCorrupt)
			}
			// An FSM reading to EOF must not see the damage as an end.
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("err %v looks like an end of stream", err)
			}
		})
	}
}

// A frame claiming a huge length is refused from its header, before
// anything is allocated or read for it.
func TestSealRefusesHugeFrame(t *testing.T) {
	stream := append(make([]byte, sealSaltLen), binary.BigEndian.AppendUint32(nil, 1<<31)...)
	if _, err := unseal(testKey, stream); !errors.Is(err, errSealCorrupt) {
		t.Fatalf("err = %v", err)
	}
}

// The salt comes from the given source and only from it: the same source
// seals the same way, a fresh one differently, a failing one not at all.
func TestSealSaltSource(t *testing.T) {
	plain := []byte("NIK 1806015708900003")
	sealWith := func(r io.Reader) ([]byte, error) {
		var buf bytes.Buffer
		w, err := newSealWriter(&buf, testKey, r)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(plain); err != nil {
			return nil, err
		}
		return buf.Bytes(), w.Close()
	}
	zeros := func() io.Reader { return bytes.NewReader(make([]byte, sealSaltLen)) }
	a, errA := sealWith(zeros())
	b, errB := sealWith(zeros())
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Fatalf("same salt, different streams (%v, %v)", errA, errB)
	}
	if c := seal(t, testKey, plain, 100); bytes.Equal(a[sealSaltLen:], c[sealSaltLen:]) {
		t.Fatal("a fresh salt sealed the same ciphertext")
	}
	if _, err := sealWith(bytes.NewReader(nil)); err == nil {
		t.Fatal("sealed without a salt")
	}
}

// newSealedStore is a sealed file snapshot store in a fresh directory.
func newSealedStore(t *testing.T) (*sealedSnapshots, string) {
	dir := t.TempDir()
	files, err := raft.NewFileSnapshotStoreWithLogger(dir, 2, hclog.NewNullLogger())
	if err != nil {
		t.Fatal(err)
	}
	return newSealedSnapshots(files, testKey, rand.Reader), dir
}

// Through the store: raft's files hold no plaintext, and List and Open
// report the plaintext size raft streams to followers.
func TestSealedSnapshotStore(t *testing.T) {
	store, dir := newSealedStore(t)
	marker := []byte(`{"nik":"1806015708900003","nama":"SITI AMINAH"}`)
	plain := bytes.Repeat(marker, 5000) // several chunks
	sink, err := store.Create(raft.SnapshotVersionMax, 42, 3, raft.Configuration{}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(sink, bytes.NewReader(plain)); err != nil || n != int64(len(plain)) {
		t.Fatalf("copy = %d, %v", n, err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if found := testdisk.FilesContaining(t, dir, []byte("1806015708900003")); len(found) > 0 {
		t.Fatalf("plaintext on disk in %v", found)
	}
	metas, err := store.List()
	if err != nil || len(metas) != 1 || metas[0].Size != int64(len(plain)) {
		t.Fatalf("list = %+v, %v; want one of size %d", metas, err, len(plain))
	}
	meta, rc, err := store.Open(sink.ID())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil || meta.Size != int64(len(plain)) || !bytes.Equal(got, plain) {
		t.Fatalf("open: size %d, %d bytes back, %v; want %d", meta.Size, len(got), err, len(plain))
	}
	if meta.Index != 42 || meta.Term != 3 {
		t.Fatalf("meta = %+v", meta)
	}
}

// A sink cancelled or closed without its final frame leaves no snapshot a
// reader would take for whole.
func TestSealedSinkCancel(t *testing.T) {
	store, _ := newSealedStore(t)
	sink, err := store.Create(raft.SnapshotVersionMax, 7, 1, raft.Configuration{}, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sink.Write([]byte("partial")); err != nil {
		t.Fatal(err)
	}
	if err := sink.Cancel(); err != nil {
		t.Fatal(err)
	}
	if metas, err := store.List(); err != nil || len(metas) != 0 {
		t.Fatalf("list after cancel = %v, %v", metas, err)
	}
}
