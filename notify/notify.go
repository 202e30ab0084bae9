// Package notify delivers the notifications outbox (sqlstore's
// notifications table) to the household: a Sender sends one message, SMTP
// sends it by e-mail, and a Dispatcher takes unsent notifications from the
// outbox, sends them and marks them sent.
//
// Delivery is at least once: a notification is marked sent only after its
// message went out, so a crash in between sends it again — with the same
// Message-ID header, derived from the notification's id, so that a
// receiving system can drop the duplicate. A message never carries a
// personnummer (the outbox refuses them; Send checks again).
//
// The records hold no e-mail addresses yet: a Dispatcher asks its
// Recipients for a person's address, and a notification for someone without
// one stays in the outbox (for the web application's inbox, or the post).
package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"regexp"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/sqlstore"
)

// Message is one message to one person.
type Message struct {
	// ID identifies the message for de-duplication: the notification's id.
	// It becomes the Message-ID header, the same every time it is sent.
	ID      string
	To      string // the recipient's e-mail address
	Subject string
	Body    string // plain text
	Date    time.Time
}

// Sender sends a message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SMTP sends messages by e-mail through an SMTP server (net/smtp). It
// requires STARTTLS, unless AllowInsecure is set, which it accepts only for
// a server on the loopback interface (a test's).
type SMTP struct {
	Addr string // host:port of the submission server
	From string // the sender's address, e.g. "ekonomisktbistand@demokoping.example"
	// Domain is the right-hand side of Message-IDs ("<id@Domain>"); by
	// default the From address's domain.
	Domain string
	// Auth authenticates after STARTTLS, if set (smtp.PlainAuth).
	Auth smtp.Auth
	// TLS configures STARTTLS; its ServerName defaults to Addr's host.
	TLS *tls.Config
	// AllowInsecure sends without STARTTLS when the server offers none:
	// only for a server on 127.0.0.1, ::1 or localhost.
	AllowInsecure bool
	// Hello is the name given in EHLO; default "localhost".
	Hello   string
	Timeout time.Duration // the whole exchange; default 30 s
}

// Send implements Sender: one SMTP session per message.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: address %q: %w", s.Addr, err)
	}
	if s.AllowInsecure && !loopback(host) {
		return fmt.Errorf("smtp: sending without STARTTLS is allowed only to a server on this machine, not %s", host)
	}
	msg, err := s.compose(m)
	if err != nil {
		return err
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		return fmt.Errorf("smtp: %w", err)
	}
	defer c.Close()
	hello := s.Hello
	if hello == "" {
		hello = "localhost"
	}
	if err := c.Hello(hello); err != nil {
		return fmt.Errorf("smtp: EHLO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		if s.TLS != nil {
			cfg = s.TLS.Clone()
			if cfg.ServerName == "" {
				cfg.ServerName = host
			}
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("smtp: STARTTLS: %w", err)
		}
	} else if !s.AllowInsecure {
		return errors.New("smtp: the server does not offer STARTTLS; refusing to send in clear")
	}
	if s.Auth != nil {
		if err := c.Auth(s.Auth); err != nil {
			return fmt.Errorf("smtp: AUTH: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("smtp: MAIL: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("smtp: RCPT: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		w.Close()
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp: DATA: %w", err)
	}
	return c.Quit()
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// compose writes the message: headers (the subject RFC 2047-encoded) and
// the body as quoted-printable UTF-8 text.
func (s *SMTP) compose(m Message) ([]byte, error) {
	from, err := mail.ParseAddress(s.From)
	if err != nil || from.Name != "" || from.Address != s.From {
		return nil, fmt.Errorf("smtp: From %q is not a bare e-mail address", s.From)
	}
	to, err := mail.ParseAddress(m.To)
	if err != nil || to.Name != "" || to.Address != m.To {
		return nil, errors.New("smtp: the recipient is not a bare e-mail address")
	}
	if m.ID == "" || strings.ContainsAny(m.ID, "<>@ \r\n") {
		return nil, errors.New("smtp: a message needs an id (letters, digits, - and .)")
	}
	if strings.ContainsAny(m.Subject, "\r\n") || strings.TrimSpace(m.Subject) == "" || strings.TrimSpace(m.Body) == "" {
		return nil, errors.New("smtp: a message needs a one-line subject and a body")
	}
	if sqlstore.LooksLikePersonnummer(m.Subject) || sqlstore.LooksLikePersonnummer(m.Body) {
		return nil, errors.New("smtp: a message never carries a personnummer (or anything like one)")
	}
	domain := s.Domain
	if domain == "" {
		domain = from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	header("From", from.Address)
	header("To", to.Address)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+m.ID+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(strings.ReplaceAll(m.Body, "\r\n", "\n"))); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	b.WriteString("\r\n")
	return b.Bytes(), nil
}

var emailLike = regexp.MustCompile(`[^\s<>@"]+@[^\s<>"]+`)

// scrub is an error's text without e-mail addresses or anything like a
// personnummer (a server's reply may quote the recipient).
func scrub(err error) string {
	return emailLike.ReplaceAllString(sqlstore.RedactPersonnummer(err.Error()), "[adress]")
}

// Recipients gives a person's e-mail address, or ErrNoAddress.
type Recipients interface {
	Address(ctx context.Context, personID string) (string, error)
}

// ErrNoAddress: the person has no address to send to; the notification
// stays in the outbox.
var ErrNoAddress = errors.New("no e-mail address")

// Dispatcher delivers the outbox: each unsent notification to its person,
// then marks it sent.
type Dispatcher struct {
	Store      *sqlstore.Store
	Sender     Sender
	Recipients Recipients
	// Actor marks notifications sent; default the system actor "notify".
	Actor bistand.Actor
	Page  int // notifications read at a time; default 100
	Now   func() time.Time
	Log   *slog.Logger // notification and person ids only
}

// Result counts what one pass over the outbox did.
type Result struct {
	Sent      int // sent and marked sent
	NoAddress int // left in the outbox: the person has no address
	Failed    int // not sent (or not known to be); tried again next pass
}

// Run makes one pass over the outbox. A notification whose sending fails
// stays unsent and is tried again on the next pass; the first error is
// returned with the counts.
func (d *Dispatcher) Run(ctx context.Context) (Result, error) {
	var res Result
	var firstErr error
	actor := d.Actor
	if actor == (bistand.Actor{}) {
		actor = bistand.Actor{Kind: bistand.ActorSystem, ID: "notify"}
	}
	page := d.Page
	if page <= 0 {
		page = 100
	}
	now := d.Now
	if now == nil {
		now = time.Now
	}
	log := d.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	after := ""
	for {
		ns, err := d.Store.UnsentAfter(ctx, after, page)
		if err != nil {
			return res, err
		}
		if len(ns) == 0 {
			return res, firstErr
		}
		for _, n := range ns {
			after = n.ID
			if err := ctx.Err(); err != nil {
				return res, err
			}
			to, err := d.Recipients.Address(ctx, n.PersonID)
			if errors.Is(err, ErrNoAddress) {
				res.NoAddress++
				continue
			}
			if err == nil {
				err = d.Sender.Send(ctx, Message{ID: n.ID, To: to, Subject: n.Subject, Body: n.Body, Date: n.CreatedAt})
			}
			if err == nil {
				err = d.Store.MarkSent(ctx, actor, n.ID, now())
				if errors.Is(err, bistand.ErrConflict) {
					err = nil // marked by another dispatcher meanwhile
				}
			}
			if err != nil {
				res.Failed++
				log.Warn("notification not sent", "notification", n.ID, "err", scrub(err))
				if firstErr == nil {
					firstErr = fmt.Errorf("notification %s: %s", n.ID, scrub(err))
				}
				continue
			}
			res.Sent++
			log.Info("notification sent", "notification", n.ID)
		}
	}
}
