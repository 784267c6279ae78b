package retrieval

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Row-level security (migration 015) is the second wall between collections, after the
// WHERE collection = ... of every query: on every table that holds a collection's rows, a
// statement sees and writes only the rows of the collection its transaction's setting
// footnote.collection names, and nothing when it names none. So every Store query on those
// tables states its scope, and goes through one of the helpers below, which set it:
//
//   - query and exec run one statement in a scope;
//   - inCollection and inAllCollections run a transaction of several, for the writes that
//     must happen together.
//
// Nearly all work is one collection's (in(coll)). Searches and listings say so (readIn(coll)):
// a read replica may serve them (store_replicas.go lists which); writes that no such read
// shows say so too (unseenIn(coll)). A few queries span collections by design,
// each saying why where it asks for allCollections: claimDueFeeds, countRecrawlDue and
// claimDueArticle when not given a collection (the background jobs take due feeds and
// articles of every collection, then work on each in its own collection), feedByID (a
// feed poll job knows only the feed's id), dueDepartures (the sweep lists the
// collections whose server left; deleteDeparted then deletes each in its own),
// guildCollections (the reconcile before each sweep lists every server's collection),
// deleteUnusedSpaces (a space is unused only when no collection uses it), spaceRows
// (the dense arm's choice of scan depends on how many vectors other collections put in
// the space's index; it reads their sizes only), the site tables' Robots, PutRobots,
// Turn and pruneSites (store_sites.go: a web site's rules and pace are no collection's),
// and ForgetQuestions (the operator's retention is the same for every server).
//
// A query on those tables outside these helpers sees nothing, which the tests catch at
// once, and TestStoreQueriesRunInAScope keeps them from being written.

// scope is the rows a statement or transaction sees: one collection's, or every one's;
// read marks a search or listing that a read replica may serve (readIn), unseen a write
// that no such read shows (unseenIn).
type scope struct {
	setting, value string
	read, unseen   bool
	// plannerOff, when set, is a planner setting (enable_sort, ...) turned off for the
	// statement or transaction too: how a query whose plan footnote chooses says so
	// (denseScope).
	plannerOff string
}

// in is the scope of collection coll.
func in(coll string) scope { return scope{setting: "footnote.collection", value: coll} }

// readIn is the scope of collection coll for a read that a replica may serve
// (store_replicas.go): a search or a listing, whose statement writes nothing. query runs
// it on a replica that has replayed this process's writes to coll, or on the primary.
// Only query takes it; the transactions always run on the primary.
func readIn(coll string) scope { return scope{setting: "footnote.collection", value: coll, read: true} }

// unseenIn is the scope of collection coll for a write that no readIn read shows (a
// question asked, feedback given): it leaves no read-your-writes mark, so that the
// questions of a busy server do not send its next searches to the primary.
func unseenIn(coll string) scope {
	return scope{setting: "footnote.collection", value: coll, unseen: true}
}

// allCollections is the scope of the queries that span collections (listed above).
var allCollections = scope{setting: "footnote.scope", value: "all"}

func (sc scope) check() error {
	if sc.value == "" {
		return fmt.Errorf("%w: no collection", ErrInvalidInput)
	}
	return nil
}

// query runs the one statement sql with args in sc and hands its rows to scan (nil when
// they are not wanted), and returns the statement's command tag. The setting that names
// the scope and the statement go to the server together, in one round trip, and run in one
// implicit transaction (a pipeline's statements do, up to its Sync): the setting holds for
// the statement and ends with it, without the two round trips more (BEGIN, COMMIT) that an
// explicit transaction costs every read of a question.
//
// With read replicas, a readIn scope's statement may run on one (onReplica), and any other
// statement that wrote (it has a transaction id) has the primary's WAL position recorded
// after it, for read-your-writes: one more statement in the batch, and one more round
// trip after a write.
func (s *Store) query(ctx context.Context, sc scope, sql string, args []any, scan func(pgx.Rows) error) (pgconn.CommandTag, error) {
	if err := sc.check(); err != nil {
		return pgconn.CommandTag{}, err
	}
	if s.replicas == nil {
		mark := !sc.read && !sc.unseen && s.hasStandbys(ctx)
		tag, wrote, err := runStatement(ctx, s.pool, sc, sql, args, scan, mark)
		if err == nil && wrote {
			s.markWrite(ctx, sc)
		}
		return tag, err
	}
	if !sc.read {
		tag, wrote, err := runStatement(ctx, s.pool, sc, sql, args, scan, !sc.unseen)
		if err == nil && wrote {
			s.replicas.noteWrite(ctx, sc)
		}
		return tag, err
	}
	var tag pgconn.CommandTag
	err := s.onReplica(ctx, sc.value, func(p *pgxpool.Pool) error {
		scanned := false
		var err error
		tag, _, err = runStatement(ctx, p, sc, sql, args, func(rows pgx.Rows) error {
			scanned = true
			if scan == nil {
				return nil
			}
			return scan(rows)
		}, false)
		if err != nil && scanned {
			return &readStarted{err}
		}
		return err
	})
	return tag, err
}

// runStatement runs query's batch on pool: the setting, the statement, and, with
// askWrote, whether the statement wrote.
func runStatement(ctx context.Context, pool *pgxpool.Pool, sc scope, sql string, args []any, scan func(pgx.Rows) error, askWrote bool) (pgconn.CommandTag, bool, error) {
	b := &pgx.Batch{}
	set, setArgs := scopeSettings(sc)
	b.Queue(set, setArgs...)
	b.Queue(sql, args...)
	if askWrote {
		b.Queue(`SELECT pg_current_xact_id_if_assigned() IS NOT NULL`)
	}
	br := pool.SendBatch(ctx, b)
	tag, err := scanStatement(br, scan)
	wrote := false
	if err == nil && askWrote {
		err = br.QueryRow().Scan(&wrote)
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	return tag, wrote, err
}

// scopeSettings is the statement that sets sc for its transaction, and its arguments: the
// scope's setting, the planner setting it turns off, and, for a read, the search settings
// (searchSettings). Each connection has those from its start (AfterConnect), but behind a
// transaction pooler (PgBouncer's pool_mode = transaction) a transaction may run on a
// server connection that another client opened, or one the pooler opened itself: only what
// the transaction sets is sure to hold in it.
func scopeSettings(sc scope) (string, []any) {
	sql, args := `SELECT set_config($1, $2, true)`, []any{sc.setting, sc.value}
	if sc.plannerOff != "" {
		sql += `, set_config($3, 'off', true)`
		args = append(args, sc.plannerOff)
	}
	if sc.read {
		sql += ", " + searchSetConfig
	}
	return sql, args
}

// searchSetConfig is searchSettings as set_config calls for one transaction, written out:
// their names and values come from the code, never from input.
var searchSetConfig = func() string {
	var calls []string
	for _, kv := range searchSettings {
		calls = append(calls, "set_config('"+kv[0]+"', '"+kv[1]+"', true)")
	}
	return strings.Join(calls, ", ")
}()

// exec runs the one statement sql with args in sc, as query does, and returns its command
// tag.
func (s *Store) exec(ctx context.Context, sc scope, sql string, args ...any) (pgconn.CommandTag, error) {
	return s.query(ctx, sc, sql, args, nil)
}

// scanStatement reads the results of query's batch: the setting's, then the statement's.
func scanStatement(br pgx.BatchResults, scan func(pgx.Rows) error) (pgconn.CommandTag, error) {
	if _, err := br.Exec(); err != nil {
		return pgconn.CommandTag{}, err
	}
	rows, err := br.Query()
	if err != nil {
		return pgconn.CommandTag{}, err
	}
	defer rows.Close()
	if scan != nil {
		if err := scan(rows); err != nil {
			return pgconn.CommandTag{}, err
		}
	}
	for rows.Next() { // rows scan left unread
	}
	rows.Close()
	return rows.CommandTag(), rows.Err()
}

// oneRow is a scan for query that hands the statement's one row to fn; no row is
// pgx.ErrNoRows, as with QueryRow.
func oneRow(fn func(pgx.Row) error) func(pgx.Rows) error {
	return func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return pgx.ErrNoRows
		}
		return fn(rows)
	}
}

// into is oneRow scanning the row into dst.
func into(dst ...any) func(pgx.Rows) error {
	return oneRow(func(r pgx.Row) error { return r.Scan(dst...) })
}

// inCollection runs fn in a transaction that sees and writes only the rows of coll, and
// commits it when fn returns nil (fn's error is returned as is, the transaction rolled
// back). The collection is set for this transaction only (set_config's is_local), so a
// pooled connection carries nothing to its next user.
func (s *Store) inCollection(ctx context.Context, coll string, fn func(storeTx) error) error {
	return s.inTx(ctx, in(coll), fn)
}

// inAllCollections runs fn in a transaction that sees and writes the rows of every
// collection, committed when fn returns nil. Only the queries listed above call it.
func (s *Store) inAllCollections(ctx context.Context, fn func(storeTx) error) error {
	return s.inTx(ctx, allCollections, fn)
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

// collectionOrAll is the scope of coll, or allCollections when coll is "", as
// inCollectionOrAll.
func collectionOrAll(coll string) scope {
	if coll == "" {
		return allCollections
	}
	return in(coll)
}

// runTx runs fn in a transaction of pool begun by the query begin (inTx's, which sets its
// scope), and commits it when fn returns nil, as pgx.BeginTxFunc. A COMMIT the database
// went away from unanswered fails wrapping ErrCommitUncertain: the transaction may be
// stored.
func runTx(ctx context.Context, pool *pgxpool.Pool, begin string, fn func(storeTx) error) error {
	tx, err := pool.BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		return err
	}
	committing := false
	defer func() {
		if !committing { // fn failed or panicked
			_ = tx.Rollback(ctx)
		}
	}()
	if err := fn(storeTx{tx}); err != nil {
		return err
	}
	committing = true
	if err := tx.Commit(ctx); err != nil {
		if classifyIn(ctx, err) == faultUnavailable {
			return uncertain{err}
		}
		return err
	}
	return nil
}

// inTx runs fn in a transaction of scope sc. BEGIN and the setting go to the server in one
// simple query (which may hold two statements; one with parameters may not), so the value
// travels hex-encoded: no byte of a collection's name is read as SQL.
func (s *Store) inTx(ctx context.Context, sc scope, fn func(storeTx) error) error {
	if err := sc.check(); err != nil {
		return err
	}
	begin := "BEGIN; SELECT set_config('" + sc.setting + "', convert_from(decode('" +
		hex.EncodeToString([]byte(sc.value)) + "', 'hex'), 'UTF8'), true)"
	if sc.plannerOff != "" {
		begin += "; SELECT set_config('" + sc.plannerOff + "', 'off', true)" // a name from the code, never input
	}
	begin += "; SELECT " + searchSetConfig // as for a read (scopeSettings)
	err := runTx(ctx, s.pool, begin, fn)
	switch {
	case err != nil:
	case s.replicas != nil:
		s.replicas.noteWrite(ctx, sc) // a transaction is a write's (read-your-writes)
	case s.hasStandbys(ctx):
		s.markWrite(ctx, sc) // for the processes that read from the standbys
	}
	return err
}
