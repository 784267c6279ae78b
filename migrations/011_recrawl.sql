-- +goose Up
-- Keeping articles fresh (issue 9): an article added from the web is fetched again on a
-- schedule that slows with age (FOOTNOTE_RECRAWL_SCHEDULE: after 1 h, 1 day, 1 week, then
-- monthly by default). Files and imported lines were not fetched, so they are never
-- recrawled: their recrawl_at stays NULL.
--   recrawl_at        when the article is next due; NULL: not recrawled at all. Articles
--                     stored before this migration are NULL too (an import and an /add of a
--                     web page left the same row); adding the link again schedules one.
--   recrawl_lease     while a worker recrawls the article, the time its claim runs out; NULL
--                     or past: free. Two workers never claim the same article, and an
--                     article whose worker died is claimed again once its lease is over.
--   recrawls          how many recrawls got an answer from the site: the step of the
--                     schedule the article is on.
--   recrawl_failures  recrawls in a row that failed (network, 5xx, a page that no longer
--                     reads): each doubles the wait, up to the schedule's last step.
--   recrawl_error     the last failure, '' after an answer.
--   fetch_url         the URL /add fetched (the stored url is the page's canonical claim);
--                     '' means fetch url.
--   etag, last_modified  validators of the last answer, sent back as If-None-Match and
--                     If-Modified-Since so an unchanged page costs a 304.
--   checked_at        when the site last answered a recrawl.
--   updated_at        when the text last changed after it was first added (citations show
--                     "updated <date>"); NULL when it never did.
--   gone_at           when the page first answered 404 or 410 (citations show "no longer
--                     online"); NULL while it is online.
ALTER TABLE articles
    ADD COLUMN recrawl_at       timestamptz,
    ADD COLUMN recrawl_lease    timestamptz,
    ADD COLUMN recrawls         integer NOT NULL DEFAULT 0,
    ADD COLUMN recrawl_failures integer NOT NULL DEFAULT 0,
    ADD COLUMN recrawl_error    text NOT NULL DEFAULT '',
    ADD COLUMN fetch_url        text NOT NULL DEFAULT '',
    ADD COLUMN etag             text NOT NULL DEFAULT '',
    ADD COLUMN last_modified    text NOT NULL DEFAULT '',
    ADD COLUMN checked_at       timestamptz,
    ADD COLUMN updated_at       timestamptz,
    ADD COLUMN gone_at          timestamptz;

-- The recrawl job's question, "which articles are due, oldest first", is a range scan of
-- this index from its start; articles that are never recrawled are not in it at all.
CREATE INDEX articles_recrawl_due_idx ON articles (recrawl_at) WHERE recrawl_at IS NOT NULL;

-- What a server does with an article whose page answers 404 or 410 (/settings gone_pages):
-- '' keeps it, cited with "no longer online" (the default); 'remove' deletes it.
ALTER TABLE guild_settings ADD COLUMN gone_pages text NOT NULL DEFAULT ''
    CONSTRAINT guild_settings_gone_pages_check CHECK (gone_pages IN ('', 'remove'));

-- +goose Down
ALTER TABLE guild_settings DROP COLUMN gone_pages;
DROP INDEX articles_recrawl_due_idx;
ALTER TABLE articles
    DROP COLUMN recrawl_at, DROP COLUMN recrawl_lease, DROP COLUMN recrawls,
    DROP COLUMN recrawl_failures, DROP COLUMN recrawl_error, DROP COLUMN fetch_url,
    DROP COLUMN etag, DROP COLUMN last_modified, DROP COLUMN checked_at,
    DROP COLUMN updated_at, DROP COLUMN gone_at;
