-- +goose Up
-- Entrants' contact details beside organisation and country (ISO 3166-1 alpha-2).
ALTER TABLE users ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN address TEXT NOT NULL DEFAULT '';

-- Resumable uploads: what the client declared, and who started it.
ALTER TABLE uploads ADD COLUMN declared_type TEXT NOT NULL DEFAULT '';
ALTER TABLE uploads ADD COLUMN user_id TEXT NOT NULL DEFAULT '';
CREATE INDEX uploads_incomplete ON uploads(completed_at, created_at);
CREATE INDEX uploads_asset ON uploads(asset_id);

-- Nominations: a nominator invites a nominee by email with a statement; the
-- nominee accepts through the link and becomes the entrant.
CREATE TABLE nominations (
    id             TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    nominator_id   TEXT NOT NULL REFERENCES users(id),
    nominee_email  TEXT NOT NULL,
    nominee_name   TEXT NOT NULL DEFAULT '',
    statement      TEXT NOT NULL DEFAULT '',
    token_hash     TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','accepted','withdrawn')),
    nominee_id     TEXT REFERENCES users(id),
    created_at     TIMESTAMPTZ NOT NULL,
    accepted_at    TIMESTAMPTZ
);
CREATE INDEX nominations_competition ON nominations(competition_id, nominator_id);

-- Per-nominator quotas an organizer sets (0: no limit).
CREATE TABLE nominator_quotas (
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id),
    quota          INTEGER NOT NULL,
    PRIMARY KEY (competition_id, user_id)
);

-- +goose Down
DROP TABLE nominator_quotas;
DROP TABLE nominations;
DROP INDEX uploads_asset;
DROP INDEX uploads_incomplete;
ALTER TABLE uploads DROP COLUMN user_id;
ALTER TABLE uploads DROP COLUMN declared_type;
ALTER TABLE users DROP COLUMN address;
ALTER TABLE users DROP COLUMN phone;
