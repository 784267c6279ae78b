-- +goose Up
-- Feeds, and the list of uncovered questions, were laid out in 001 before any code used
-- them. Schema for a feature that is not built only misleads a reader of the schema (and
-- RemoveCollection had to delete from a table nothing wrote), so it goes until the issue
-- that builds feeds adds it back with the code that needs it.
ALTER TABLE articles DROP COLUMN feed_id;
DROP TABLE feeds;
DROP INDEX questions_gaps_idx;

-- +goose Down
CREATE TABLE feeds (
    id         bigserial PRIMARY KEY,
    collection text NOT NULL,
    url        text NOT NULL,
    title      text NOT NULL DEFAULT '',
    added_by   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (collection, url)
);
ALTER TABLE articles ADD COLUMN feed_id bigint REFERENCES feeds ON DELETE SET NULL;
CREATE INDEX questions_gaps_idx ON questions (collection, asked_at DESC) WHERE NOT covered;
