-- +goose Up
-- What footnote's processes share about the web sites they fetch from (retrieval/fetch's
-- Sites): each site's robots.txt, read at most once a day between them (RFC 9309 caps a
-- cached copy at 24 hours), and each host's next turn for background fetches, so that
-- several workers keep to one pace at a site (FOOTNOTE_HOST_DELAY, or its Crawl-delay)
-- instead of one each.
--
-- Neither is a collection's: a site's rules and pace are the same for every server, and
-- say nothing of who asked. UNLOGGED: a crash that empties them costs a robots.txt fetch
-- per site and one fetch out of turn, nothing more, and they are the primary's business
-- alone.
CREATE UNLOGGED TABLE site_robots (
    site      text PRIMARY KEY,          -- scheme://host[:port], lower case
    body      bytea NOT NULL DEFAULT '', -- its first 500 KiB
    allow_all boolean NOT NULL,          -- the site answered 4xx: no rules
    read_at   timestamptz NOT NULL DEFAULT now()
);

CREATE UNLOGGED TABLE host_turns (
    host    text PRIMARY KEY, -- lower case
    next_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE host_turns;
DROP TABLE site_robots;
