-- +goose Up
-- The Discord channel where a feed's new articles are announced (/track channel:), as a
-- snowflake; '' announces nowhere. The command line never sets it.
ALTER TABLE feeds ADD COLUMN channel_id text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE feeds DROP COLUMN channel_id;
