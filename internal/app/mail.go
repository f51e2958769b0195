package app

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"time"

	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
)

// Mailer sends one plain-text message.
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// SMTPMailer sends through an SMTP server (STARTTLS when offered, PLAIN
// authentication when a user name is set).
type SMTPMailer struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string
}

// Send delivers one message.
func (m SMTPMailer) Send(ctx context.Context, to, subject, body string) error {
	if strings.ContainsAny(to, "\r\n") || strings.ContainsAny(subject, "\r\n") {
		return fmt.Errorf("mail header contains a line break")
	}
	addr := net.JoinHostPort(m.Host, strconv.Itoa(m.Port))
	var auth smtp.Auth
	if m.Username != "" {
		auth = smtp.PlainAuth("", m.Username, m.Password, m.Host)
	}
	msg := "From: " + m.From + "\r\nTo: " + to + "\r\nSubject: " + mimeWord(subject) +
		"\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\nDate: " +
		time.Now().UTC().Format(time.RFC1123Z) + "\r\n\r\n" + strings.ReplaceAll(body, "\n", "\r\n")
	return smtp.SendMail(addr, auth, m.From, []string{to}, []byte(msg))
}

// mimeWord encodes a header value that is not plain ASCII.
func mimeWord(s string) string {
	for _, r := range s {
		if r > 126 {
			return "=?utf-8?b?" + b64(s) + "?="
		}
	}
	return s
}

// SendDueMail sends (or, with no Mailer, keeps for organizers to read) the
// pending mail whose moment has come, and returns how many it looked at.
// Each mail is claimed first, so concurrent workers never send it twice.
// Failures stay pending for the next pass and give up after five tries.
func (a *App) SendDueMail(ctx context.Context, limit int) (int, error) {
	due, err := a.DB.DueMail(ctx, a.Now(), limit)
	if err != nil {
		return 0, err
	}
	for _, m := range due {
		claimed, err := a.DB.ClaimMail(ctx, m.ID, a.Now())
		if err != nil {
			return 0, err
		}
		if !claimed {
			continue // another process is sending it
		}
		if a.Mailer == nil {
			if err := a.DB.FinishMail(ctx, m.ID, db.MailKept, ""); err != nil {
				return 0, err
			}
			continue
		}
		state, msg := db.MailSent, ""
		if err := a.Mailer.Send(ctx, m.ToAddress, m.Subject, m.Body); err != nil {
			state, msg = db.MailPending, err.Error()
			if m.Attempts+1 >= 5 {
				state = db.MailFailed
			}
		}
		if err := a.DB.FinishMail(ctx, m.ID, state, msg); err != nil {
			return 0, err
		}
	}
	return len(due), nil
}

// RunMail sends due mail every interval until ctx ends.
func (a *App) RunMail(ctx context.Context, every time.Duration, logger *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := a.SendDueMail(ctx, 100); err != nil && ctx.Err() == nil && logger != nil {
			logger.Warn("sending mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// MailView is one outbox message as organizers see it.
type MailView struct {
	ID        string     `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	State     string     `json:"state"`
	SendAfter *time.Time `json:"send_after,omitempty"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	LastError string     `json:"last_error,omitempty"`
}

// Outbox lists the competition's mail, sent or kept. Organizers only.
func (a *App) Outbox(ctx context.Context, acc Access) ([]MailView, error) {
	if err := acc.Require(contest.RoleOrganizer); err != nil {
		return nil, err
	}
	ms, err := a.DB.Outbox(ctx, acc.Competition.ID, 500)
	if err != nil {
		return nil, err
	}
	out := make([]MailView, len(ms))
	for i, m := range ms {
		out[i] = MailView{ID: m.ID, To: m.ToAddress, Subject: m.Subject, Body: m.Body, State: m.State, SendAfter: m.SendAfter, SentAt: m.SentAt, LastError: m.LastError}
	}
	return out, nil
}
