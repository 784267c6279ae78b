-- +goose Up
-- The keyword index in blocks (issue 10). postings held one row per term and passage: 61
-- rows and 8.5 KB per passage, and a question's common words read a row per passage that
-- holds them. Now:
--
-- 1. term_stats: each term's document frequency in its collection (and the largest tf and
-- smallest passage length among its postings, for a per-term BM25 bound), kept by every
-- write, so a question reads its terms' df with point lookups instead of counting postings.
-- It is also the spelling vocabulary (retrieval's termsBetween).
CREATE TABLE term_stats (
    collection text NOT NULL,
    term       text NOT NULL,
    df         int NOT NULL,               -- passages holding the term
    max_tf     int NOT NULL,               -- bounds: never below (above) any live posting's
    min_len    int NOT NULL,
    PRIMARY KEY (collection, term)
) WITH (fillfactor = 80);

-- 2. term_blocks: a term's postings, up to 128 per row (retrieval's blockSize), sorted by
-- passage id, as three parallel arrays. first_id and last_id bound the block's passages (a
-- search fetches the blocks covering its candidates by them) and max_tf and min_len bound
-- the BM25 score of any passage in the block, whatever the collection's average length.
-- A term's blocks may overlap when two writers' passage ids interleave; none is ever empty.
-- Appending to a term's last block (and counting a term in term_stats) updates a row whose
-- key does not change: the room fillfactor leaves on each page lets it be a HOT update,
-- whose dead versions the page prunes by itself, so a long import does not leave the
-- tables several times their live size while autovacuum catches up.
-- No foreign key: the passages' rows are written and deleted together with their postings
-- (chunks' triggers and retrieval's Store), and a per-row key check cost import 8.8M checks
-- at 75k articles.
CREATE TABLE term_blocks (
    collection text NOT NULL,
    term       text NOT NULL,
    first_id   bigint NOT NULL,
    last_id    bigint NOT NULL,
    max_tf     int NOT NULL,
    min_len    int NOT NULL,
    ids        bigint[] NOT NULL,
    tfs        smallint[] NOT NULL,
    lens       smallint[] NOT NULL,        -- copy of chunks.token_count: BM25 without a join
    PRIMARY KEY (collection, term, first_id)
) WITH (fillfactor = 80);

-- 3. chunks.terms: a passage's distinct terms (space-separated, sorted), as its postings
-- were built. Removing a passage removes it from exactly these terms' blocks, whatever
-- tokeniser version built them (a rebuild after a lexicon change replaces them).
ALTER TABLE chunks ADD COLUMN terms text NOT NULL DEFAULT '';

-- Backfill from postings.
UPDATE chunks c SET terms = p.terms
FROM (SELECT chunk_id, string_agg(term, ' ' ORDER BY term) AS terms FROM postings GROUP BY chunk_id) p
WHERE p.chunk_id = c.id;

INSERT INTO term_stats (collection, term, df, max_tf, min_len)
SELECT collection, term, count(*), max(tf), min(doc_len) FROM postings GROUP BY collection, term;

INSERT INTO term_blocks (collection, term, first_id, last_id, max_tf, min_len, ids, tfs, lens)
SELECT collection, term, min(chunk_id), max(chunk_id), max(tf), min(doc_len),
       array_agg(chunk_id ORDER BY chunk_id), array_agg(tf::smallint ORDER BY chunk_id),
       array_agg(doc_len::smallint ORDER BY chunk_id)
FROM (SELECT p.*, (row_number() OVER (PARTITION BY collection, term ORDER BY chunk_id) - 1) / 128 AS blk
      FROM postings p) b
GROUP BY collection, term, blk;

DROP TABLE postings;

-- postings stays readable as a view (debugging, tests): one row per term and passage. It
-- runs with the caller's rights, so row-level security applies through it.
CREATE VIEW postings WITH (security_invoker = true) AS
SELECT b.collection, b.term, u.chunk_id, u.tf::int AS tf, u.doc_len::int AS doc_len
FROM term_blocks b, unnest(b.ids, b.tfs, b.lens) AS u(chunk_id, tf, doc_len);

-- 4. The article text search (retrieval's listArticles) uses chunks.terms; the generated
-- tsvector and its GIN index (about 1 KB per passage) go.
DROP INDEX chunks_tsv_idx;
ALTER TABLE chunks DROP COLUMN tsv;

-- 5. Removing passages removes their postings: footnote_remove_postings takes the removed
-- (passage id, term) pairs of one collection, lowers each term's df (a term left in no
-- passage goes) and rewrites the blocks holding them (a block left empty goes). Rows are
-- locked in (term, first_id) order, stats before blocks, as retrieval's appendPostings
-- locks them, so two writers on one collection cannot deadlock on them. It runs as its
-- caller: row-level security applies.
-- +goose StatementBegin
CREATE FUNCTION footnote_remove_postings(coll text, gone_ids bigint[], gone_terms text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM term_stats s
    WHERE s.collection = coll AND s.term = ANY (gone_terms)
    ORDER BY s.term FOR UPDATE;
    UPDATE term_stats s SET df = s.df - g.n
    FROM (SELECT term, count(*) AS n FROM unnest(gone_terms) AS t(term) GROUP BY term) g
    WHERE s.collection = coll AND s.term = g.term;
    DELETE FROM term_stats WHERE collection = coll AND term = ANY (gone_terms) AND df <= 0;

    PERFORM 1 FROM term_blocks b
    JOIN (SELECT term, array_agg(id) AS ids, min(id) AS lo, max(id) AS hi
          FROM unnest(gone_ids, gone_terms) AS v(id, term) GROUP BY term) g
        ON b.collection = coll AND b.term = g.term AND b.first_id <= g.hi AND b.last_id >= g.lo
    WHERE b.ids && g.ids
    ORDER BY b.term, b.first_id FOR UPDATE OF b;
    WITH g AS (
        SELECT term, array_agg(id) AS ids, min(id) AS lo, max(id) AS hi
        FROM unnest(gone_ids, gone_terms) AS v(id, term) GROUP BY term
    ), kept AS (
        SELECT b.term, b.first_id AS old_first, k.*
        FROM term_blocks b JOIN g
            ON b.collection = coll AND b.term = g.term AND b.first_id <= g.hi AND b.last_id >= g.lo
        CROSS JOIN LATERAL (
            SELECT array_agg(u.id ORDER BY u.id) AS ids, array_agg(u.tf ORDER BY u.id) AS tfs,
                   array_agg(u.len ORDER BY u.id) AS lens, min(u.id) AS lo, max(u.id) AS hi,
                   max(u.tf) AS max_tf, min(u.len) AS min_len
            FROM unnest(b.ids, b.tfs, b.lens) AS u(id, tf, len)
            WHERE u.id <> ALL (g.ids)) k
        WHERE b.ids && g.ids
    ), emptied AS (
        DELETE FROM term_blocks b USING kept
        WHERE kept.ids IS NULL AND b.collection = coll AND b.term = kept.term AND b.first_id = kept.old_first
    )
    UPDATE term_blocks b
    SET first_id = kept.lo, last_id = kept.hi, max_tf = kept.max_tf, min_len = kept.min_len,
        ids = kept.ids, tfs = kept.tfs, lens = kept.lens
    FROM kept
    WHERE kept.ids IS NOT NULL AND b.collection = coll AND b.term = kept.term AND b.first_id = kept.old_first;
END $$;
-- +goose StatementEnd

-- chunks_postings_del removes deleted passages' postings (a deleted article's, a recrawl's
-- replaced passages', a departed server's). A collection whose keyword index is already
-- gone (retrieval's deleteCollection drops it first, whole) is skipped.
-- +goose StatementBegin
CREATE FUNCTION chunks_postings_del() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    coll text;
BEGIN
    FOR coll IN SELECT DISTINCT o.collection FROM old_rows o ORDER BY 1 LOOP
        -- The collection's row first, as every writer takes it first (its statistics:
        -- upsertCollection, chunks_stats_del): then stats and blocks, in order.
        PERFORM 1 FROM collections WHERE name = coll FOR UPDATE;
        CONTINUE WHEN NOT EXISTS (SELECT 1 FROM term_stats WHERE collection = coll);
        PERFORM footnote_remove_postings(coll, array_agg(o.id), array_agg(t.term))
        FROM old_rows o, string_to_table(o.terms, ' ') AS t(term)
        WHERE o.collection = coll AND t.term <> '';
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER chunks_postings_del AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_postings_del();

-- 6. Forced row-level security, as migration 015 gives every collection's table.
ALTER TABLE term_stats ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY term_stats_of_scope ON term_stats
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');
ALTER TABLE term_blocks ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY term_blocks_of_scope ON term_blocks
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_analyze() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    ANALYZE articles, chunks, term_stats, term_blocks, embeddings;
END $$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION footnote_analyze() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN
    ANALYZE articles, chunks, postings, embeddings;
END $$;
-- +goose StatementEnd
DROP TRIGGER chunks_postings_del ON chunks;
DROP FUNCTION chunks_postings_del(), footnote_remove_postings(text, bigint[], text[]);

ALTER TABLE chunks ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED;
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

DROP VIEW postings;
CREATE TABLE postings (
    collection text NOT NULL,
    term       text NOT NULL,
    chunk_id   bigint NOT NULL,
    tf         int NOT NULL,
    doc_len    int NOT NULL,
    PRIMARY KEY (collection, term, chunk_id) INCLUDE (tf, doc_len)
);
CREATE INDEX postings_chunk_idx ON postings (chunk_id);
INSERT INTO postings (collection, term, chunk_id, tf, doc_len)
SELECT b.collection, b.term, u.chunk_id, u.tf, u.doc_len
FROM term_blocks b, unnest(b.ids, b.tfs, b.lens) AS u(chunk_id, tf, doc_len);
ALTER TABLE postings ADD CONSTRAINT postings_chunk_fkey FOREIGN KEY (chunk_id, collection)
    REFERENCES chunks (id, collection) ON DELETE CASCADE;
ALTER TABLE postings ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY postings_of_scope ON postings
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

DROP TABLE term_blocks, term_stats;
ALTER TABLE chunks DROP COLUMN terms;
