-- +goose Up
-- Feed announcements waiting to be posted (an outbox). A feed item's article and its row
-- here are written in one transaction, so an article a background poll added is announced
-- even when the process dies before it posts, or Discord fails for longer than one job's
-- retries: whoever announces the feed next (its next poll, an announce_feed job, /track)
-- claims the rows, posts them and deletes those posted. Only items of a feed with an
-- announcement channel get a row.
--
-- claimed_until is the claim of whoever is posting them: another announcer leaves the rows
-- alone until then, and a process that died while posting loses its claim when it passes.
-- seq keeps the order the poll added them in (the feed's, newest first). title and
-- published_at are the feed item's, when it gave them; the article's are read otherwise.
CREATE TABLE feed_announcements (
    feed_id       bigint NOT NULL REFERENCES feeds ON DELETE CASCADE,
    url           text NOT NULL,
    collection    text NOT NULL,
    title         text NOT NULL DEFAULT '',
    published_at  timestamptz,
    seq           bigserial,
    added_at      timestamptz NOT NULL DEFAULT now(),
    claimed_until timestamptz,
    PRIMARY KEY (feed_id, url)
);
CREATE INDEX feed_announcements_added_idx ON feed_announcements (added_at);

ALTER TABLE feed_announcements ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY feed_announcements_of_scope ON feed_announcements
    USING (collection = (SELECT current_setting('footnote.collection', true))
           OR (SELECT current_setting('footnote.scope', true)) = 'all');

-- +goose Down
DROP TABLE feed_announcements;
