-- +goose Up
-- A server that removes footnote keeps its collection for a grace period (FOOTNOTE_GUILD_GRACE,
-- 30 days by default), so that re-adding the bot by mistake or for a while loses nothing;
-- then the sweep deletes it. One row per collection waiting to be deleted: GUILD_CREATE
-- deletes the row (the server is back), the sweep deletes the row and the collection together.
CREATE TABLE guild_departures (
    collection   text PRIMARY KEY,
    left_at      timestamptz NOT NULL, -- when the bot was removed (the first GUILD_DELETE)
    delete_after timestamptz NOT NULL  -- when the sweep may delete the collection
);
-- The sweep asks for the rows whose time has come; this index answers it without reading
-- the rest.
CREATE INDEX guild_departures_due_idx ON guild_departures (delete_after);

-- +goose Down
DROP TABLE guild_departures;
