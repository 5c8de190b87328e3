package decision

import (
	"fmt"
	"testing"
	"time"

	"github.com/hashicorp/raft"
	"google.golang.org/protobuf/proto"

	"github.com/sinkron-id/sinkron/node/eventpb"
)

// BenchmarkApply is the decision machine's share of a decision: AssignNIK
// commands applied on the real state store (OpenDB, with an at-rest key as
// a node has), one per batch as a lone client's arrive, and 256 per batch
// as a loaded leader's do.
//
//	go test -run '^$' -bench Apply -benchtime 20000x ./node/decision/
func BenchmarkApply(b *testing.B) {
	for _, batch := range []int{1, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			db, err := OpenDB(b.TempDir(), make([]byte, 32))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			f, err := NewFSM(db)
			if err != nil {
				b.Fatal(err)
			}
			ls := make([]*raft.Log, b.N)
			for i := range ls {
				birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/40).Format(time.DateOnly)
				data, _ := proto.Marshal(&eventpb.Command{Key: fmt.Sprintf("bench/%d", i), TimeMs: 1, Op: &eventpb.Command_AssignNik{
					AssignNik: &eventpb.AssignNIK{Region: "180601", BirthDate: birth, Female: i%2 == 0, Subject: fmt.Sprintf("p-%d", i)}}})
				ls[i] = &raft.Log{Index: uint64(i + 1), Type: raft.LogCommand, Data: data}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				for _, r := range f.ApplyBatch(ls[i:min(i+batch, b.N)]) {
					if err, ok := r.(error); ok {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
