package api

import (
	"context"
	"fmt"

	"connectrpc.com/connect"

	"github.com/sinkron-id/sinkron/api/gen/sinkron/v1/sinkronv1connect"
)

// diskGuard refuses every call that writes when the node's disk is nearly
// full, before it reaches the store: a write on a full disk would crash
// the node rather than fail (see node.DiskReserve). Reads go through, so
// the office still serves what it holds.
type diskGuard struct{ n diskChecker }

// writesNothing are calls not marked free of side effects that still write
// nothing locally: a bundle export is how an office with a full disk gets
// its data to the dinas.
var writesNothing = map[string]bool{sinkronv1connect.NodeServiceExportBundleProcedure: true}

func (g diskGuard) check(spec connect.Spec) error {
	if spec.IdempotencyLevel == connect.IdempotencyNoSideEffects || writesNothing[spec.Procedure] {
		return nil
	}
	if err := g.n.CheckDisk(); err != nil {
		return connect.NewError(connect.CodeResourceExhausted, fmt.Errorf("perubahan tidak disimpan: %w", err))
	}
	return nil
}

func (g diskGuard) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if err := g.check(req.Spec()); err != nil {
			return nil, err
		}
		return next(ctx, req)
	}
}

func (g diskGuard) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (g diskGuard) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		if err := g.check(conn.Spec()); err != nil {
			return err
		}
		return next(ctx, conn)
	}
}
