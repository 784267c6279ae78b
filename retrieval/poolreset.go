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

// check resets the pool when the statement run under ctx failed with err because the
// database went away. A statement whose own context ended is no sign of that: pgx closes
// the connection it cancelled (and the transaction's rollback on it then fails with "conn
// closed"), while every other connection is fine. A feed item's deadline, the end of a
// recrawl pass or of a reindex slice, a shutdown or an interrupted import would otherwise
// empty the pool.
func (r *resetOnOutage) check(ctx context.Context, err error) {
	if err == nil || ctx.Err() != nil || classifyIn(ctx, err) != faultUnavailable {
		return
	}
	if p := r.pool.Load(); p != nil {
		p.Reset()
	}
}

func (r *resetOnOutage) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (r *resetOnOutage) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryEndData) {
	r.check(ctx, d.Err)
}

func (r *resetOnOutage) TraceCopyFromStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceCopyFromStartData) context.Context {
	return ctx
}

func (r *resetOnOutage) TraceCopyFromEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceCopyFromEndData) {
	r.check(ctx, d.Err)
}

func (r *resetOnOutage) TraceBatchStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceBatchStartData) context.Context {
	return ctx
}

func (r *resetOnOutage) TraceBatchQuery(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchQueryData) {
	r.check(ctx, d.Err)
}

func (r *resetOnOutage) TraceBatchEnd(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchEndData) {
	r.check(ctx, d.Err)
}
