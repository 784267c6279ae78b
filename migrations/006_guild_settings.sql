-- +goose Up
-- Per-server settings, set with /settings by members with Manage Server. One row per
-- collection (a Discord server's collection is its guild id); a server that never ran
-- /settings has no row and gets the defaults, so the table holds only what admins chose.
-- Every column's "unset" value means "the default": '' for admin_role (footnote's
-- FOOTNOTE_ADMIN_ROLE then applies) and for answer_mode (answers go where they always did:
-- /ask replies in the channel, a mention opens a thread), NULL for mention_channels (all
-- channels).
CREATE TABLE guild_settings (
    collection       text PRIMARY KEY,
    admin_role       text NOT NULL DEFAULT '',
    answer_mode      text NOT NULL DEFAULT ''
                     CHECK (answer_mode IN ('', 'thread', 'reply', 'ephemeral')),
    mention_channels text[],
    members_add      boolean NOT NULL DEFAULT true,
    updated_by       text NOT NULL DEFAULT '',
    updated_at       timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE guild_settings;
