package retrieval

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// resetOnOutage is a pgx tracer that empties the pool the moment a statement fails because
// the database went away (faultUnavailable). A restarted server has ended every session the
// pool holds, and pgxpool pings only a connection idle for over a second before handing it
// out: without the reset, each dead connection failed one more request after the server
// was back (a member told to try again, again). Connections are opened anew as they are
// needed, a few milliseconds each; connections in use are closed when they are released.
type resetOnOutage struct {
	pool atomic.Pointer[pgxpool.Pool] // set once the pool exists
}

func (r *resetOnOutage) check(err error) {
	if err == nil || classify(err) != faultUnavailable {
		return
	}
	if p := r.pool.Load(); p != nil {
		p.Reset()
	}
}

func (r *resetOnOutage) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (r *resetOnOutage) TraceQueryEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	r.check(d.Err)
}

func (r *resetOnOutage) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return ctx
}

func (r *resetOnOutage) TraceCopyFromEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceCopyFromEndData) {
	r.check(d.Err)
}

func (r *resetOnOutage) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (r *resetOnOutage) TraceBatchQuery(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	r.check(d.Err)
}

func (r *resetOnOutage) TraceBatchEnd(_ context.Context, _ *pgx.Conn, d pgx.TraceBatchEndData) {
	r.check(d.Err)
}
