-- +goose Up
-- Feeds a collection follows (issue 9: `footnote track`, later /track and River jobs). One
-- row per feed and collection; url is the canonical URL of the feed itself (after following
-- an HTML page's <link rel="alternate"> to it), so tracking the page or the feed is the
-- same row. The poll state lives here too: the validators for conditional requests (etag,
-- last_modified, sent back as If-None-Match / If-Modified-Since), when the feed last
-- answered and last failed, how many polls in a row failed (failures; at a limit the feed
-- is paused and no longer polled until tracked again), and when it is next due.
-- Migration 003 dropped an earlier, speculative feeds table; this one replaces it, and
-- names its objects (feeds_*, articles_feed_*) so Down removes exactly what Up made.
CREATE TABLE feeds (
    id            bigserial PRIMARY KEY,
    collection    text NOT NULL,
    url           text NOT NULL,
    title         text NOT NULL DEFAULT '',
    every         interval NOT NULL DEFAULT '30 minutes'
                  CONSTRAINT feeds_every_min CHECK (every >= interval '5 minutes'),
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    last_success  timestamptz,
    last_error    text NOT NULL DEFAULT '',
    last_error_at timestamptz,
    failures      integer NOT NULL DEFAULT 0,
    paused        boolean NOT NULL DEFAULT false,
    next_poll     timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    added_by      text NOT NULL DEFAULT '',
    CONSTRAINT feeds_collection_url_key UNIQUE (collection, url)
);
-- PollDue's question: which unpaused feeds are due.
CREATE INDEX feeds_due_idx ON feeds (next_poll) WHERE NOT paused;

ALTER TABLE articles ADD COLUMN feed_id bigint
    CONSTRAINT articles_feed_id_fkey REFERENCES feeds ON DELETE SET NULL;
CREATE INDEX articles_feed_idx ON articles (feed_id) WHERE feed_id IS NOT NULL;

-- +goose Down
DROP INDEX articles_feed_idx;
ALTER TABLE articles DROP COLUMN feed_id;
DROP TABLE feeds;
