package retrieval

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// The Store's side of read replicas (store_replicas.go): which server a read runs on, the
// same one for the queries of one search, and the fallback to the primary.

// Collectors returns the Store's Prometheus series, for the registry served at
// FOOTNOTE_METRICS_ADDR: where searches and listings ran, and each replica's lag. Without
// replicas there are none.
func (s *Store) Collectors() []prometheus.Collector {
	if s == nil || s.replicas == nil {
		return nil
	}
	return []prometheus.Collector{s.replicas.reads, s.replicas.lag}
}

// pinKey is the context key of a read target chosen for several queries (pinReads).
type pinKey struct{}

// pin is a read target chosen once for the queries of one search.
type pin struct {
	coll    string
	replica *replica // nil: the primary
}

// pinReads returns ctx with a read target for coll chosen once, so that the queries of one
// search (term statistics, both arms, the passages) read one server's state rather than
// replicas at different positions. Without replicas ctx is returned as is.
func (s *Store) pinReads(ctx context.Context, coll string) context.Context {
	if s.replicas == nil {
		return ctx
	}
	r, reason := s.replicas.pick(ctx, coll)
	s.replicas.count(r, reason)
	return context.WithValue(ctx, pinKey{}, pin{coll: coll, replica: r})
}

// readTarget returns the replica to run a read of coll on, or nil for the primary: the
// one pinned in ctx for coll (the primary once a query found it down), else one picked
// now.
func (s *Store) readTarget(ctx context.Context, coll string) *replica {
	if p, ok := ctx.Value(pinKey{}).(pin); ok && p.coll == coll {
		if p.replica != nil && p.replica.state.Load().err != nil {
			return nil
		}
		return p.replica
	}
	r, reason := s.replicas.pick(ctx, coll)
	s.replicas.count(r, reason)
	return r
}

func (rs *replicas) count(r *replica, reason string) {
	target := "primary"
	if r != nil {
		target = "replica"
	}
	rs.reads.WithLabelValues(target, reason).Inc()
}

// onReplica runs fn, a read of coll ("" for reads that span collections), on a replica
// when one may serve it, else on the primary; when fn fails on a replica (and ctx has not
// ended) the replica is marked down and fn runs again on the primary. fn must start
// afresh each time it is called.
func (s *Store) onReplica(ctx context.Context, coll string, fn func(*pgxpool.Pool) error) error {
	if s.replicas == nil {
		return fn(s.pool)
	}
	r := s.readTarget(ctx, coll)
	if r == nil {
		return fn(s.pool)
	}
	err := fn(r.pool)
	var read *readStarted
	if errors.As(err, &read) {
		return read.err // rows were handed on: running it again could hand them twice
	}
	if err == nil || ctx.Err() != nil {
		return err
	}
	// A replica out of reach is left alone for a while; another failure (a query
	// cancelled by a conflict with the replay of the primary's WAL, SQLSTATE 40001) is
	// only this query's.
	if classifyIn(ctx, err) == faultUnavailable {
		s.replicas.markDown(ctx, r, err)
	}
	s.replicas.count(nil, "failed")
	return fn(s.pool)
}

// readStarted is an error of an onReplica read after it handed on rows, which must not run
// again.
type readStarted struct{ err error }

func (e *readStarted) Error() string { return e.err.Error() }
func (e *readStarted) Unwrap() error { return e.err }
