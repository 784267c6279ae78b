-- +goose Up
-- embeddings joins migration 018's partitioning by collection (issue 10: "partitioning
-- vectors by collection, or a per-collection HNSW index for large collections", and a
-- guild that can be dropped cheaply). A collection with partitions of its own now has its
-- vectors in one too (embeddings_c_<guild id>), and with them HNSW graphs of its own: a walk
-- of a large collection's index meets none of another collection's vectors, so one server's
-- size no longer slows another's dense arm, and removing a server drops its vectors whole
-- instead of deleting them row by row (with the HNSW graph repaired by VACUUM after).
--
-- 018 left embeddings one table because an index on a partitioned table is built on every
-- partition at once, never CONCURRENTLY, so a move would have built the collection's HNSW
-- graphs while holding every search up. Here the move builds them before it locks
-- anything: it copies the collection's vectors into a table not yet attached, indexes it
-- as embeddings' partitions are indexed, and only then takes the tables, brings the copy up
-- to date with what was written meanwhile (a few rows, where the graph was thousands) and
-- attaches it, which adopts the indexes it finds instead of building them
-- (footnote_partition_collection, below).
--
-- Each embedding space's HNSW index stays embeddings_hnsw_<space> (retrieval looks it up by
-- that name), now a partitioned index whose partitions are named
-- <partition>_hnsw_<space>: footnote_space_index builds them partition by partition and
-- attaches them, rather than letting Postgres name them expr_idx, expr_idx1, ...
--
-- Keys: the primary key gains the partition key, (space_id, chunk_id, collection); a
-- passage id is still unique on its own, so a passage still has one vector per space.

-- 1. footnote_hnsw_sql is the statement that creates space's HNSW index (cosine,
-- pgvector's default m and ef_construction; halfvec for a space wider than 2,000
-- dimensions, whose vectors are in embedding_half) named idx on tbl, or ON ONLY tbl for a
-- partitioned parent: the one definition every partition's index must repeat to be
-- attached.
-- +goose StatementBegin
CREATE FUNCTION footnote_hnsw_sql(idx text, tbl text, space int, space_dims int, only_parent boolean) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT format('CREATE INDEX IF NOT EXISTS %I ON %s%I USING hnsw %s WHERE space_id = %s', idx,
        CASE WHEN only_parent THEN 'ONLY ' ELSE '' END, tbl,
        CASE WHEN space_dims > 2000 THEN format('((embedding_half::halfvec(%s)) halfvec_cosine_ops)', space_dims)
             ELSE format('((embedding::vector(%s)) vector_cosine_ops)', space_dims) END,
        space)
$$;
-- +goose StatementEnd

-- footnote_index_vector_partition gives tbl, a table about to become a partition of
-- embeddings, every index the parent has: its primary key, the passage id index and the
-- HNSW index of every space that has one. Attaching tbl then adopts them.
-- +goose StatementBegin
CREATE FUNCTION footnote_index_vector_partition(tbl text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    sp record;
BEGIN
    EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I PRIMARY KEY (space_id, chunk_id, collection)', tbl, tbl || '_pkey');
    EXECUTE format('CREATE INDEX %I ON %I (chunk_id)', tbl || '_chunk_idx', tbl);
    FOR sp IN SELECT s.id, s.dims FROM embedding_spaces s WHERE to_regclass('embeddings_hnsw_' || s.id) IS NOT NULL ORDER BY s.id LOOP
        EXECUTE footnote_hnsw_sql(tbl || '_hnsw_' || sp.id, tbl, sp.id, sp.dims, false);
    END LOOP;
END $$;
-- +goose StatementEnd

-- 2. The table becomes its DEFAULT partition, as 018 did for the others. Its foreign keys
-- are made again on the parent, and its policy moves there.
ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey, DROP CONSTRAINT embeddings_space_id_fkey;
DROP POLICY embeddings_of_scope ON embeddings;
ALTER TABLE embeddings NO FORCE ROW LEVEL SECURITY;
ALTER TABLE embeddings RENAME TO embeddings_default;
ALTER INDEX embeddings_chunk_idx RENAME TO embeddings_default_chunk_idx;
-- embeddings_default_collection_idx stays the default partition's own, as
-- chunks_default_collection_idx does: it finds a small collection's vectors among many.
ALTER INDEX embeddings_collection_idx RENAME TO embeddings_default_collection_idx;
ALTER TABLE embeddings_default DROP CONSTRAINT embeddings_pkey,
    ADD CONSTRAINT embeddings_default_pkey PRIMARY KEY (space_id, chunk_id, collection);
-- +goose StatementBegin
DO $$
DECLARE
    idx text;
BEGIN
    FOR idx IN SELECT indexname FROM pg_indexes
               WHERE schemaname = current_schema() AND tablename = 'embeddings_default' AND indexname ~ '^embeddings_hnsw_[0-9]+$'
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', idx, replace(idx, 'embeddings_hnsw_', 'embeddings_default_hnsw_'));
    END LOOP;
END $$;
-- +goose StatementEnd

CREATE TABLE embeddings (LIKE embeddings_default INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY LIST (collection);
ALTER TABLE embeddings ATTACH PARTITION embeddings_default DEFAULT;
ALTER TABLE embeddings ADD CONSTRAINT embeddings_pkey PRIMARY KEY (space_id, chunk_id, collection);
CREATE INDEX embeddings_chunk_idx ON embeddings (chunk_id);
-- Each space's index on the parent, adopting the default partition's (renamed above).
-- +goose StatementBegin
DO $$
DECLARE
    sp record;
BEGIN
    FOR sp IN SELECT s.id, s.dims FROM embedding_spaces s
              WHERE to_regclass('embeddings_default_hnsw_' || s.id) IS NOT NULL ORDER BY s.id LOOP
        EXECUTE footnote_hnsw_sql('embeddings_hnsw_' || sp.id, 'embeddings', sp.id, sp.dims, true);
        EXECUTE format('ALTER INDEX %I ATTACH PARTITION %I', 'embeddings_hnsw_' || sp.id, 'embeddings_default_hnsw_' || sp.id);
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE embeddings ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection)
        REFERENCES chunks (id, collection) ON DELETE CASCADE,
    ADD CONSTRAINT embeddings_space_id_fkey FOREIGN KEY (space_id) REFERENCES embedding_spaces;
ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY embeddings_of_scope ON embeddings
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

-- 2b. The default partition's passages are found by collection and article together. A
-- cascade from articles looks up each deleted article's passages (article_id = $1 AND
-- collection = $2), and where the planner's statistics say the collection is rare (a
-- large import that began since they were gathered), it took chunks_default_collection_idx
-- on collection alone and filtered by article: all of the collection's passages read for
-- each article. Moving a collection of 6,725 articles to its own partitions took 25 s,
-- every collection's searches waiting, in about one run of three (pg_stat_statements:
-- 5,947 such lookups, 25.2 s; auto_explain showed the plan). With the article in the same
-- index's condition, no estimate can make a lookup read more than its article's passages.
CREATE INDEX chunks_default_collection_article_idx ON chunks_default (collection, article_id);
DROP INDEX chunks_default_collection_idx;
ALTER INDEX chunks_default_collection_article_idx RENAME TO chunks_default_collection_idx;

-- 3. A collection already in partitions of its own (018) gets its vectors' partition now.
-- +goose StatementBegin
DO $$
DECLARE
    coll text;
    part text;
BEGIN
    FOR coll IN SELECT name FROM collections
                WHERE to_regclass(quote_ident(footnote_partition_name('chunks', name))) IS NOT NULL ORDER BY name LOOP
        part := footnote_partition_name('embeddings', coll);
        EXECUTE format('CREATE TABLE %I (LIKE embeddings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part);
        EXECUTE format('INSERT INTO %I SELECT * FROM embeddings_default WHERE collection = $1', part) USING coll;
        DELETE FROM embeddings_default WHERE collection = coll;
        PERFORM footnote_index_vector_partition(part);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
        EXECUTE format('ALTER TABLE embeddings ATTACH PARTITION %I FOR VALUES IN (%L)', part, coll);
    END LOOP;
END $$;
-- +goose StatementEnd

-- 4. footnote_space_index (017) builds a space's index partition by partition, each named
-- for its partition and attached to embeddings_hnsw_<space>, which becomes valid once
-- every partition has its own. As before, one process at a time, and a build blocks
-- writes to embeddings (not searches) while it runs.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_space_index(space int, wanted boolean) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    space_dims int;
    idx text := 'embeddings_hnsw_' || space;
    part text;
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
    ELSIF to_regclass(idx) IS NULL THEN
        EXECUTE footnote_hnsw_sql(idx, 'embeddings', space, space_dims, true);
        FOR part IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                    WHERE i.inhparent = 'embeddings'::regclass ORDER BY c.relname LOOP
            EXECUTE footnote_hnsw_sql(part || '_hnsw_' || space, part, space, space_dims, false);
            EXECUTE format('ALTER INDEX %I ATTACH PARTITION %I', idx, part || '_hnsw_' || space);
        END LOOP;
    END IF;
    RETURN to_regclass(idx) IS NOT NULL;
END $$;
-- +goose StatementEnd

-- footnote_ensure_space (015), which no footnote since 017 calls but the runtime role may
-- still run, builds its index the same way.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_ensure_space(space_model text, space_dims int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    space_id int := footnote_ensure_space_row(space_model, space_dims);
BEGIN
    PERFORM footnote_space_index(space_id, true);
    RETURN space_id;
END $$;
-- +goose StatementEnd

-- 5. footnote_partition_collection (018) moves the vectors too. Before it locks anything,
-- it copies coll's vectors into their partition-to-be and builds its indexes (the HNSW
-- graphs are the slow part: seconds to minutes, while searches and writes go on). Then,
-- holding the tables as before, it deletes from the copy what changed or went meanwhile,
-- adds what is new, deletes coll's vectors from the default partition, moves the other
-- tables as before, and attaches the copy (a check of its keys and a scan of the default
-- partition, no index build). Moving the vectors out first also means the passages' deletes
-- from chunks_default cascade into none of them, so embeddings' key into chunks stays as it
-- is (018 dropped it for the move and added it back NOT VALID). A move that fails (the
-- tables busy past lock_timeout) rolls back with its copy, and the next try copies again.
-- The new partitions' statistics are gathered after the move commits
-- (footnote_analyze_collection), not while it holds the tables.
--
-- Deleting coll's rows from the default partitions runs the foreign keys' cascades row by
-- row (each article's passages, each passage's vectors: none are left by then, but each
-- is looked for), each a probe of a key: chunks_default's (collection, article_id) (step
-- 2b) and embeddings_default's chunk_id.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_partition_collection(coll text, min_passages bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
DECLARE
    tbl text;
    part text;
    vectors text := footnote_partition_name('embeddings', coll);
BEGIN
    -- An unset setting is NULL, which must refuse too (coalesce), not let NOT (... OR NULL)
    -- pass as NULL.
    IF coll IS NULL OR coll = '' OR NOT (coll = coalesce(current_setting('footnote.collection', true), '')
            OR coalesce(current_setting('footnote.scope', true), '') = 'all') THEN
        RAISE EXCEPTION 'collection % is not in the caller''s scope', coll USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NOT NULL
       OR COALESCE((SELECT chunk_count FROM collections WHERE name = coll), 0) < min_passages THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE embeddings INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', vectors);
    EXECUTE format('INSERT INTO %I SELECT * FROM embeddings_default WHERE collection = $1', vectors) USING coll;
    PERFORM footnote_index_vector_partition(vectors);

    LOCK TABLE articles, chunks, term_stats, term_blocks, embeddings IN ACCESS EXCLUSIVE MODE;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NOT NULL THEN
        EXECUTE format('DROP TABLE %I', vectors);
        RETURN false; -- another process moved it while this one waited
    END IF;
    -- The copy, brought up to date: a vector deleted or replaced since is deleted from it,
    -- then every vector it lacks is copied.
    EXECUTE format('DELETE FROM %I v WHERE NOT EXISTS (SELECT 1 FROM embeddings_default d
        WHERE d.collection = $1 AND d.space_id = v.space_id AND d.chunk_id = v.chunk_id
          AND d.embedding IS NOT DISTINCT FROM v.embedding AND d.embedding_half IS NOT DISTINCT FROM v.embedding_half)', vectors) USING coll;
    EXECUTE format('INSERT INTO %I SELECT d.* FROM embeddings_default d WHERE d.collection = $1
        AND NOT EXISTS (SELECT 1 FROM %I v WHERE v.space_id = d.space_id AND v.chunk_id = d.chunk_id)', vectors, vectors) USING coll;
    DELETE FROM embeddings_default WHERE collection = coll;
    FOREACH tbl IN ARRAY ARRAY['chunks', 'articles', 'term_stats', 'term_blocks'] LOOP
        part := footnote_partition_name(tbl, coll);
        -- The keyword index's tables leave room for HOT updates, as migration 016's do.
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)%s', part, tbl,
            CASE WHEN tbl LIKE 'term\_%' THEN ' WITH (fillfactor = 80)' ELSE '' END);
        EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE collection = $1', part, tbl || '_default') USING coll;
        EXECUTE format('DELETE FROM %I WHERE collection = $1', tbl || '_default') USING coll;
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
        IF tbl <> 'chunks' THEN
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', tbl, part, coll);
        END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE chunks ATTACH PARTITION %I FOR VALUES IN (%L)', footnote_partition_name('chunks', coll), coll);
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', vectors);
    EXECUTE format('ALTER TABLE embeddings ATTACH PARTITION %I FOR VALUES IN (%L)', vectors, coll);
    RETURN true;
END $$;
-- +goose StatementEnd

-- footnote_analyze_collection gathers the planner's statistics of coll's own partitions
-- (none: a no-op). 018's move ran ANALYZE while it still held every collection's tables,
-- about a fifth of the time it held them; retrieval now calls this after the move has
-- committed (Engine.partitionIfLarge), holding nothing up. The caller must see coll, as for
-- footnote_partition_collection.
-- +goose StatementBegin
CREATE FUNCTION footnote_analyze_collection(coll text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    tbl text;
BEGIN
    IF coll IS NULL OR coll = '' OR NOT (coll = coalesce(current_setting('footnote.collection', true), '')
            OR coalesce(current_setting('footnote.scope', true), '') = 'all') THEN
        RAISE EXCEPTION 'collection % is not in the caller''s scope', coll USING ERRCODE = 'insufficient_privilege';
    END IF;
    FOREACH tbl IN ARRAY ARRAY['articles', 'chunks', 'term_stats', 'term_blocks', 'embeddings'] LOOP
        IF to_regclass(quote_ident(footnote_partition_name(tbl, coll))) IS NOT NULL THEN
            EXECUTE format('ANALYZE %I', footnote_partition_name(tbl, coll));
        END IF;
    END LOOP;
END $$;
-- +goose StatementEnd

-- footnote_drop_collection_partitions (018) drops coll's vectors with their partition (a
-- collection moved before this migration has one since step 3).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_drop_collection_partitions(coll text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
DECLARE
    n bigint;
    vectors text := footnote_partition_name('embeddings', coll);
BEGIN
    -- An unset setting is NULL, which must refuse too (coalesce), not let NOT (... OR NULL)
    -- pass as NULL.
    IF coll IS NULL OR coll = '' OR NOT (coll = coalesce(current_setting('footnote.collection', true), '')
            OR coalesce(current_setting('footnote.scope', true), '') = 'all') THEN
        RAISE EXCEPTION 'collection % is not in the caller''s scope', coll USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NULL THEN
        RETURN NULL;
    END IF;
    LOCK TABLE articles, chunks, term_stats, term_blocks, embeddings IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('SELECT count(*) FROM %I', footnote_partition_name('articles', coll)) INTO n;
    -- The vectors go first: detaching coll's passages checks that no vector points into them.
    IF to_regclass(quote_ident(vectors)) IS NOT NULL THEN
        EXECUTE format('ALTER TABLE embeddings DETACH PARTITION %I', vectors);
        EXECUTE format('DROP TABLE %I', vectors);
    ELSE
        DELETE FROM embeddings WHERE collection = coll;
    END IF;
    EXECUTE format('ALTER TABLE chunks DETACH PARTITION %I', footnote_partition_name('chunks', coll));
    EXECUTE format('DROP TABLE %I', footnote_partition_name('chunks', coll));
    EXECUTE format('ALTER TABLE articles DETACH PARTITION %I', footnote_partition_name('articles', coll));
    EXECUTE format('DROP TABLE %I, %I, %I', footnote_partition_name('articles', coll),
        footnote_partition_name('term_stats', coll), footnote_partition_name('term_blocks', coll));
    -- Dropping tables fires no statement trigger: the collection's counts go to zero here,
    -- or a collection kept (a server back before the sweep's last step) would count
    -- passages it no longer has for ever.
    UPDATE collections SET chunk_count = 0, token_total = 0 WHERE name = coll;
    RETURN n;
END $$;
-- +goose StatementEnd

-- footnote_grant_runtime (018's, wrapped as 018 wrapped 015's) also grants the runtime
-- role footnote_analyze_collection.
ALTER FUNCTION footnote_grant_runtime(name) RENAME TO footnote_grant_runtime_018;
-- +goose StatementBegin
CREATE FUNCTION footnote_grant_runtime(runtime name) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM footnote_grant_runtime_018(runtime);
    EXECUTE format('GRANT EXECUTE ON FUNCTION footnote_analyze_collection(text) TO %I', runtime);
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_grant_runtime(name) FROM PUBLIC;

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION footnote_hnsw_sql(text, text, int, int, boolean) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_index_vector_partition(text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_analyze_collection(text) SET search_path = %I, pg_temp', current_schema());
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_hnsw_sql(text, text, int, int, boolean), footnote_index_vector_partition(text),
    footnote_analyze_collection(text) FROM PUBLIC;

-- +goose Down
-- One plain table again, every collection's vectors poured back into the default
-- partition, and the functions as 017 and 018 left them.
DROP FUNCTION footnote_grant_runtime(name);
ALTER FUNCTION footnote_grant_runtime_018(name) RENAME TO footnote_grant_runtime;
DROP FUNCTION footnote_analyze_collection(text);
CREATE INDEX chunks_default_collection_only_idx ON chunks_default (collection);
DROP INDEX chunks_default_collection_idx;
ALTER INDEX chunks_default_collection_only_idx RENAME TO chunks_default_collection_idx;
ALTER TABLE embeddings DETACH PARTITION embeddings_default;
-- +goose StatementBegin
DO $$
DECLARE
    part regclass;
BEGIN
    FOR part IN SELECT i.inhrelid::regclass FROM pg_inherits i WHERE i.inhparent = 'embeddings'::regclass LOOP
        EXECUTE format('ALTER TABLE embeddings DETACH PARTITION %s', part);
        EXECUTE format('INSERT INTO embeddings_default SELECT * FROM %s', part);
        EXECUTE format('DROP TABLE %s', part);
    END LOOP;
END $$;
-- +goose StatementEnd
DROP TABLE embeddings;
ALTER TABLE embeddings_default RENAME TO embeddings;
ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey, DROP CONSTRAINT embeddings_space_id_fkey,
    DROP CONSTRAINT embeddings_default_pkey;
ALTER TABLE embeddings ADD CONSTRAINT embeddings_pkey PRIMARY KEY (space_id, chunk_id),
    ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection) REFERENCES chunks (id, collection) ON DELETE CASCADE,
    ADD CONSTRAINT embeddings_space_id_fkey FOREIGN KEY (space_id) REFERENCES embedding_spaces;
ALTER INDEX embeddings_default_chunk_idx RENAME TO embeddings_chunk_idx;
ALTER INDEX embeddings_default_collection_idx RENAME TO embeddings_collection_idx;
-- +goose StatementBegin
DO $$
DECLARE
    idx text;
BEGIN
    FOR idx IN SELECT indexname FROM pg_indexes
               WHERE schemaname = current_schema() AND tablename = 'embeddings' AND indexname ~ '^embeddings_default_hnsw_[0-9]+$'
    LOOP
        EXECUTE format('ALTER INDEX %I RENAME TO %I', idx, replace(idx, 'embeddings_default_hnsw_', 'embeddings_hnsw_'));
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER TABLE embeddings FORCE ROW LEVEL SECURITY;
CREATE POLICY embeddings_of_scope ON embeddings
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_space_index(space int, wanted boolean) RETURNS boolean
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

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_ensure_space(space_model text, space_dims int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    space_id int;
BEGIN
    PERFORM pg_advisory_xact_lock(4097083627);
    INSERT INTO embedding_spaces (model, dims) VALUES (space_model, space_dims)
    ON CONFLICT (model, dims) DO NOTHING;
    SELECT id INTO STRICT space_id FROM embedding_spaces WHERE model = space_model AND dims = space_dims;
    IF space_dims > 2000 THEN
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON embeddings USING hnsw ((embedding_half::halfvec(%s)) halfvec_cosine_ops) WHERE space_id = %s',
            'embeddings_hnsw_' || space_id, space_dims, space_id);
    ELSE
        EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON embeddings USING hnsw ((embedding::vector(%s)) vector_cosine_ops) WHERE space_id = %s',
            'embeddings_hnsw_' || space_id, space_dims, space_id);
    END IF;
    RETURN space_id;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_partition_collection(coll text, min_passages bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
DECLARE
    tbl text;
    part text;
BEGIN
    IF coll IS NULL OR coll = '' OR NOT (coll = coalesce(current_setting('footnote.collection', true), '')
            OR coalesce(current_setting('footnote.scope', true), '') = 'all') THEN
        RAISE EXCEPTION 'collection % is not in the caller''s scope', coll USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NOT NULL
       OR COALESCE((SELECT chunk_count FROM collections WHERE name = coll), 0) < min_passages THEN
        RETURN false;
    END IF;
    LOCK TABLE articles, chunks, term_stats, term_blocks, embeddings IN ACCESS EXCLUSIVE MODE;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NOT NULL THEN
        RETURN false;
    END IF;
    ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey;
    FOREACH tbl IN ARRAY ARRAY['chunks', 'articles', 'term_stats', 'term_blocks'] LOOP
        part := footnote_partition_name(tbl, coll);
        EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS)%s', part, tbl,
            CASE WHEN tbl LIKE 'term\_%' THEN ' WITH (fillfactor = 80)' ELSE '' END);
        EXECUTE format('INSERT INTO %I SELECT * FROM %I WHERE collection = $1', part, tbl || '_default') USING coll;
        EXECUTE format('DELETE FROM %I WHERE collection = $1', tbl || '_default') USING coll;
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', part);
        IF tbl <> 'chunks' THEN
            EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%L)', tbl, part, coll);
        END IF;
    END LOOP;
    EXECUTE format('ALTER TABLE chunks ATTACH PARTITION %I FOR VALUES IN (%L)', footnote_partition_name('chunks', coll), coll);
    ALTER TABLE embeddings ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection)
        REFERENCES chunks (id, collection) ON DELETE CASCADE NOT VALID;
    EXECUTE format('ANALYZE %I, %I, %I, %I', footnote_partition_name('articles', coll),
        footnote_partition_name('chunks', coll), footnote_partition_name('term_stats', coll),
        footnote_partition_name('term_blocks', coll));
    RETURN true;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_drop_collection_partitions(coll text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
DECLARE
    n bigint;
BEGIN
    IF coll IS NULL OR coll = '' OR NOT (coll = coalesce(current_setting('footnote.collection', true), '')
            OR coalesce(current_setting('footnote.scope', true), '') = 'all') THEN
        RAISE EXCEPTION 'collection % is not in the caller''s scope', coll USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NULL THEN
        RETURN NULL;
    END IF;
    LOCK TABLE articles, chunks, term_stats, term_blocks, embeddings IN ACCESS EXCLUSIVE MODE;
    EXECUTE format('SELECT count(*) FROM %I', footnote_partition_name('articles', coll)) INTO n;
    DELETE FROM embeddings e USING embedding_spaces s WHERE e.space_id = s.id AND e.collection = coll;
    EXECUTE format('ALTER TABLE chunks DETACH PARTITION %I', footnote_partition_name('chunks', coll));
    EXECUTE format('DROP TABLE %I', footnote_partition_name('chunks', coll));
    EXECUTE format('ALTER TABLE articles DETACH PARTITION %I', footnote_partition_name('articles', coll));
    EXECUTE format('DROP TABLE %I, %I, %I', footnote_partition_name('articles', coll),
        footnote_partition_name('term_stats', coll), footnote_partition_name('term_blocks', coll));
    UPDATE collections SET chunk_count = 0, token_total = 0 WHERE name = coll;
    RETURN n;
END $$;
-- +goose StatementEnd

DROP FUNCTION footnote_index_vector_partition(text), footnote_hnsw_sql(text, text, int, int, boolean);
