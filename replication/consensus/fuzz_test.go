package consensus

import (
	"bufio"
	"bytes"
	"errors"
	"testing"

	"github.com/libp2p/go-libp2p/core/peer"
)

// FuzzForwardFrame feeds arbitrary bytes to every decoder a forward stream
// reaches, on both the serving and the calling side, and checks that what
// decodes survives a re-encode (varints may be non-minimal on input).
func FuzzForwardFrame(f *testing.F) {
	id, _ := peer.Decode("12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA")
	for _, seed := range [][]byte{
		frames.Append(nil, kindPropose, kvCmd("k", "v")),
		frames.Append(nil, kindAddVoter, []byte(id)),
		frames.Append(nil, kindTransfer, nil),
		frames.Append(nil, respOK, nodeStatus{Applied: 7, LastLog: 9, Term: 2}.marshal()),
		frames.Append(nil, respErr, encodeErr(errNoLeader)),
		frames.Append(nil, respErr, encodeErr(errors.New("refused"))),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for {
			kind, body, err := frames.Read(r)
			if err != nil {
				break
			}
			k2, b2, err := frames.Read(bufio.NewReader(bytes.NewReader(frames.Append(nil, kind, body))))
			if err != nil || k2 != kind || !bytes.Equal(b2, body) {
				t.Fatalf("frame round trip: %q %x → %q %x, %v", kind, body, k2, b2, err)
			}
			decodePeer(body, true)
			decodeResponse(kind, body)
			if ns, err := unmarshalStatus(body); err == nil {
				if got, err := unmarshalStatus(ns.marshal()); err != nil || got != ns {
					t.Fatalf("status round trip: %+v → %+v, %v", ns, got, err)
				}
			}
		}
	})
}

// FuzzSnapshotReader feeds arbitrary bytes to the sealed snapshot reader: it
// must never panic, and only the untouched streams sealed here may read
// back, as exactly the plaintext size their length announces. Anything
// else must be refused as corrupt.
func FuzzSnapshotReader(f *testing.F) {
	// Fixed salts: every fuzzing process must seal the same seeds.
	valid := map[string]bool{}
	for i, n := range []int{0, 1, 100, sealChunk, sealChunk + 3} {
		salt := bytes.NewReader(bytes.Repeat([]byte{byte(i)}, sealSaltLen))
		s := sealSalted(f, salt, testKey, bytes.Repeat([]byte("NIK"), n/3+1)[:n], 4096)
		valid[string(s)] = true
		f.Add(s)
		f.Add(s[:len(s)/2])
	}
	f.Add([]byte{})
	f.Add(make([]byte, sealSaltLen+sealLenLen))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := unseal(testKey, data)
		switch {
		case err == nil && !valid[string(data)]:
			t.Fatalf("accepted a stream not sealed here (%d bytes)", len(data))
		case err == nil:
			if n, ok := plainSize(int64(len(data))); !ok || n != int64(len(out)) {
				t.Fatalf("read %d bytes, the length announces %d (%v)", len(out), n, ok)
			}
		case !errors.Is(err, errSealCorrupt):
			t.Fatalf("refused with %v, want %v", err, errSealCorrupt)
		}
	})
}
