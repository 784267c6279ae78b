-- +goose Up
-- Whether an embedding space has an HNSW index becomes retrieval's choice (Store's
-- ensureSpace, spaceIndexed): a space whose vectors no search reads (the offline hash
-- embedder's, whose dense arm footnote skips: retrieval/densearm.go) keeps its vectors, so
-- that a reindex can switch back, but no index, whose upkeep was most of an import's time
-- (3-5 ms per vector). And a bulk import into a space without rows can build the index once,
-- after the copy, instead of row by row.
--
-- footnote_space_index(space_id, wanted) creates the space's index (as 015's
-- footnote_ensure_space does: cosine, pgvector's default m and ef_construction, halfvec for a
-- space wider than 2,000 dimensions) when wanted, or drops it when not, and returns whether
-- the index exists afterwards. As the tables' owner (the runtime role may create no index),
-- one process at a time (015's advisory lock). A drop waits at most lock_timeout for its
-- lock on embeddings, as footnote_drop_orphan_indexes's does, and leaves the index to a
-- later call when the table is busy; a create waits as long as the writers it must wait for.
-- +goose StatementBegin
CREATE FUNCTION footnote_space_index(space int, wanted boolean) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    space_dims int;
    idx text := 'embeddings_hnsw_' || space;
BEGIN
    PERFORM pg_advisory_xact_lock(4097083627);
    SELECT dims INTO STRICT space_dims FROM embedding_spaces WHERE id = space;
    IF NOT wanted THEN
        BEGIN
            SET LOCAL lock_timeout = '1s';
            EXECUTE format('DROP INDEX IF EXISTS %I', idx);
        EXCEPTION WHEN lock_not_available THEN
            NULL; -- busy: a later call drops it
        END;
    ELSIF space_dims > 2000 THEN
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON embeddings USING hnsw ((embedding_half::halfvec(%s)) halfvec_cosine_ops) WHERE space_id = %s',
            idx, space_dims, space);
    ELSE
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON embeddings USING hnsw ((embedding::vector(%s)) vector_cosine_ops) WHERE space_id = %s',
            idx, space_dims, space);
    END IF;
    RETURN to_regclass(idx) IS NOT NULL;
END $$;
-- +goose StatementEnd

-- footnote_ensure_space_row(model, dims) is 015's footnote_ensure_space without the index:
-- the space's row, created on first use, and its id. retrieval then asks for the index it
-- wants (footnote_space_index).
-- +goose StatementBegin
CREATE FUNCTION footnote_ensure_space_row(space_model text, space_dims int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    space_id int;
BEGIN
    PERFORM pg_advisory_xact_lock(4097083627);
    INSERT INTO embedding_spaces (model, dims) VALUES (space_model, space_dims)
    ON CONFLICT (model, dims) DO NOTHING;
    SELECT id INTO STRICT space_id FROM embedding_spaces WHERE model = space_model AND dims = space_dims;
    RETURN space_id;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION footnote_space_index(int, boolean) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_ensure_space_row(text, int) SET search_path = %I, pg_temp', current_schema());
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_space_index(int, boolean), footnote_ensure_space_row(text, int) FROM PUBLIC;

-- 015's footnote_grant_runtime, with the two functions above.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_grant_runtime(runtime name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s name := current_schema();
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, runtime);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON goose_db_version, river_migration FROM %I', runtime);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION footnote_ensure_space(text, int), footnote_analyze(), footnote_drop_orphan_indexes() TO %I', runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION footnote_ensure_space_row(text, int), footnote_space_index(int, boolean) TO %I', runtime);
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_grant_runtime(runtime name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    s name := current_schema();
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', s, runtime);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', s, runtime);
    EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON goose_db_version, river_migration FROM %I', runtime);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO %I', s, runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION footnote_ensure_space(text, int), footnote_analyze(), footnote_drop_orphan_indexes() TO %I', runtime);
END $$;
-- +goose StatementEnd
DROP FUNCTION footnote_space_index(int, boolean), footnote_ensure_space_row(text, int);
-- Every space gets its index back, as 015 made them.
-- +goose StatementBegin
DO $$
DECLARE
    sp record;
BEGIN
    FOR sp IN SELECT model, dims FROM embedding_spaces ORDER BY id LOOP
        PERFORM footnote_ensure_space(sp.model, sp.dims);
    END LOOP;
END $$;
-- +goose StatementEnd
