package lab

import (
	"context"
	"math/rand/v2"
	"time"

	"connectrpc.com/connect"

	v1 "github.com/sinkron-id/sinkron/api/gen/sinkron/v1"
)

// Residents check their requests on the dinas's public API, from the
// internet, every Every, until ctx ends. A request that has not reached
// the dinas yet is simply not found: only answers are counted.
func Residents(ctx context.Context, l *Lab, g *Ledger, every time.Duration, seed uint64) {
	dinas := l.State.Dinas()
	rng := rand.New(rand.NewPCG(seed, 7))
	for ctx.Err() == nil {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		reqs := g.Requests()
		if len(reqs) == 0 {
			continue
		}
		pub, err := l.Public(dinas[rng.IntN(len(dinas))].Name)
		if err != nil {
			return
		}
		a := reqs[rng.IntN(len(reqs))]
		cctx, cancel := context.WithTimeout(ctx, callTimeout)
		_, err = pub.TrackRequest(cctx, connect.NewRequest(&v1.TrackRequestRequest{TrackingCode: a.ID, Nik: residentNIK}))
		cancel()
		g.count(func(g *Ledger) {
			g.Tracked++
			if err == nil {
				g.Found++
			}
		})
	}
}
