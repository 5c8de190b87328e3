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
		appendFrame(nil, kindPropose, kvCmd("k", "v")),
		appendFrame(nil, kindAddVoter, []byte(id)),
		appendFrame(nil, kindTransfer, nil),
		appendFrame(nil, respOK, nodeStatus{Applied: 7, LastLog: 9, Term: 2}.marshal()),
		appendFrame(nil, respErr, encodeErr(errNoLeader)),
		appendFrame(nil, respErr, encodeErr(errors.New("refused"))),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for {
			kind, body, err := readFrame(r)
			if err != nil {
				break
			}
			k2, b2, err := readFrame(bufio.NewReader(bytes.NewReader(appendFrame(nil, kind, body))))
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
