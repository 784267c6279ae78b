-- +goose Up
-- A robots.txt that could not be read (a 5xx, a network error, one too large) keeps a
-- site's pages from being crawled for a minute before it is asked for again (RFC 9309
-- reads an unreachable robots.txt as disallowing everything). Each process kept that
-- minute to itself, so several workers each asked a failing site for it; now the failure
-- is shared like a copy that was read: failure is why it could not be read (NULL for a
-- copy), status_code and status the HTTP answer when it was one.
ALTER TABLE site_robots
    ADD COLUMN failure     text,
    ADD COLUMN status_code integer NOT NULL DEFAULT 0,
    ADD COLUMN status      text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE site_robots DROP COLUMN status, DROP COLUMN status_code, DROP COLUMN failure;
