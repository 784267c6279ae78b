-- +goose Up
-- The version of retrieval/text's tokeniser that a collection's postings were built with.
-- `footnote reindex` rebuilds the postings of a collection whose version is older, so a
-- change of tokenising (folding diacritics, say) reaches articles stored before it.
ALTER TABLE collections ADD COLUMN lexicon int NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE collections DROP COLUMN lexicon;
