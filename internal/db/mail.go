package db

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/tessera/tessera/internal/contest"
)

// Mail states: pending until due, sending while one process has it, then
// sent; kept when no SMTP server is configured (shown to organizers
// instead); failed after too many attempts.
const (
	MailPending = "pending"
	MailSending = "sending"
	MailSent    = "sent"
	MailKept    = "kept"
	MailFailed  = "failed"
)

// Mail is one message in the outbox.
type Mail struct {
	ID            string
	CompetitionID string
	ToAddress     string
	Subject       string
	Body          string
	State         string
	SendAfter     *time.Time
	Attempts      int
	LastError     string
	CreatedAt     time.Time
	SentAt        *time.Time
}

type mailRow struct {
	ID            string
	CompetitionID string
	ToAddress     string
	Subject       string
	Body          string
	State         string
	SendAfter     sql.NullTime
	Attempts      int
	LastError     string
	CreatedAt     time.Time
	SentAt        sql.NullTime
}

func (r mailRow) mail() Mail {
	return Mail{ID: r.ID, CompetitionID: r.CompetitionID, ToAddress: r.ToAddress, Subject: r.Subject, Body: r.Body, State: r.State,
		SendAfter: timePtr(r.SendAfter), Attempts: r.Attempts, LastError: r.LastError, CreatedAt: r.CreatedAt, SentAt: timePtr(r.SentAt)}
}

const mailColumns = `id, competition_id, to_address, subject, body, state, send_after, attempts, last_error, created_at, sent_at`

func (db *DB) insertMail(ctx context.Context, tx execer, m *Mail) error {
	m.ID, m.State, m.CreatedAt = NewID(), MailPending, db.now()
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO mail_outbox (id, competition_id, to_address, subject, body, state, send_after, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		m.ID, m.CompetitionID, m.ToAddress, m.Subject, m.Body, m.State, nullTime(m.SendAfter), m.CreatedAt); err != nil {
		return fmt.Errorf("queue mail: %w", err)
	}
	return nil
}

// AnnounceWithMail schedules a competition's announcement for when and
// queues the outcome mails to leave at that moment, all or nothing, once;
// announcing again returns contest.ErrConflict.
func (db *DB) AnnounceWithMail(ctx context.Context, competitionID, actorID string, when time.Time, mails []Mail) error {
	return db.tx(ctx, func(tx *sqlxTx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE competitions SET announced_at = ?, announce_at = ? WHERE id = ? AND announced_at IS NULL`), when.UTC(), when.UTC(), competitionID)
		if err != nil {
			return fmt.Errorf("announce: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("announce: already announced: %w", contest.ErrConflict)
		}
		at := when.UTC()
		for i := range mails {
			mails[i].CompetitionID, mails[i].SendAfter = competitionID, &at
			if err := db.insertMail(ctx, tx, &mails[i]); err != nil {
				return err
			}
		}
		return appendAudit(ctx, db, tx, contest.AuditEvent{CompetitionID: competitionID, ActorID: actorID, Action: "results.announce", Subject: competitionID,
			Detail: fmt.Sprintf("%s, %d outcome mails", at.Format(time.RFC3339), len(mails))})
	})
}

// mailLease is how long a claimed mail may stay unsent before another
// process may claim it again (the first one crashed mid-send).
const mailLease = 10 * time.Minute

// DueMail returns mail whose moment has come and that nobody is sending,
// oldest first.
func (db *DB) DueMail(ctx context.Context, now time.Time, limit int) ([]Mail, error) {
	var rows []mailRow
	if err := db.x.SelectContext(ctx, &rows, db.q(`SELECT `+mailColumns+` FROM mail_outbox
		WHERE (state = 'pending' OR (state = 'sending' AND claimed_at < ?)) AND (send_after IS NULL OR send_after <= ?)
		ORDER BY created_at, id LIMIT ?`), now.UTC().Add(-mailLease), now.UTC(), limit); err != nil {
		return nil, fmt.Errorf("due mail: %w", err)
	}
	out := make([]Mail, len(rows))
	for i, r := range rows {
		out[i] = r.mail()
	}
	return out, nil
}

// ClaimMail takes a due mail for sending, counting the attempt; false when
// another process has it, so replicas never send the same mail twice.
func (db *DB) ClaimMail(ctx context.Context, id string, now time.Time) (bool, error) {
	res, err := db.x.ExecContext(ctx, db.q(`UPDATE mail_outbox SET state = 'sending', claimed_at = ?, attempts = attempts + 1
		WHERE id = ? AND (state = 'pending' OR (state = 'sending' AND claimed_at < ?))`), now.UTC(), id, now.UTC().Add(-mailLease))
	if err != nil {
		return false, fmt.Errorf("claim mail: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FinishMail records the outcome of a claimed mail: sent, kept, or (with
// errMsg) pending again or failed.
func (db *DB) FinishMail(ctx context.Context, id, state, errMsg string) error {
	var sentAt sql.NullTime
	if state == MailSent || state == MailKept {
		sentAt = sql.NullTime{Time: db.now(), Valid: true}
	}
	if _, err := db.x.ExecContext(ctx, db.q(`UPDATE mail_outbox SET state = ?, last_error = ?, sent_at = ? WHERE id = ? AND state = 'sending'`),
		state, errMsg, sentAt, id); err != nil {
		return fmt.Errorf("finish mail: %w", err)
	}
	return nil
}

// Outbox lists a competition's mail, newest first.
func (db *DB) Outbox(ctx context.Context, competitionID string, limit int) ([]Mail, error) {
	var rows []mailRow
	if err := db.x.SelectContext(ctx, &rows, db.q(`SELECT `+mailColumns+` FROM mail_outbox WHERE competition_id = ? ORDER BY created_at DESC, id LIMIT ?`), competitionID, limit); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	out := make([]Mail, len(rows))
	for i, r := range rows {
		out[i] = r.mail()
	}
	return out, nil
}
