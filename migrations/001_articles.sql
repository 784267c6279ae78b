-- +goose Up
CREATE EXTENSION IF NOT EXISTS vector;

-- Every row belongs to a collection: a Discord guild id, or "default" for the command line.
-- No query ever crosses collections; chunks and embeddings carry the collection too, so that
-- every search filters on it without a join.
CREATE TABLE collections (
    name         text PRIMARY KEY,
    -- Lexical statistics for BM25, kept current by statement triggers on chunks.
    chunk_count  bigint NOT NULL DEFAULT 0,
    token_total  bigint NOT NULL DEFAULT 0,
    -- The embedding space the dense arm searches; NULL until the first article is embedded.
    active_space int,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE feeds (
    id         bigserial PRIMARY KEY,
    collection text NOT NULL,
    url        text NOT NULL,
    title      text NOT NULL DEFAULT '',
    added_by   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (collection, url)
);

CREATE TABLE articles (
    id           bigserial PRIMARY KEY,
    collection   text NOT NULL,
    url          text NOT NULL,            -- canonical
    title        text NOT NULL DEFAULT '',
    byline       text NOT NULL DEFAULT '',
    site         text NOT NULL DEFAULT '',
    published_at timestamptz,
    fetched_at   timestamptz NOT NULL DEFAULT now(),
    content_hash text NOT NULL,            -- hex sha256 of body
    body         text NOT NULL,
    added_by     text NOT NULL DEFAULT '',
    feed_id      bigint REFERENCES feeds ON DELETE SET NULL,
    UNIQUE (collection, url)
);
CREATE INDEX articles_hash_idx ON articles (collection, content_hash);
CREATE INDEX articles_published_idx ON articles (collection, published_at DESC NULLS LAST, id DESC);

-- A passage of an article: body = articles.body[start_offset:end_offset] (byte offsets in UTF-8).
CREATE TABLE chunks (
    id           bigserial PRIMARY KEY,
    article_id   bigint NOT NULL REFERENCES articles ON DELETE CASCADE,
    collection   text NOT NULL,
    ordinal      int NOT NULL,
    start_offset int NOT NULL,
    end_offset   int NOT NULL,
    body         text NOT NULL,
    token_count  int NOT NULL,             -- indexed terms (title included): BM25's document length
    tsv          tsvector GENERATED ALWAYS AS (to_tsvector('english', body)) STORED,
    UNIQUE (article_id, ordinal)
);
CREATE INDEX chunks_collection_idx ON chunks (collection);
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

-- The lexical arm's inverted index: one row per (term, chunk) with the term's frequency.
-- Postgres' ts_rank has no IDF, so footnote ranks with BM25 over these postings; terms come
-- from retrieval/text (Snowball English stems, the same in queries and at ingest).
CREATE TABLE postings (
    collection text NOT NULL,
    term       text NOT NULL,
    chunk_id   bigint NOT NULL REFERENCES chunks ON DELETE CASCADE,
    tf         int NOT NULL,
    doc_len    int NOT NULL,               -- copy of chunks.token_count: BM25 without a join
    -- INCLUDE makes the BM25 query an index-only scan: it never visits the table.
    PRIMARY KEY (collection, term, chunk_id) INCLUDE (tf, doc_len)
);
CREATE INDEX postings_chunk_idx ON postings (chunk_id);

-- +goose StatementBegin
CREATE FUNCTION chunks_stats_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO collections AS c (name, chunk_count, token_total)
    SELECT collection, count(*), sum(token_count) FROM new_rows GROUP BY collection
    ON CONFLICT (name) DO UPDATE
        SET chunk_count = c.chunk_count + EXCLUDED.chunk_count,
            token_total = c.token_total + EXCLUDED.token_total;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION chunks_stats_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE collections c
    SET chunk_count = c.chunk_count - d.n, token_total = c.token_total - d.t
    FROM (SELECT collection, count(*) AS n, sum(token_count) AS t FROM old_rows GROUP BY collection) d
    WHERE c.name = d.collection;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER chunks_stats_ins AFTER INSERT ON chunks
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_ins();
CREATE TRIGGER chunks_stats_del AFTER DELETE ON chunks
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION chunks_stats_del();

-- Embedding spaces: one per (model, dims). Each space gets its own partial HNSW index over
-- embeddings, created by the store when the space is first used (the dimension must be fixed
-- in the index expression). A reindex fills a new space while the old one keeps serving.
CREATE TABLE embedding_spaces (
    id         serial PRIMARY KEY,
    model      text NOT NULL,
    dims       int NOT NULL CHECK (dims > 0 AND dims <= 2000),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model, dims)
);

CREATE TABLE embeddings (
    space_id   int NOT NULL REFERENCES embedding_spaces ON DELETE CASCADE,
    chunk_id   bigint NOT NULL REFERENCES chunks ON DELETE CASCADE,
    collection text NOT NULL,
    embedding  vector NOT NULL,
    PRIMARY KEY (space_id, chunk_id)
);
CREATE INDEX embeddings_chunk_idx ON embeddings (chunk_id);
-- Small collections are searched exactly (no HNSW) through this index.
CREATE INDEX embeddings_collection_idx ON embeddings (space_id, collection);

CREATE TABLE questions (
    id         bigserial PRIMARY KEY,
    collection text NOT NULL,
    asked_by   text NOT NULL DEFAULT '',
    question   text NOT NULL,
    answer     text NOT NULL DEFAULT '',
    mode       text NOT NULL DEFAULT '',
    covered    boolean NOT NULL,
    citations  jsonb NOT NULL DEFAULT '[]',
    asked_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questions_gaps_idx ON questions (collection, asked_at DESC) WHERE NOT covered;

CREATE TABLE feedback (
    id          bigserial PRIMARY KEY,
    collection  text NOT NULL,
    question_id bigint NOT NULL REFERENCES questions ON DELETE CASCADE,
    user_id     text NOT NULL,
    helpful     boolean NOT NULL,
    reason      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (question_id, user_id)
);

-- +goose Down
DROP TABLE feedback, questions, embeddings, embedding_spaces, postings, chunks, articles, feeds, collections;
DROP FUNCTION chunks_stats_ins, chunks_stats_del;
