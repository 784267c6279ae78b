-- +goose Up
-- The URL a feed is polled at, as the server gave it (after redirects and after an HTML
-- page's <link rel="alternate">). url stays the canonical form, the key that makes tracking
-- the page or the feed the same row; but canonicalising drops a trailing slash, and
-- /feed/ and /feed are not the same resource on every server. '' (rows from before this
-- migration) means poll url.
ALTER TABLE feeds ADD COLUMN fetch_url text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE feeds DROP COLUMN fetch_url;
