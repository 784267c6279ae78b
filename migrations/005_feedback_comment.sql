-- +goose Up
-- What a member writes in the 👎 form, besides the reason chosen: the reason says what kind
-- of failure it was, the comment says what was wrong. '' when the member wrote nothing, so
-- that readers never meet NULL. It is bounded by the bot (the form's maximum length), not
-- here, so that a longer form later needs no migration.
ALTER TABLE feedback ADD COLUMN comment text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE feedback DROP COLUMN comment;
