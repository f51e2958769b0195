-- +goose Up
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    organisation  TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    locale        TEXT NOT NULL DEFAULT '',
    can_organize  INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE competitions (
    id            TEXT PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    title         TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    time_zone     TEXT NOT NULL,
    opens_at      TIMESTAMP NOT NULL,
    closes_at     TIMESTAMP NOT NULL,
    grace_minutes INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'open',
    nominations   INTEGER NOT NULL DEFAULT 0,
    announce_at   TIMESTAMP,
    announced_at  TIMESTAMP,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    id             TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    medium         TEXT NOT NULL CHECK (medium IN ('photo','video','mural','essay')),
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    rules          TEXT NOT NULL DEFAULT '{}',
    max_file_bytes BIGINT NOT NULL DEFAULT 0,
    max_entries    INTEGER NOT NULL DEFAULT 0,
    position       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (competition_id, name)
);

CREATE TABLE memberships (
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role           TEXT NOT NULL CHECK (role IN ('organizer','judge','entrant','nominator')),
    created_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (competition_id, user_id, role)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE invitations (
    token_hash     TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    role           TEXT NOT NULL,
    email          TEXT NOT NULL DEFAULT '',
    statement      TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL REFERENCES users(id),
    created_at     TIMESTAMP NOT NULL,
    expires_at     TIMESTAMP NOT NULL,
    used_at        TIMESTAMP,
    used_by        TEXT REFERENCES users(id)
);

CREATE TABLE entries (
    id              TEXT PRIMARY KEY,
    competition_id  TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    category_id     TEXT NOT NULL REFERENCES categories(id),
    entrant_id      TEXT NOT NULL REFERENCES users(id),
    nominated_by    TEXT REFERENCES users(id),
    title           TEXT NOT NULL,
    statement       TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft','submitted','withdrawn')),
    consent_rules   INTEGER NOT NULL DEFAULT 0,
    consent_publish INTEGER NOT NULL DEFAULT 0,
    submitted_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX entries_competition ON entries(competition_id, status);
CREATE INDEX entries_entrant ON entries(entrant_id);

CREATE TABLE assets (
    id           TEXT PRIMARY KEY,
    entry_id     TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         BIGINT NOT NULL,
    original_key TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('uploading','pending','processing','ready','failed')),
    fail_reason  TEXT NOT NULL DEFAULT '',
    width        INTEGER NOT NULL DEFAULT 0,
    height       INTEGER NOT NULL DEFAULT 0,
    duration_ms  BIGINT NOT NULL DEFAULT 0,
    sha256       TEXT NOT NULL DEFAULT '',
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX assets_entry ON assets(entry_id);
CREATE INDEX assets_state ON assets(state, updated_at);

CREATE TABLE uploads (
    id           TEXT PRIMARY KEY,
    asset_id     TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    object_key   TEXT NOT NULL,
    store_upload TEXT NOT NULL,
    size         BIGINT NOT NULL,
    part_size    BIGINT NOT NULL,
    sha256       TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    completed_at TIMESTAMP
);

CREATE TABLE derivatives (
    asset_id     TEXT NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    object_key   TEXT NOT NULL,
    content_type TEXT NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    size         BIGINT NOT NULL,
    PRIMARY KEY (asset_id, name)
);

CREATE TABLE rounds (
    id             TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    position       INTEGER NOT NULL,
    blind          INTEGER NOT NULL DEFAULT 1,
    scoring_mode   TEXT NOT NULL DEFAULT 'rubric',
    quorum         INTEGER NOT NULL DEFAULT 1,
    opens_at       TIMESTAMP NOT NULL,
    closes_at      TIMESTAMP NOT NULL,
    UNIQUE (competition_id, position)
);

CREATE TABLE round_categories (
    round_id    TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    category_id TEXT NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
    PRIMARY KEY (round_id, category_id)
);

CREATE TABLE round_entries (
    round_id    TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id    TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    advanced_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, entry_id)
);

CREATE TABLE criteria (
    id        TEXT PRIMARY KEY,
    round_id  TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    name      TEXT NOT NULL,
    guidance  TEXT NOT NULL DEFAULT '',
    weight    REAL NOT NULL CHECK (weight >= 0),
    scale_min INTEGER NOT NULL DEFAULT 1,
    scale_max INTEGER NOT NULL DEFAULT 10,
    counts    INTEGER NOT NULL DEFAULT 1,
    position  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE assignments (
    round_id   TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id   TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    judge_id   TEXT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, entry_id, judge_id)
);

CREATE TABLE conflicts (
    id             TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    judge_id       TEXT NOT NULL REFERENCES users(id),
    entry_id       TEXT REFERENCES entries(id) ON DELETE CASCADE,
    entrant_id     TEXT REFERENCES users(id),
    organisation   TEXT NOT NULL DEFAULT '',
    country        TEXT NOT NULL DEFAULT '',
    source         TEXT NOT NULL CHECK (source IN ('declared','recusal','automatic')),
    reason         TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX conflicts_judge ON conflicts(competition_id, judge_id);

CREATE TABLE reviews (
    round_id     TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id     TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    judge_id     TEXT NOT NULL REFERENCES users(id),
    note         TEXT NOT NULL DEFAULT '',
    feedback     TEXT NOT NULL DEFAULT '',
    submitted_at TIMESTAMP,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, entry_id, judge_id)
);

CREATE TABLE scores (
    round_id     TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id     TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    judge_id     TEXT NOT NULL REFERENCES users(id),
    criterion_id TEXT NOT NULL REFERENCES criteria(id) ON DELETE CASCADE,
    value        INTEGER NOT NULL,
    updated_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, entry_id, judge_id, criterion_id)
);

CREATE TABLE awards (
    id             TEXT PRIMARY KEY,
    competition_id TEXT NOT NULL REFERENCES competitions(id) ON DELETE CASCADE,
    category_id    TEXT REFERENCES categories(id),
    entry_id       TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    created_by     TEXT NOT NULL REFERENCES users(id),
    created_at     TIMESTAMP NOT NULL,
    UNIQUE (competition_id, entry_id, kind)
);

CREATE TABLE mail_outbox (
    id         TEXT PRIMARY KEY,
    to_address TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending',
    created_at TIMESTAMP NOT NULL,
    sent_at    TIMESTAMP
);

CREATE TABLE audit_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    competition_id TEXT NOT NULL DEFAULT '',
    actor_id       TEXT NOT NULL DEFAULT '',
    action         TEXT NOT NULL,
    subject        TEXT NOT NULL DEFAULT '',
    detail         TEXT NOT NULL DEFAULT '',
    at             TIMESTAMP NOT NULL
);
CREATE INDEX audit_competition ON audit_log(competition_id, id);

-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE audit_log;
DROP TABLE mail_outbox;
DROP TABLE awards;
DROP TABLE scores;
DROP TABLE reviews;
DROP TABLE conflicts;
DROP TABLE assignments;
DROP TABLE criteria;
DROP TABLE round_entries;
DROP TABLE round_categories;
DROP TABLE rounds;
DROP TABLE derivatives;
DROP TABLE uploads;
DROP TABLE assets;
DROP TABLE entries;
DROP TABLE invitations;
DROP TABLE memberships;
DROP TABLE categories;
DROP TABLE competitions;
DROP TABLE sessions;
DROP TABLE users;
