package api

import (
	"context"
	"sync"
	"testing"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
	"github.com/sinkron-id/sinkron/node/request"
)

// A filing sent again with its key (a double click, a reload of the
// answer, a retry after a lost reply) gets the first filing's request,
// even when the copies arrive at once; another key files another request,
// and a malformed key is refused with nothing filed.
func TestFilingKeyMakesCreateIdempotent(t *testing.T) {
	nw, srv := serve(t)
	c := sinkronv1connect.NewRequestServiceClient(srv.Client(), srv.URL)
	in := createReq()
	in.FilingKey = "formulir-7f3a9c"
	ids := make([]string, 6)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := c.CreateRequest(context.Background(), connect.NewRequest(in))
			if err != nil {
				t.Error(err)
				return
			}
			ids[i] = res.Msg.Request.Id
		}()
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("one key filed %v", ids)
		}
	}
	count := func() int {
		rs, err := nw.Kecamatan(0).Requests.List(request.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(rs)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d requests stored, want 1", n)
	}
	in.FilingKey = "formulir-8b11d0"
	if res, err := c.CreateRequest(context.Background(), connect.NewRequest(in)); err != nil || res.Msg.Request.Id == ids[0] {
		t.Fatalf("another key: %v", err)
	}
	in.FilingKey = "kunci dengan spasi"
	if _, err := c.CreateRequest(context.Background(), connect.NewRequest(in)); connect.CodeOf(err) != connect.CodeInvalidArgument {
		t.Fatalf("a malformed key: %v", err)
	}
	if n := count(); n != 2 {
		t.Fatalf("%d requests stored, want 2", n)
	}
}
