package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
	"github.com/sinkron-id/sinkron/node/institution"
)

// FuzzInstitutionCheck feeds the institutions' check arbitrary request
// bodies and Authorization headers up to the point where the database would
// be read: decoding, the key's parse and the query's validation never
// panic, and a query that validates has a 16-digit NIK and a send time
// within the replay window.
func FuzzInstitutionCheck(f *testing.F) {
	now := time.Date(2026, 12, 7, 3, 0, 0, 0, time.UTC)
	good, _ := proto.Marshal(&v1.CheckRequest{RequestId: "bpjs-00000001", SentAt: timestamppb.New(now),
		Nik: "1806015708900001", Nama: "Siti Aminah", TanggalLahir: "1990-08-17"})
	f.Add(good, "Bearer sk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Add([]byte{0x0a, 0xff}, "Basic x")
	f.Fuzz(func(t *testing.T, body []byte, auth string) {
		h := http.Header{}
		h.Set("Authorization", auth)
		_, _ = institution.ParseKey(credential(context.Background(), h).Key)
		var m v1.CheckRequest
		if proto.Unmarshal(body, &m) != nil {
			return
		}
		q := queryOf(&m)
		if q.Validate(now) == nil && (len(q.NIK) != 16 || q.SentAt.Sub(now).Abs() > institution.ReplayWindow) {
			t.Fatalf("accepted %+v", q)
		}
	})
}
