-- +goose Up
-- Judging settings of a round (rounds already hold blind, scoring_mode, quorum).
ALTER TABLE rounds ADD COLUMN score_visibility TEXT NOT NULL DEFAULT 'never';
ALTER TABLE rounds ADD COLUMN min_scores INTEGER NOT NULL DEFAULT 3;
ALTER TABLE rounds ADD COLUMN disagreement DOUBLE PRECISION NOT NULL DEFAULT 30;
ALTER TABLE rounds ADD COLUMN rank_by TEXT NOT NULL DEFAULT 'raw';
ALTER TABLE rounds ADD COLUMN tie_breaks TEXT NOT NULL DEFAULT '';

-- Same country is a conflict only when the competition says so.
ALTER TABLE competitions ADD COLUMN conflict_country BOOLEAN NOT NULL DEFAULT FALSE;

-- Who made an assignment: the automatic assignment or an organizer.
ALTER TABLE assignments ADD COLUMN source TEXT NOT NULL DEFAULT 'auto';
CREATE INDEX assignments_judge ON assignments(round_id, judge_id, entry_id);

-- Judges of a round and their panels; inactive once they drop out (their
-- submitted reviews stay).
CREATE TABLE round_judges (
    round_id   TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    judge_id   TEXT NOT NULL REFERENCES users(id),
    categories TEXT NOT NULL DEFAULT '',
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, judge_id)
);

-- The organizer's ordering of entries the declared rules leave tied.
CREATE TABLE tie_decisions (
    round_id   TEXT NOT NULL REFERENCES rounds(id) ON DELETE CASCADE,
    entry_id   TEXT NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    decided_by TEXT NOT NULL REFERENCES users(id),
    decided_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (round_id, entry_id)
);

-- Outcome mail is queued when the announcement is scheduled and leaves only
-- at its moment.
ALTER TABLE mail_outbox ADD COLUMN competition_id TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN send_after TIMESTAMPTZ;
ALTER TABLE mail_outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE mail_outbox ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE mail_outbox ADD COLUMN claimed_at TIMESTAMPTZ;
CREATE INDEX mail_outbox_due ON mail_outbox(state, send_after);

CREATE INDEX reviews_judge ON reviews(round_id, judge_id, entry_id);
-- Keyset paging (judge queue, gallery) walks entries in (created_at, id)
-- order; this index supersedes entries_competition, which planners would
-- otherwise pick and then filter the page's start row by row.
CREATE INDEX entries_keyset ON entries(competition_id, status, created_at, id);
DROP INDEX entries_competition;
CREATE INDEX awards_entry ON awards(entry_id);

-- Marks and reviews never change once their round has closed, whatever the
-- application does.
-- +goose StatementBegin
CREATE FUNCTION judging_round_open() RETURNS trigger AS $$
DECLARE
    closes TIMESTAMPTZ;
    rid TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN rid := OLD.round_id; ELSE rid := NEW.round_id; END IF;
    SELECT closes_at INTO closes FROM rounds WHERE id = rid;
    IF closes IS NOT NULL AND closes <= clock_timestamp() THEN
        RAISE EXCEPTION 'round closed: scores are final';
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.round_id <> NEW.round_id THEN
        RAISE EXCEPTION 'round closed: scores are final';
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER scores_round_open BEFORE INSERT OR UPDATE OR DELETE ON scores
    FOR EACH ROW EXECUTE FUNCTION judging_round_open();
CREATE TRIGGER reviews_round_open BEFORE INSERT OR UPDATE ON reviews
    FOR EACH ROW EXECUTE FUNCTION judging_round_open();
-- +goose StatementBegin
CREATE FUNCTION rounds_closed_final() RETURNS trigger AS $$
BEGIN
    IF OLD.closes_at <= clock_timestamp() AND NEW.closes_at IS DISTINCT FROM OLD.closes_at THEN
        RAISE EXCEPTION 'round closed: scores are final';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
-- +goose StatementEnd
CREATE TRIGGER rounds_closed_final BEFORE UPDATE OF closes_at ON rounds
    FOR EACH ROW EXECUTE FUNCTION rounds_closed_final();

-- +goose Down
DROP TRIGGER rounds_closed_final ON rounds;
DROP FUNCTION rounds_closed_final();
DROP TRIGGER reviews_round_open ON reviews;
DROP TRIGGER scores_round_open ON scores;
DROP FUNCTION judging_round_open();
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
