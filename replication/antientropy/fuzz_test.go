package antientropy

import (
	"bufio"
	"bytes"
	"testing"

	"github.com/sinkron-id/sinkron/replication/vv"
)

// FuzzFrames feeds arbitrary bytes to every decoder a peer's stream reaches.
func FuzzFrames(f *testing.F) {
	var hello bytes.Buffer
	frames.Write(&hello, frameHello, appendEntries([]byte{1}, []Entry{{Tag: Tag{1}, Seq: 5}}))
	f.Add(hello.Bytes())
	var batch bytes.Buffer
	b := &batcher{w: &batch, maxBytes: 1 << 20, maxCount: 10}
	b.add([]byte{1, 2, 3})
	b.flush()
	f.Add(batch.Bytes())
	f.Add(vv.Vector{}.Marshal())
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bufio.NewReader(bytes.NewReader(data))
		for {
			typ, body, err := frames.Read(r)
			if err != nil {
				break
			}
			switch typ {
			case frameHello:
				parseHeader(body, 1)
			case frameReply:
				parseHeader(body, 2)
			case frameBatch:
				parseBatch(body)
			}
		}
		if v, err := vv.Unmarshal(data); err == nil {
			if got, err := vv.Unmarshal(v.Marshal()); err != nil || !got.Equal(v) {
				t.Fatalf("vector round trip: %v", err)
			}
		}
	})
}
