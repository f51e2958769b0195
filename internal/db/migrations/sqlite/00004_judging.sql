-- +goose Up
-- Judging settings of a round (rounds already hold blind, scoring_mode, quorum).
ALTER TABLE rounds ADD COLUMN score_visibility TEXT NOT NULL DEFAULT 'never';
ALTER TABLE rounds ADD COLUMN min_scores INTEGER NOT NULL DEFAULT 3;
ALTER TABLE rounds ADD COLUMN disagreement REAL NOT NULL DEFAULT 30;
ALTER TABLE rounds ADD COLUMN rank_by TEXT NOT NULL DEFAULT 'raw';
ALTER TABLE rounds ADD COLUMN tie_breaks TEXT NOT NULL DEFAULT '';

-- Same country is a conflict only when the competition says so.
ALTER TABLE competitions ADD COLUMN conflict_country INTEGER NOT NULL DEFAULT 0;

-- Who made an assignment: the automatic assignment or an organizer.
ALTER TABLE assignments ADD COLUMN source TEXT NOT NULL DEFAULT 'auto';
CREATE INDEX assignments_judge ON assignments(round_id, judge_id, entry_id);

-- Judges taken off a round (dropped out); their submitted reviews stay.
CREATE TABLE round_judges (
    round_id   TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    judge_id   TEXT NOT NULL REFERENCES users(id),
    categories TEXT NOT NULL DEFAULT '',
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, judge_id)
);

-- The organizer's ordering of entries the declared rules leave tied.
CREATE TABLE tie_decisions (
    round_id   TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id   TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES users(id),
    decided_at TIMESTAMP NOT NULL,
    PRIMARY KEY (round_id, entry_id)
);

-- Outcome mail is queued when the announcement is scheduled and leaves only
-- at its moment.
ALTER TABLE mail_outbox ADD COLUMN competition_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN send_after TIMESTAMP;
ALTER TABLE mail_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN claimed_at TIMESTAMP;
CREATE INDEX mail_outbox_due ON mail_outbox(state, send_after);

CREATE INDEX reviews_judge ON reviews(round_id, judge_id, entry_id);
-- Keyset paging (judge queue, gallery) walks entries in (created_at, id)
-- order; this index supersedes entries_competition, which planners would
-- otherwise pick and then filter the page's start row by row.
CREATE INDEX entries_keyset ON entries(competition_id, status, created_at, id);
DROP INDEX entries_competition;
CREATE INDEX awards_entry ON awards(entry_id);

-- Marks and reviews never change once their round has closed, whatever the
-- application does. Times are stored as Go's UTC text, which sorts like the
-- clock; strftime gives now in the same shape.
-- +goose StatementBegin
CREATE TRIGGER scores_round_open_insert BEFORE INSERT ON scores
WHEN (SELECT closes_at FROM rounds WHERE id = NEW.round_id) <= strftime('%Y-%m-%d %H:%M:%f', 'now')
BEGIN
    SELECT RAISE(ABORT, 'round closed: scores are final');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scores_round_open_update BEFORE UPDATE ON scores
WHEN (SELECT closes_at FROM rounds WHERE id = OLD.round_id) <= strftime('%Y-%m-%d %H:%M:%f', 'now')
BEGIN
    SELECT RAISE(ABORT, 'round closed: scores are final');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER scores_round_open_delete BEFORE DELETE ON scores
WHEN (SELECT closes_at FROM rounds WHERE id = OLD.round_id) <= strftime('%Y-%m-%d %H:%M:%f', 'now')
BEGIN
    SELECT RAISE(ABORT, 'round closed: scores are final');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reviews_round_open_insert BEFORE INSERT ON reviews
WHEN (SELECT closes_at FROM rounds WHERE id = NEW.round_id) <= strftime('%Y-%m-%d %H:%M:%f', 'now')
BEGIN
    SELECT RAISE(ABORT, 'round closed: scores are final');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER reviews_round_open_update BEFORE UPDATE ON reviews
WHEN (SELECT closes_at FROM rounds WHERE id = OLD.round_id) <= strftime('%Y-%m-%d %H:%M:%f', 'now')
BEGIN
    SELECT RAISE(ABORT, 'round closed: scores are final');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER rounds_closed_final BEFORE UPDATE OF closes_at ON rounds
WHEN OLD.closes_at <= strftime('%Y-%m-%d %H:%M:%f', 'now')
BEGIN
    SELECT RAISE(ABORT, 'round closed: scores are final');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER rounds_closed_final;
DROP TRIGGER reviews_round_open_update;
DROP TRIGGER reviews_round_open_insert;
DROP TRIGGER scores_round_open_delete;
DROP TRIGGER scores_round_open_update;
DROP TRIGGER scores_round_open_insert;
DROP INDEX awards_entry;
DROP INDEX entries_keyset;
CREATE INDEX entries_competition ON entries(competition_id, status);
DROP INDEX reviews_judge;
DROP INDEX mail_outbox_due;
ALTER TABLE mail_outbox DROP COLUMN claimed_at;
ALTER TABLE mail_outbox DROP COLUMN last_error;
ALTER TABLE mail_outbox DROP COLUMN attempts;
ALTER TABLE mail_outbox DROP COLUMN send_after;
ALTER TABLE mail_outbox DROP COLUMN competition_id;
DROP TABLE tie_decisions;
DROP TABLE round_judges;
DROP INDEX assignments_judge;
ALTER TABLE assignments DROP COLUMN source;
ALTER TABLE competitions DROP COLUMN conflict_country;
ALTER TABLE rounds DROP COLUMN tie_breaks;
ALTER TABLE rounds DROP COLUMN rank_by;
ALTER TABLE rounds DROP COLUMN disagreement;
ALTER TABLE rounds DROP COLUMN min_scores;
ALTER TABLE rounds DROP COLUMN score_visibility;
