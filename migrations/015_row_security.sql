-- +goose Up
-- Collection isolation that does not rest on every query remembering its WHERE (issue 11).
--
-- 1. A row's collection agrees with its parent's. A passage, its postings and its vectors
-- carry their article's collection (searches filter on it without a join), feedback its
-- question's, an article its feed's; composite foreign keys now make the database refuse a
-- row whose collection differs from its parent's, where before only the code that wrote it
-- kept them equal. The single-column keys they replace are implied by them.
ALTER TABLE articles ADD CONSTRAINT articles_id_collection_key UNIQUE (id, collection);
ALTER TABLE chunks ADD CONSTRAINT chunks_id_collection_key UNIQUE (id, collection);
ALTER TABLE questions ADD CONSTRAINT questions_id_collection_key UNIQUE (id, collection);
ALTER TABLE feeds ADD CONSTRAINT feeds_id_collection_key UNIQUE (id, collection);

ALTER TABLE chunks DROP CONSTRAINT chunks_article_id_fkey,
    ADD CONSTRAINT chunks_article_fkey FOREIGN KEY (article_id, collection)
        REFERENCES articles (id, collection) ON DELETE CASCADE;
ALTER TABLE postings DROP CONSTRAINT postings_chunk_id_fkey,
    ADD CONSTRAINT postings_chunk_fkey FOREIGN KEY (chunk_id, collection)
        REFERENCES chunks (id, collection) ON DELETE CASCADE;
ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_id_fkey,
    ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection)
        REFERENCES chunks (id, collection) ON DELETE CASCADE;
ALTER TABLE feedback DROP CONSTRAINT feedback_question_id_fkey,
    ADD CONSTRAINT feedback_question_fkey FOREIGN KEY (question_id, collection)
        REFERENCES questions (id, collection) ON DELETE CASCADE;
-- An article without a feed (feed_id NULL) is not checked; untracking a feed empties only
-- feed_id (SET NULL with a column list), never the article's collection.
ALTER TABLE articles DROP CONSTRAINT articles_feed_id_fkey,
    ADD CONSTRAINT articles_feed_fkey FOREIGN KEY (feed_id, collection)
        REFERENCES feeds (id, collection) ON DELETE SET NULL (feed_id);

-- 2. Row-level security on every table that holds a collection's rows. A transaction sees
-- and writes the rows of the collection named by its setting footnote.collection (the
-- store sets it with set_config(..., true), which lasts until the transaction ends), and
-- nothing when it is unset: a query that forgets its WHERE collection = ... returns
-- nothing of another collection. The few queries that span collections by design (claiming
-- due feeds and articles, the departures sweep) set footnote.scope = 'all' instead
-- (retrieval/store_scope.go lists them). FORCE applies the policies to the tables' owner
-- too; only a superuser or a BYPASSRLS role passes them, and footnote's runtime role is
-- neither (.ci/db, README "Database roles").
--
-- Each policy has no WITH CHECK, so its USING expression also checks the rows written: an
-- INSERT or UPDATE into another collection is refused. The settings are read in scalar
-- subqueries, evaluated once per query instead of once per row.
ALTER TABLE collections ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY collections_of_scope ON collections
    USING (name = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE articles ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY articles_of_scope ON articles
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE chunks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY chunks_of_scope ON chunks
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE postings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY postings_of_scope ON postings
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE embeddings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY embeddings_of_scope ON embeddings
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE questions ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY questions_of_scope ON questions
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE feedback ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY feedback_of_scope ON feedback
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE feeds ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY feeds_of_scope ON feeds
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE guild_settings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY guild_settings_of_scope ON guild_settings
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

ALTER TABLE guild_departures ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY guild_departures_of_scope ON guild_departures
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

-- 3. The three things the runtime role needs that only the owner may do, each as a function
-- that runs as its owner (SECURITY DEFINER) and does that one thing. Their search_path is
-- pinned to footnote's schema with pg_temp last, so that a temporary table of the caller's
-- cannot stand in for one of footnote's.

-- footnote_ensure_space returns the id of the embedding space (model, dims), creating it
-- and its HNSW index on first use (retrieval's Store.ensureSpace). A partial index per
-- space: the index expression fixes the dimension, which a plain vector column cannot.
-- Cosine distance, pgvector's default m and ef_construction (16, 64); queries repeat the
-- expression and the predicate (searchDense). A space wider than 2,000 dimensions
-- (migration 012) keeps its vectors in embedding_half and indexes them as halfvec.
-- +goose StatementBegin
CREATE FUNCTION footnote_ensure_space(space_model text, space_dims int) RETURNS int
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    space_id int;
BEGIN
    -- One process at a time creates spaces and their indexes.
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

-- footnote_drop_orphan_indexes drops the HNSW index of every embedding space whose row is
-- gone (retrieval's Store.dropOrphanIndexes, after a reindex deleted the space it left),
-- and returns the names it dropped. Space ids are never reused, so such an index is never
-- wanted again. A function runs in a transaction, where DROP INDEX CONCURRENTLY cannot: a
-- plain DROP INDEX locks embeddings, and searches and writes wait behind it. So each drop
-- waits at most lock_timeout for its lock, and an index whose lock it does not get is left
-- for the next call: a second bounds how long a question may wait, once per reindex that
-- deleted a space, at the cost of an index left over while the table is busy that long.
-- +goose StatementBegin
CREATE FUNCTION footnote_drop_orphan_indexes() RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '1s' AS $$
DECLARE
    idx text;
BEGIN
    FOR idx IN
        SELECT i.indexname FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = 'embeddings'
          AND i.indexname ~ '^embeddings_hnsw_[0-9]+$'
          AND NOT EXISTS (SELECT 1 FROM embedding_spaces s
                          WHERE s.id = substring(i.indexname FROM '[0-9]+$')::int)
        ORDER BY i.indexname
    LOOP
        BEGIN
            EXECUTE format('DROP INDEX IF EXISTS %I', idx);
            RETURN NEXT idx;
        EXCEPTION WHEN lock_not_available THEN
            NULL; -- busy: the next call drops it
        END;
    END LOOP;
END $$;
-- +goose StatementEnd

-- footnote_analyze refreshes the planner statistics of the tables a bulk import grows
-- (ANALYZE is the owner's).
-- +goose StatementBegin
CREATE FUNCTION footnote_analyze() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    ANALYZE articles, chunks, postings, embeddings;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION footnote_ensure_space(text, int) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_analyze() SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_drop_orphan_indexes() SET search_path = %I, pg_temp', current_schema());
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_ensure_space(text, int), footnote_analyze(), footnote_drop_orphan_indexes() FROM PUBLIC;

-- 4. footnote_grant_runtime gives the runtime role what footnote's processes use and
-- nothing more: reading and writing the rows of footnote's and River's tables (no
-- TRUNCATE, which would pass row-level security), drawing from their sequences, and the
-- three functions above. It may read the two migration ledgers, so that a process running
-- as the runtime role can see that nothing is left to migrate, but not write them. It
-- creates nothing and owns nothing, so it can alter no table, and PostgreSQL 15 gives
-- PUBLIC no CREATE on the public schema. migrations.Up calls it, as the owner, after
-- every migration run (so tables that later migrations and River add are covered).
-- +goose StatementBegin
CREATE FUNCTION footnote_grant_runtime(runtime name) RETURNS void
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
REVOKE ALL ON FUNCTION footnote_grant_runtime(name) FROM PUBLIC;

-- +goose Down
DROP FUNCTION footnote_grant_runtime(name), footnote_analyze(), footnote_drop_orphan_indexes(), footnote_ensure_space(text, int);

DROP POLICY guild_departures_of_scope ON guild_departures;
DROP POLICY guild_settings_of_scope ON guild_settings;
DROP POLICY feeds_of_scope ON feeds;
DROP POLICY feedback_of_scope ON feedback;
DROP POLICY questions_of_scope ON questions;
DROP POLICY embeddings_of_scope ON embeddings;
DROP POLICY postings_of_scope ON postings;
DROP POLICY chunks_of_scope ON chunks;
DROP POLICY articles_of_scope ON articles;
DROP POLICY collections_of_scope ON collections;
ALTER TABLE guild_departures NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE guild_settings NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE feeds NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE feedback NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE questions NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE embeddings NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE postings NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE chunks NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE articles NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;
ALTER TABLE collections NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY;

ALTER TABLE articles DROP CONSTRAINT articles_feed_fkey,
    ADD CONSTRAINT articles_feed_id_fkey FOREIGN KEY (feed_id) REFERENCES feeds ON DELETE SET NULL;
ALTER TABLE feedback DROP CONSTRAINT feedback_question_fkey,
    ADD CONSTRAINT feedback_question_id_fkey FOREIGN KEY (question_id) REFERENCES questions ON DELETE CASCADE;
ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey,
    ADD CONSTRAINT embeddings_chunk_id_fkey FOREIGN KEY (chunk_id) REFERENCES chunks ON DELETE CASCADE;
ALTER TABLE postings DROP CONSTRAINT postings_chunk_fkey,
    ADD CONSTRAINT postings_chunk_id_fkey FOREIGN KEY (chunk_id) REFERENCES chunks ON DELETE CASCADE;
ALTER TABLE chunks DROP CONSTRAINT chunks_article_fkey,
    ADD CONSTRAINT chunks_article_id_fkey FOREIGN KEY (article_id) REFERENCES articles ON DELETE CASCADE;
ALTER TABLE feeds DROP CONSTRAINT feeds_id_collection_key;
ALTER TABLE questions DROP CONSTRAINT questions_id_collection_key;
ALTER TABLE chunks DROP CONSTRAINT chunks_id_collection_key;
ALTER TABLE articles DROP CONSTRAINT articles_id_collection_key;
