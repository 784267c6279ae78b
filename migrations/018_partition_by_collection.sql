-- +goose Up
-- Partitioning by collection (issue 10, "Beyond one machine"): the tables that hold the bulk
-- of a collection's rows, articles, chunks (passages) and the keyword index (term_stats,
-- term_blocks), become LIST-partitioned by collection. Every collection starts in each
-- table's DEFAULT partition (<table>_default), which is the table as it was: this migration
-- renames it and attaches it under a new partitioned parent, copying no rows. A collection
-- that grows past retrieval's partitionAfter passages is given partitions of its own
-- (footnote_partition_collection, below): its rows then live together, apart from every
-- other collection's, and removing the collection drops them whole
-- (footnote_drop_collection_partitions) instead of deleting them row by row. Those
-- partitions are also the unit a guild moves in to another cluster (README, "Sharding").
--
-- embeddings stays one table: each embedding space has a partial HNSW index on it, made by
-- footnote_ensure_space, and an index on a partitioned table must be built on every
-- partition at once, by a plain CREATE INDEX (never CONCURRENTLY), so a new space or a new
-- collection's partition would build HNSW graphs while holding every search up.
--
-- Keys: a unique constraint on a partitioned table must hold its partition key, so the
-- primary keys of articles and chunks become (id, collection), the (id, collection) keys
-- that migration 015's composite foreign keys reference; ids still come from one sequence
-- per table, so id alone stays unique too. chunks' (article_id, ordinal) becomes
-- (article_id, ordinal, collection).

-- 1. The foreign keys into articles and chunks point at the tables by identity: they are
-- dropped here and made again on the partitioned parents at the end.
ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey;
ALTER TABLE chunks DROP CONSTRAINT chunks_article_fkey;
-- The postings view reads term_blocks by identity too: made again on the parent below.
DROP VIEW postings;

-- 2. Each table becomes its DEFAULT partition. Its indexes are renamed out of the way of
-- the parent's, which then adopt them (an index on a partitioned parent attaches an equal
-- index of a partition instead of building one). A partition keeps row-level security
-- enabled with no policy: only the owner, who is not held by it, reads a partition directly;
-- everyone else goes through the parent, whose forced policies apply (and
-- footnote_grant_runtime gives the runtime role nothing on a partition).
ALTER TABLE articles RENAME TO articles_default;
ALTER TABLE articles_default DROP CONSTRAINT articles_pkey;
ALTER INDEX articles_id_collection_key RENAME TO articles_default_pkey;
ALTER INDEX articles_collection_url_key RENAME TO articles_default_collection_url_key;
ALTER INDEX articles_hash_idx RENAME TO articles_default_hash_idx;
ALTER INDEX articles_published_idx RENAME TO articles_default_published_idx;
ALTER INDEX articles_feed_idx RENAME TO articles_default_feed_idx;
ALTER INDEX articles_recrawl_due_idx RENAME TO articles_default_recrawl_due_idx;
DROP POLICY articles_of_scope ON articles_default;
ALTER TABLE articles_default NO FORCE ROW LEVEL SECURITY;

ALTER TABLE chunks RENAME TO chunks_default;
ALTER TABLE chunks_default DROP CONSTRAINT chunks_pkey;
ALTER INDEX chunks_id_collection_key RENAME TO chunks_default_pkey;
ALTER INDEX chunks_collection_idx RENAME TO chunks_default_collection_idx;
ALTER INDEX chunks_article_id_ordinal_key RENAME TO chunks_default_article_id_ordinal_key;
DROP POLICY chunks_of_scope ON chunks_default;
ALTER TABLE chunks_default NO FORCE ROW LEVEL SECURITY;
-- Statement triggers with transition tables cannot be on a partition: they go to the parent.
DROP TRIGGER chunks_stats_ins ON chunks_default;
DROP TRIGGER chunks_stats_del ON chunks_default;
DROP TRIGGER chunks_postings_del ON chunks_default;

ALTER TABLE term_stats RENAME TO term_stats_default;
ALTER INDEX term_stats_pkey RENAME TO term_stats_default_pkey;
DROP POLICY term_stats_of_scope ON term_stats_default;
ALTER TABLE term_stats_default NO FORCE ROW LEVEL SECURITY;

ALTER TABLE term_blocks RENAME TO term_blocks_default;
ALTER INDEX term_blocks_pkey RENAME TO term_blocks_default_pkey;
DROP POLICY term_blocks_of_scope ON term_blocks_default;
ALTER TABLE term_blocks_default NO FORCE ROW LEVEL SECURITY;

-- 3. The parents: the same columns in the same order (LIKE), the ids' sequences owned by
-- them (dropping the default partition must not take a sequence with it), the default
-- partitions attached (a DEFAULT partition beside no other checks no row), then the keys
-- and indexes, which adopt the partitions' own. The old chunks (article_id, ordinal) key
-- lacks the partition key: its replacement is built, the old one dropped.
CREATE TABLE articles (LIKE articles_default INCLUDING DEFAULTS) PARTITION BY LIST (collection);
ALTER SEQUENCE articles_id_seq OWNED BY articles.id;
ALTER TABLE articles ATTACH PARTITION articles_default DEFAULT;
ALTER TABLE articles ADD CONSTRAINT articles_pkey PRIMARY KEY (id, collection),
    ADD CONSTRAINT articles_collection_url_key UNIQUE (collection, url),
    ADD CONSTRAINT articles_feed_fkey FOREIGN KEY (feed_id, collection)
        REFERENCES feeds (id, collection) ON DELETE SET NULL (feed_id);
CREATE INDEX articles_hash_idx ON articles (collection, content_hash);
CREATE INDEX articles_published_idx ON articles (collection, published_at DESC NULLS LAST, id DESC);
CREATE INDEX articles_feed_idx ON articles (feed_id) WHERE feed_id IS NOT NULL;
CREATE INDEX articles_recrawl_due_idx ON articles (recrawl_at) WHERE recrawl_at IS NOT NULL;

CREATE TABLE chunks (LIKE chunks_default INCLUDING DEFAULTS) PARTITION BY LIST (collection);
ALTER SEQUENCE chunks_id_seq OWNED BY chunks.id;
ALTER TABLE chunks ATTACH PARTITION chunks_default DEFAULT;
ALTER TABLE chunks ADD CONSTRAINT chunks_pkey PRIMARY KEY (id, collection),
    ADD CONSTRAINT chunks_article_id_ordinal_key UNIQUE (article_id, ordinal, collection);
ALTER TABLE chunks_default DROP CONSTRAINT chunks_default_article_id_ordinal_key;
-- chunks_default_collection_idx stays the default partition's own: it finds one small
-- collection's passages among many, where a collection's own partition is all one value.

CREATE TABLE term_stats (LIKE term_stats_default) PARTITION BY LIST (collection);
ALTER TABLE term_stats ATTACH PARTITION term_stats_default DEFAULT;
ALTER TABLE term_stats ADD CONSTRAINT term_stats_pkey PRIMARY KEY (collection, term);

CREATE TABLE term_blocks (LIKE term_blocks_default) PARTITION BY LIST (collection);
ALTER TABLE term_blocks ATTACH PARTITION term_blocks_default DEFAULT;
ALTER TABLE term_blocks ADD CONSTRAINT term_blocks_pkey PRIMARY KEY (collection, term, first_id);

-- 4. The foreign keys again, on the parents; adding them checks every row once.
ALTER TABLE chunks ADD CONSTRAINT chunks_article_fkey FOREIGN KEY (article_id, collection)
    REFERENCES articles (id, collection) ON DELETE CASCADE;
ALTER TABLE embeddings ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection)
    REFERENCES chunks (id, collection) ON DELETE CASCADE;

CREATE VIEW postings WITH (security_invoker = true) AS
SELECT b.collection, b.term, u.chunk_id, u.tf::int AS tf, u.doc_len::int AS doc_len
FROM term_blocks b, unnest(b.ids, b.tfs, b.lens) AS u(chunk_id, tf, doc_len);

-- 5. chunks' statement triggers, on the parent: a statement on chunks (or a cascade from
-- articles, which deletes through the parent) fires them once with the rows of every
-- partition it touched.
CREATE TRIGGER chunks_stats_ins AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_ins();
CREATE TRIGGER chunks_stats_del AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_del();
CREATE TRIGGER chunks_postings_del AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_postings_del();

-- 6. Forced row-level security on the parents, as migration 015 has it.
ALTER TABLE articles ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY articles_of_scope ON articles
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE chunks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY chunks_of_scope ON chunks
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE term_stats ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY term_stats_of_scope ON term_stats
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE term_blocks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY term_blocks_of_scope ON term_blocks
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

-- 7. A collection's own partitions. footnote_partition_name is the name of coll's
-- partition of table: <table>_c_<coll> for a plain name (a Discord server id, "default"),
-- <table>_h_<md5 of coll> for any other.
-- +goose StatementBegin
CREATE FUNCTION footnote_partition_name(tbl text, coll text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT tbl || CASE WHEN coll ~ '^[a-z0-9_]{1,30}$' THEN '_c_' || coll ELSE '_h_' || md5(coll) END
$$;
-- +goose StatementEnd

-- footnote_partition_collection gives coll partitions of its own when it holds at least
-- min_passages passages (retrieval's partitionAfter), and returns whether it did. A
-- collection that has them already, or is smaller, costs a catalog lookup and a read of
-- its collections row, and nothing is locked. The runtime role calls it after a write
-- (retrieval's Engine.partitionIfLarge), in coll's scope: the function refuses a
-- collection its caller's transaction does not see.
--
-- For each table it copies coll's rows out of the default partition into a new table,
-- deletes them there and attaches the new table as coll's partition (attaching checks that
-- the default partition holds no row of coll any more: a scan of it). Meanwhile every
-- table is locked (ACCESS EXCLUSIVE, taken in the order writers take them): searches and
-- writes of every collection wait for the move, about a second per 10,000 passages (README,
-- "Partitioning"). lock_timeout bounds how long it waits for the tables; a move that does
-- not get them fails, and the next write tries again.
--
-- The rows leave the default partitions by DELETE, which must take nothing else with it:
--  - chunks go first, into a table not yet attached, so the articles' deletes cascade into
--    no passage of coll;
--  - a statement on a partition fires none of the parent's statement triggers, so coll's
--    statistics and keyword index are left as they are;
--  - embeddings' foreign key into chunks would cascade, deleting coll's vectors: it is
--    dropped for the move and added back NOT VALID. Every (chunk_id, collection) it
--    referenced before is still there after, and new rows are checked; checking the old
--    ones reads every vector of every collection, which footnote_validate_vector_keys does
--    after the move, in a transaction of its own, without holding anything up. (A
--    partitioned table's keys cannot be NOT VALID, and chunks' key into articles needs no
--    such step: attaching coll's passages checks them against coll's articles.)
-- +goose StatementBegin
CREATE FUNCTION footnote_partition_collection(coll text, min_passages bigint) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
DECLARE
    tbl text;
    part text;
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
    LOCK TABLE articles, chunks, term_stats, term_blocks, embeddings IN ACCESS EXCLUSIVE MODE;
    IF to_regclass(quote_ident(footnote_partition_name('chunks', coll))) IS NOT NULL THEN
        RETURN false; -- another process moved it while this one waited
    END IF;
    ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey;
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
    ALTER TABLE embeddings ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection)
        REFERENCES chunks (id, collection) ON DELETE CASCADE NOT VALID;
    EXECUTE format('ANALYZE %I, %I, %I, %I', footnote_partition_name('articles', coll),
        footnote_partition_name('chunks', coll), footnote_partition_name('term_stats', coll),
        footnote_partition_name('term_blocks', coll));
    RETURN true;
END $$;
-- +goose StatementEnd

-- footnote_validate_vector_keys checks the vectors' key into chunks that a move left NOT
-- VALID (retrieval calls it after a move; a no-op when valid). VALIDATE takes a lock that
-- lets searches and writes go on; lock_timeout bounds its wait behind an index build.
-- +goose StatementBegin
CREATE FUNCTION footnote_validate_vector_keys() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
BEGIN
    ALTER TABLE embeddings VALIDATE CONSTRAINT embeddings_chunk_fkey;
END $$;
-- +goose StatementEnd

-- footnote_drop_collection_partitions drops coll's own partitions, if it has them, and
-- returns how many articles went with them (NULL: coll has none, and its rows are
-- deleted as every collection's are). It is the first step of removing a whole
-- collection (retrieval's deleteCollection and the departures sweep), whose transaction
-- then deletes its collections row (and with it its passage statistics), questions and
-- feeds. No row trigger or cascade runs for the dropped rows: the term statistics and
-- blocks go whole with their partitions; coll's vectors, in the one embeddings table, are
-- deleted first (detaching a partition of chunks checks that no vector still points into
-- it). The caller must see coll, as for footnote_partition_collection.
-- +goose StatementBegin
CREATE FUNCTION footnote_drop_collection_partitions(coll text) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET lock_timeout = '2s' AS $$
DECLARE
    n bigint;
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
    -- Through embeddings_collection_idx, one space at a time.
    DELETE FROM embeddings e USING embedding_spaces s WHERE e.space_id = s.id AND e.collection = coll;
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

-- 8. footnote_grant_runtime (migration 015) grants on every table of the schema, which now
-- includes the partitions: it becomes footnote_grant_runtime_tables, and the function
-- migrations.Up calls does that, then takes every right on a partition back (the runtime
-- role reaches a collection's rows only through the parents, under their policies) and
-- grants the three functions above. Wrapping it, rather than writing it again, keeps what
-- any earlier migration made it grant.
ALTER FUNCTION footnote_grant_runtime(name) RENAME TO footnote_grant_runtime_tables;
-- +goose StatementBegin
CREATE FUNCTION footnote_grant_runtime(runtime name) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    part regclass;
BEGIN
    PERFORM footnote_grant_runtime_tables(runtime);
    FOR part IN
        SELECT c.oid::regclass FROM pg_class c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relispartition AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('REVOKE ALL ON %s FROM %I', part, runtime);
    END LOOP;
    EXECUTE format('GRANT EXECUTE ON FUNCTION footnote_partition_collection(text, bigint), footnote_drop_collection_partitions(text), footnote_validate_vector_keys() TO %I', runtime);
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_grant_runtime(name) FROM PUBLIC;

-- +goose StatementBegin
DO $$
BEGIN
    EXECUTE format('ALTER FUNCTION footnote_partition_collection(text, bigint) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_drop_collection_partitions(text) SET search_path = %I, pg_temp', current_schema());
    EXECUTE format('ALTER FUNCTION footnote_validate_vector_keys() SET search_path = %I, pg_temp', current_schema());
END $$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION footnote_partition_collection(text, bigint), footnote_drop_collection_partitions(text),
    footnote_validate_vector_keys() FROM PUBLIC;

-- +goose Down
-- Back to one plain table each: every collection's own partition is emptied into the
-- default one, which becomes the table again.
DROP FUNCTION footnote_grant_runtime(name);
ALTER FUNCTION footnote_grant_runtime_tables(name) RENAME TO footnote_grant_runtime;
DROP FUNCTION footnote_drop_collection_partitions(text), footnote_partition_collection(text, bigint),
    footnote_partition_name(text, text), footnote_validate_vector_keys();

ALTER TABLE embeddings DROP CONSTRAINT embeddings_chunk_fkey;
ALTER TABLE chunks DROP CONSTRAINT chunks_article_fkey;
DROP VIEW postings;

-- +goose StatementBegin
DO $$
DECLARE
    tbl text;
    part regclass;
BEGIN
    FOREACH tbl IN ARRAY ARRAY['chunks', 'articles', 'term_stats', 'term_blocks'] LOOP
        FOR part IN
            SELECT i.inhrelid::regclass FROM pg_inherits i
            WHERE i.inhparent = tbl::regclass AND i.inhrelid <> (tbl || '_default')::regclass
        LOOP
            EXECUTE format('ALTER TABLE %I DETACH PARTITION %s', tbl, part);
            EXECUTE format('INSERT INTO %I SELECT * FROM %s', tbl || '_default', part);
            EXECUTE format('DROP TABLE %s', part);
        END LOOP;
        EXECUTE format('ALTER TABLE %I DETACH PARTITION %I', tbl, tbl || '_default');
    END LOOP;
END $$;
-- +goose StatementEnd
ALTER SEQUENCE articles_id_seq OWNED BY articles_default.id;
ALTER SEQUENCE chunks_id_seq OWNED BY chunks_default.id;
DROP TABLE articles, chunks, term_stats, term_blocks;

ALTER TABLE articles_default RENAME TO articles;
ALTER INDEX articles_default_pkey RENAME TO articles_id_collection_key;
ALTER INDEX articles_default_collection_url_key RENAME TO articles_collection_url_key;
ALTER INDEX articles_default_hash_idx RENAME TO articles_hash_idx;
ALTER INDEX articles_default_published_idx RENAME TO articles_published_idx;
ALTER INDEX articles_default_feed_idx RENAME TO articles_feed_idx;
ALTER INDEX articles_default_recrawl_due_idx RENAME TO articles_recrawl_due_idx;
ALTER TABLE articles ADD CONSTRAINT articles_pkey PRIMARY KEY (id);

ALTER TABLE chunks_default RENAME TO chunks;
ALTER INDEX chunks_default_pkey RENAME TO chunks_id_collection_key;
ALTER INDEX chunks_default_collection_idx RENAME TO chunks_collection_idx;
ALTER TABLE chunks DROP CONSTRAINT chunks_default_article_id_ordinal_collection_key,
    ADD CONSTRAINT chunks_pkey PRIMARY KEY (id),
    ADD CONSTRAINT chunks_article_id_ordinal_key UNIQUE (article_id, ordinal);

ALTER TABLE term_stats_default RENAME TO term_stats;
ALTER INDEX term_stats_default_pkey RENAME TO term_stats_pkey;
ALTER TABLE term_blocks_default RENAME TO term_blocks;
ALTER INDEX term_blocks_default_pkey RENAME TO term_blocks_pkey;

ALTER TABLE chunks ADD CONSTRAINT chunks_article_fkey FOREIGN KEY (article_id, collection)
    REFERENCES articles (id, collection) ON DELETE CASCADE;
ALTER TABLE embeddings ADD CONSTRAINT embeddings_chunk_fkey FOREIGN KEY (chunk_id, collection)
    REFERENCES chunks (id, collection) ON DELETE CASCADE;
CREATE VIEW postings WITH (security_invoker = true) AS
SELECT b.collection, b.term, u.chunk_id, u.tf::int AS tf, u.doc_len::int AS doc_len
FROM term_blocks b, unnest(b.ids, b.tfs, b.lens) AS u(chunk_id, tf, doc_len);

CREATE TRIGGER chunks_stats_ins AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_ins();
CREATE TRIGGER chunks_stats_del AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_del();
CREATE TRIGGER chunks_postings_del AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_postings_del();

ALTER TABLE articles FORCE ROW LEVEL SECURITY;
CREATE POLICY articles_of_scope ON articles
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE chunks FORCE ROW LEVEL SECURITY;
CREATE POLICY chunks_of_scope ON chunks
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE term_stats FORCE ROW LEVEL SECURITY;
CREATE POLICY term_stats_of_scope ON term_stats
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE term_blocks FORCE ROW LEVEL SECURITY;
CREATE POLICY term_blocks_of_scope ON term_blocks
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
