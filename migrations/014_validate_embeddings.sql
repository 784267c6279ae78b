-- +goose NO TRANSACTION
-- +goose Up
-- 012 adds two constraints on embeddings NOT VALID (new rows are checked from then on). Here
-- they are validated, each statement on its own, outside any transaction: VALIDATE scans
-- every vector under a SHARE UPDATE EXCLUSIVE lock, so searches, imports and reindexes go on
-- while it runs, where inside 012's transaction the scan ran under that file's ACCESS
-- EXCLUSIVE lock and stopped them all. On a database that ran 012 before it stopped
-- validating, the constraints are valid already and this re-checks them: harmless.
ALTER TABLE embeddings VALIDATE CONSTRAINT embeddings_one_vector;
ALTER TABLE embeddings VALIDATE CONSTRAINT embeddings_space_id_fkey;

-- +goose Down
-- Nothing to undo: a constraint stays valid, and rolling back 012 drops one and replaces the
-- other.
SELECT 1;
