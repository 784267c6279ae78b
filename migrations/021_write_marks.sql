-- +goose Up
-- Read-your-writes across processes (issue 10's read replicas). A process that reads from
-- replicas (DATABASE_READ_URL) sends a collection's reads to the primary until a replica
-- has replayed its own last write to that collection; the WAL positions of those writes
-- lived in the process, so a member who added an article through one server and asked
-- through another (HTTP interactions behind a load balancer, several `footnote serve`)
-- could read a replica that did not hold it yet. Each such process now also records the
-- position here after each write, and reads the latest before it picks a replica.
--
-- UNLOGGED: the marks are the primary's business alone (no replica needs them, and a
-- mark's own WAL would only move the position it records), and a crash that empties the
-- table loses nothing a replica could serve wrong for long: marks matter for seconds
-- (retrieval's markKeep), and replicas that fall behind are skipped by their lag anyway.
-- One row per collection (the empty name for writes that span collections), updated in
-- place.
--
-- The runtime role has no privileges on the table: it writes and reads marks only through
-- the two functions below, each for the collection it names, as the owner.
CREATE UNLOGGED TABLE write_marks (
    collection text PRIMARY KEY,
    pos        pg_lsn NOT NULL,
    at         timestamptz NOT NULL DEFAULT now()
);

-- footnote_mark_write records that coll ('' for every collection) was written up to the
-- primary's current WAL insert position, read now (after the write's commit), and returns
-- that position.
-- +goose StatementBegin
CREATE FUNCTION footnote_mark_write(coll text) RETURNS pg_lsn
LANGUAGE sql SECURITY DEFINER AS $$
    INSERT INTO write_marks AS m (collection, pos, at) VALUES (coll, pg_current_wal_insert_lsn(), now())
    ON CONFLICT (collection) DO UPDATE SET pos = GREATEST(m.pos, EXCLUDED.pos), at = EXCLUDED.at
    RETURNING pos
$$;
-- +goose StatementEnd

-- footnote_write_mark is the latest position a write to coll or to every collection was
-- marked at within the last keep, or '0/0' when there is none.
-- +goose StatementBegin
CREATE FUNCTION footnote_write_mark(coll text, keep interval) RETURNS pg_lsn
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT coalesce(max(pos), '0/0'::pg_lsn) FROM write_marks
    WHERE collection IN (coll, '') AND at > now() - keep
$$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION footnote_mark_write(text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_write_mark(text, interval) SET search_path = %I, pg_temp', current_schema());
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_mark_write(text), footnote_write_mark(text, interval) FROM PUBLIC;

-- footnote_grant_runtime (020's, wrapped) grants the two functions and takes back what its
-- grant on every table gave on write_marks.
ALTER FUNCTION footnote_grant_runtime(name) RENAME TO footnote_grant_runtime_020;
-- +goose StatementBegin
CREATE FUNCTION footnote_grant_runtime(runtime name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM footnote_grant_runtime_020(runtime);
    EXECUTE format('REVOKE ALL ON write_marks FROM %I', runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION footnote_mark_write(text), footnote_write_mark(text, interval) TO %I', runtime);
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_grant_runtime(name) FROM PUBLIC;

-- +goose Down
DROP FUNCTION footnote_grant_runtime(name);
ALTER FUNCTION footnote_grant_runtime_020(name) RENAME TO footnote_grant_runtime;
DROP FUNCTION footnote_mark_write(text), footnote_write_mark(text, interval);
DROP TABLE write_marks;
