-- +goose Up
-- Reindex (issues 9 and 11): it resumes where it stopped, it deletes the embedding space a
-- collection left, and models wider than 2,000 dimensions are stored as halfvec.

-- The keyword-index rebuild's watermark. A rebuild walks a collection's passages in id
-- order, a batch per transaction; each transaction also records the last passage id it
-- rebuilt (relex_after) and the tokeniser version it rebuilt them with (relex_version), so a
-- rebuild that is killed continues after that id instead of starting again. Both are NULL
-- when no rebuild is under way; a watermark of another tokeniser version is ignored.
ALTER TABLE collections
    ADD COLUMN relex_version int,
    ADD COLUMN relex_after   bigint;

-- pgvector's HNSW index takes vector up to 2,000 dimensions and halfvec (16-bit floats) up
-- to 4,000. A space wider than 2,000 keeps its vectors in embedding_half and indexes them
-- there (the store picks the column from the space's dims); every other space keeps using
-- embedding. Half precision halves the storage of a wide model's vectors, and the index
-- holds halfvec either way.
ALTER TABLE embedding_spaces DROP CONSTRAINT embedding_spaces_dims_check,
    ADD CONSTRAINT embedding_spaces_dims_check CHECK (dims > 0 AND dims <= 4000);
ALTER TABLE embeddings ALTER COLUMN embedding DROP NOT NULL,
    ADD COLUMN embedding_half halfvec,
    ADD CONSTRAINT embeddings_one_vector CHECK (num_nonnulls(embedding, embedding_half) = 1) NOT VALID;
-- NOT VALID: new rows are checked at once, and the scan of the rows already there is 014's.
-- This file runs in one transaction, which holds the ACCESS EXCLUSIVE lock the ALTERs above
-- took on embeddings until it ends: a VALIDATE here would scan every vector under it, with
-- every search and write waiting. 014 validates outside any transaction instead, under a
-- lock that lets reads and writes go on.

-- A space is deleted once no collection searches it and it holds no vectors. The database
-- says when that is: both references refuse the delete (no more ON DELETE CASCADE, which
-- would silently take the vectors a concurrent write had just stored), and the store treats
-- a refused delete as "still in use".
ALTER TABLE embeddings DROP CONSTRAINT embeddings_space_id_fkey,
    ADD CONSTRAINT embeddings_space_id_fkey FOREIGN KEY (space_id) REFERENCES embedding_spaces NOT VALID;
-- Validated by 014, as embeddings_one_vector is.
UPDATE collections SET active_space = NULL
WHERE active_space IS NOT NULL AND active_space NOT IN (SELECT id FROM embedding_spaces);
ALTER TABLE collections ADD CONSTRAINT collections_active_space_fkey
    FOREIGN KEY (active_space) REFERENCES embedding_spaces;

-- +goose Down
ALTER TABLE collections DROP CONSTRAINT collections_active_space_fkey;
ALTER TABLE embeddings DROP CONSTRAINT embeddings_space_id_fkey,
    ADD CONSTRAINT embeddings_space_id_fkey FOREIGN KEY (space_id) REFERENCES embedding_spaces ON DELETE CASCADE;
-- Spaces wider than 2,000 dimensions cannot be kept: their vectors go with them, and their
-- collections answer on keywords until a reindex.
UPDATE collections SET active_space = NULL
WHERE active_space IN (SELECT id FROM embedding_spaces WHERE dims > 2000);
DELETE FROM embedding_spaces WHERE dims > 2000;
ALTER TABLE embeddings DROP CONSTRAINT embeddings_one_vector,
    DROP COLUMN embedding_half,
    ALTER COLUMN embedding SET NOT NULL;
ALTER TABLE embedding_spaces DROP CONSTRAINT embedding_spaces_dims_check,
    ADD CONSTRAINT embedding_spaces_dims_check CHECK (dims > 0 AND dims <= 2000);
ALTER TABLE collections DROP COLUMN relex_after, DROP COLUMN relex_version;
