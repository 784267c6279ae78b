package retrieval

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Row-level security (migration 013) is the second wall between collections, after the
// WHERE collection = ... of every query: on every table that holds a collection's rows, a
// transaction sees and writes only the rows of the collection its setting
// footnote.collection names, and nothing when it names none. So every Store method that
// touches those tables runs in one of two kinds of transaction:
//
//   - inCollection(coll): the work of one collection, which is nearly all of it;
//   - inAllCollections: the few queries that span collections by design, each of which
//     says why where it calls it. They are: claimDueFeeds and countRecrawlDue /
//     claimDueArticle when not given a collection (the background jobs take due feeds and
//     articles of every collection, then work on each in its own collection), feedByID (a
//     feed poll job knows only the feed's id), and dueDepartures (the sweep lists the
//     collections whose server left; deleteDeparted then deletes each in its own).
//
// A query on those tables outside both sees nothing, which the tests catch at once
// (TestStoreQueriesRunInAScope keeps them from being written).

// inCollection runs fn in a transaction that sees and writes only the rows of coll, and
// commits it when fn returns nil (fn's error is returned as is, the transaction rolled
// back). The collection is set for this transaction only (set_config's is_local), so a
// pooled connection carries nothing to its next user.
func (s *Store) inCollection(ctx context.Context, coll string, fn func(storeTx) error) error {
	if coll == "" {
		return fmt.Errorf("%w: no collection", ErrInvalidInput)
	}
	return s.inScope(ctx, collectionScope(coll), fn)
}

// inAllCollections runs fn in a transaction that sees and writes the rows of every
// collection (footnote.scope = 'all'), committed when fn returns nil. Only the queries
// listed above call it.
func (s *Store) inAllCollections(ctx context.Context, fn func(storeTx) error) error {
	return s.inScope(ctx, allCollectionsScope, fn)
}

// allCollectionsScope is the statement that opens a transaction of inAllCollections.
const allCollectionsScope = "BEGIN; SELECT set_config('footnote.scope', 'all', true)"

// collectionScope is the statement that opens a transaction of inCollection: BEGIN and the
// setting in one round trip to the server (a simple query may hold two statements; one
// with parameters may not). The name travels hex-encoded, so no byte of it is SQL.
func collectionScope(coll string) string {
	return "BEGIN; SELECT set_config('footnote.collection', convert_from(decode('" +
		hex.EncodeToString([]byte(coll)) + "', 'hex'), 'UTF8'), true)"
}

// inScope runs fn in a transaction opened by begin (collectionScope or
// allCollectionsScope).
func (s *Store) inScope(ctx context.Context, begin string, fn func(storeTx) error) error {
	return pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{BeginQuery: begin}, func(tx pgx.Tx) error {
		return fn(storeTx{tx})
	})
}

// inCollectionOrAll is inCollection(coll), or inAllCollections when coll is "": for the
// claims of due work that take one collection's (a command run with --collection) or every
// collection's (the background jobs).
func (s *Store) inCollectionOrAll(ctx context.Context, coll string, fn func(storeTx) error) error {
	if coll == "" {
		return s.inAllCollections(ctx, fn)
	}
	return s.inCollection(ctx, coll, fn)
}
