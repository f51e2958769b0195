package app_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tessera/tessera/internal/app"
	"github.com/tessera/tessera/internal/contest"
	"github.com/tessera/tessera/internal/db"
	"github.com/tessera/tessera/internal/db/dbtest"
)

// fakeSMTP is a minimal SMTP server that records each message's data.
type fakeSMTP struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newFakeSMTP(t *testing.T) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.serve(c)
		}
	}()
	return f
}

func (f *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	say := func(s string) { _, _ = c.Write([]byte(s + "\r\n")) }
	say("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 fake")
		case strings.HasPrefix(cmd, "DATA"):
			say("354 go on")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			f.mu.Lock()
			f.msgs = append(f.msgs, b.String())
			f.mu.Unlock()
			say("250 queued")
		case strings.HasPrefix(cmd, "QUIT"):
			say("221 bye")
			return
		default:
			say("250 ok")
		}
	}
}

type failingMailer struct{ n int }

func (m *failingMailer) Send(context.Context, string, string, string) error {
	m.n++
	return errors.New("relay refused")
}

// TestOutcomeMail checks that outcome mail leaves only at the moment of the
// announcement, through SMTP when configured (else kept for organizers),
// and that a failing server is retried then given up.
func TestOutcomeMail(t *testing.T) {
	ctx := context.Background()
	d := dbtest.SQLite(t)
	org := contest.User{Email: "org@example.org", Name: "Org", PasswordHash: "x"}
	ent := contest.User{Email: "efua@example.org", Name: "Efua", PasswordHash: "x"}
	for _, u := range []*contest.User{&org, &ent} {
		if err := d.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now().UTC()
	n := db.NewCompetition{
		Competition: contest.Competition{Slug: "mail", Title: "Mail Test", TimeZone: "UTC", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)},
		Categories:  []contest.Category{{Medium: contest.MediumPhoto, Name: "Photos"}},
		Round:       contest.Round{Name: "R", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)},
		Criteria:    []contest.Criterion{{Name: "C", Weight: 1, ScaleMin: 1, ScaleMax: 5}},
		OrganizerID: org.ID,
	}
	if err := d.CreateCompetition(ctx, &n); err != nil {
		t.Fatal(err)
	}
	e := contest.Entry{CompetitionID: n.Competition.ID, CategoryID: n.Categories[0].ID, EntrantID: ent.ID, Title: "Kente Light", Consent: true}
	if err := d.CreateEntry(ctx, &e, 0); err != nil {
		t.Fatal(err)
	}
	if err := d.SubmitEntry(ctx, e.ID, ent.ID); err != nil {
		t.Fatal(err)
	}
	srv := newFakeSMTP(t)
	port, _ := strconv.Atoi(strings.Split(srv.ln.Addr().String(), ":")[1])
	a := app.New(d, nil, nil, nil, nil, nil, 0, nil)
	a.Mailer = app.SMTPMailer{Host: "127.0.0.1", Port: port, From: "tessera@example.org"}
	clock := now
	a.Now = func() time.Time { return clock }
	comp, _ := d.CompetitionByID(ctx, n.Competition.ID)
	acc := app.Access{User: &org, Competition: comp, Roles: []contest.Role{contest.RoleOrganizer}}
	if err := a.GiveAward(ctx, acc, n.Round.ID, app.AwardInput{EntryID: e.ID, Kind: contest.AwardFirst}); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	at, err := a.Announce(ctx, acc, n.Round.ID, app.AnnouncementInput{At: &later})
	if err != nil {
		t.Fatal(err)
	}
	if sent, _ := a.SendDueMail(ctx, 10); sent != 0 || len(srv.msgs) != 0 {
		t.Fatalf("mail left %d before the announcement", sent)
	}
	clock = at
	if sent, err := a.SendDueMail(ctx, 10); sent != 1 || err != nil {
		t.Fatalf("at the moment: %d, %v", sent, err)
	}
	srv.mu.Lock()
	msg := strings.Join(srv.msgs, "")
	srv.mu.Unlock()
	if !strings.Contains(msg, "To: efua@example.org") || !strings.Contains(msg, "Kente Light") || !strings.Contains(msg, "award.first") {
		t.Fatalf("message: %q", msg)
	}
	box, _ := d.Outbox(ctx, n.Competition.ID, 10)
	if len(box) != 1 || box[0].State != db.MailSent {
		t.Fatalf("outbox: %+v", box)
	}

	// A failing server: pending after each failure, failed after five.
	fm := &failingMailer{}
	a.Mailer = fm
	if err := d.AnnounceWithMail(ctx, "other", org.ID, now, nil); err == nil {
		t.Fatalf("announcing an unknown competition must fail")
	}
	comp2 := n
	comp2.Competition = contest.Competition{Slug: "mail2", Title: "Mail 2", TimeZone: "UTC", OpensAt: now.Add(-time.Hour), ClosesAt: now.Add(time.Hour)}
	comp2.Categories = []contest.Category{{Medium: contest.MediumPhoto, Name: "Photos"}}
	if err := d.CreateCompetition(ctx, &comp2); err != nil {
		t.Fatal(err)
	}
	if err := d.AnnounceWithMail(ctx, comp2.Competition.ID, org.ID, now, []db.Mail{{ToAddress: "x@example.org", Subject: "s", Body: "b"}}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 6; i++ {
		if _, err := a.SendDueMail(ctx, 10); err != nil {
			t.Fatal(err)
		}
	}
	box, _ = d.Outbox(ctx, comp2.Competition.ID, 10)
	if fm.n != 5 || box[0].State != db.MailFailed || box[0].LastError != "relay refused" {
		t.Fatalf("after failures: %d tries, %+v", fm.n, box[0])
	}
}
