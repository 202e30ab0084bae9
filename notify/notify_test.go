package notify_test

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"database/sql"
	"errors"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/notify"
	"github.com/bistand/bistand/personnummer"
	"github.com/bistand/bistand/sqlstore"
	"github.com/bistand/bistand/sqlstore/sqltest"
)

// fakeSMTP is a minimal SMTP server on 127.0.0.1 that speaks enough of the
// protocol for net/smtp (EHLO, STARTTLS when it has a certificate, MAIL,
// RCPT, DATA, RSET, NOOP, QUIT) and keeps what it received.
type fakeSMTP struct {
	ln   net.Listener
	tls  *tls.Config // offer STARTTLS with this, if set
	mu   sync.Mutex
	mail []received
	cmds []string // every command, in order, over all sessions
}

type received struct {
	from, to string
	data     string
	tls      bool
}

func startFake(t *testing.T, cfg *tls.Config) *fakeSMTP {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeSMTP{ln: ln, tls: cfg}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go f.session(c)
		}
	}()
	return f
}

func (f *fakeSMTP) addr() string { return f.ln.Addr().String() }

func (f *fakeSMTP) session(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(c)
	say := func(s string) { io.WriteString(c, s+"\r\n") }
	say("220 fake.example ESMTP")
	var cur received
	secure := false
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		f.mu.Lock()
		f.cmds = append(f.cmds, verb)
		f.mu.Unlock()
		switch verb {
		case "EHLO", "HELO":
			if f.tls != nil && !secure {
				say("250-fake.example")
				say("250 STARTTLS")
			} else {
				say("250-fake.example")
				say("250 8BITMIME")
			}
		case "STARTTLS":
			if f.tls == nil || secure {
				say("502 not here")
				continue
			}
			say("220 go ahead")
			tc := tls.Server(c, f.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r, secure = tc, bufio.NewReader(tc), true
			say = func(s string) { io.WriteString(c, s+"\r\n") }
		case "MAIL":
			// The address without parameters (net/smtp adds BODY=8BITMIME).
			cur = received{from: strings.Fields(strings.TrimPrefix(line, "MAIL FROM:"))[0], tls: secure}
			say("250 ok")
		case "RCPT":
			cur.to = strings.TrimPrefix(line, "RCPT TO:")
			say("250 ok")
		case "DATA":
			say("354 end with .")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(strings.TrimPrefix(l, "."))
			}
			cur.data = b.String()
			f.mu.Lock()
			f.mail = append(f.mail, cur)
			f.mu.Unlock()
			say("250 queued")
		case "RSET", "NOOP":
			say("250 ok")
		case "QUIT":
			say("221 bye")
			return
		default:
			say("500 what")
		}
	}
}

func (f *fakeSMTP) received() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.mail...)
}

func (f *fakeSMTP) commands() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return strings.Join(f.cmds, " ")
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}, pool
}

var msg = notify.Message{
	ID: "ntf-abcdefghijklmnopabcdefghijklmnop", To: "testperson@example.org",
	Subject: "Du har fått ett beslut om ekonomiskt bistånd",
	Body:    "Du har fått ett beslut för november 2026.\nLäs det i e-tjänsten. Åäö.",
	Date:    time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC),
}

// parse reads a received message back as a mail reader would.
func parse(t *testing.T, data string) (*mail.Message, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatalf("not a message: %v\n%s", err, data)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(m.Body))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return m, subject, string(body)
}

func TestSMTPWithSTARTTLS(t *testing.T) {
	cfg, pool := selfSigned(t)
	srv := startFake(t, cfg)
	s := &notify.SMTP{Addr: srv.addr(), From: "ekonomisktbistand@demokoping.example", TLS: &tls.Config{RootCAs: pool}}
	if err := s.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	got := srv.received()
	if len(got) != 1 || !got[0].tls || got[0].from != "<ekonomisktbistand@demokoping.example>" || got[0].to != "<testperson@example.org>" {
		t.Fatalf("received %+v", got)
	}
	m, subject, body := parse(t, got[0].data)
	if m.Header.Get("Message-ID") != "<"+msg.ID+"@demokoping.example>" || subject != msg.Subject ||
		strings.ReplaceAll(body, "\r\n", "\n") != msg.Body+"\n" || m.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("headers %v, subject %q, body %q", m.Header, subject, body)
	}
	if !strings.Contains(srv.commands(), "STARTTLS") {
		t.Errorf("commands %s", srv.commands())
	}
}

func TestSMTPRefusesClearText(t *testing.T) {
	srv := startFake(t, nil) // offers no STARTTLS
	s := &notify.SMTP{Addr: srv.addr(), From: "ekonomisktbistand@demokoping.example"}
	if err := s.Send(context.Background(), msg); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Fatalf("sent in clear: %v", err)
	}
	if cmds := srv.commands(); strings.Contains(cmds, "MAIL") || len(srv.received()) != 0 {
		t.Errorf("the server got %s", cmds)
	}
	// Allowed for a server on this machine, when asked for.
	s.AllowInsecure = true
	if err := s.Send(context.Background(), msg); err != nil || len(srv.received()) != 1 {
		t.Fatalf("insecure to 127.0.0.1: %v, %d received", err, len(srv.received()))
	}
	// Never to another machine (nothing is dialled).
	remote := &notify.SMTP{Addr: "192.0.2.1:25", From: "ekonomisktbistand@demokoping.example", AllowInsecure: true}
	if err := remote.Send(context.Background(), msg); err == nil || !strings.Contains(err.Error(), "only to a server on this machine") {
		t.Errorf("insecure to another machine: %v", err)
	}
}

func TestSMTPRefusesBadMessages(t *testing.T) {
	srv := startFake(t, nil)
	s := &notify.SMTP{Addr: srv.addr(), From: "ekonomisktbistand@demokoping.example", AllowInsecure: true}
	for name, m := range map[string]notify.Message{
		"personnummer in the body":  {ID: msg.ID, To: msg.To, Subject: msg.Subject, Body: "Gäller 19850402-1234."},
		"personnummer in the title": {ID: msg.ID, To: msg.To, Subject: "Beslut 198504021234", Body: msg.Body},
		"header injection":          {ID: msg.ID, To: "a@example.org\r\nBcc: b@example.org", Subject: msg.Subject, Body: msg.Body},
		"subject injection":         {ID: msg.ID, To: msg.To, Subject: "x\r\nBcc: b@example.org", Body: msg.Body},
		"a named recipient":         {ID: msg.ID, To: "Testperson <a@example.org>", Subject: msg.Subject, Body: msg.Body},
		"no id":                     {To: msg.To, Subject: msg.Subject, Body: msg.Body},
	} {
		if err := s.Send(context.Background(), m); err == nil {
			t.Errorf("%s: sent", name)
		}
	}
	if len(srv.received()) != 0 || strings.Contains(srv.commands(), "MAIL") {
		t.Errorf("the server got %s", srv.commands())
	}
}

// --- the dispatcher ---

type discard struct{}

func (discard) InsertTx(context.Context, *sql.Tx, []sqlstore.Job) error { return nil }

type book map[string]string

func (b book) Address(_ context.Context, personID string) (string, error) {
	if a, ok := b[personID]; ok {
		return a, nil
	}
	return "", notify.ErrNoAddress
}

// flaky sends through next, but reports failure for the first fail sends
// after they went out: a connection lost after the server took the message.
type flaky struct {
	next notify.Sender
	fail int
}

func (f *flaky) Send(ctx context.Context, m notify.Message) error {
	err := f.next.Send(ctx, m)
	if err == nil && f.fail > 0 {
		f.fail--
		return errors.New("connection lost")
	}
	return err
}

// TestDispatcher: the outbox is delivered once, at least once: a message
// whose sending failed is sent again with the same Message-ID; someone
// without an address keeps theirs in the outbox.
func TestDispatcher(t *testing.T) {
	sqltest.Run(t, func(t *testing.T, engine sqlstore.Engine) {
		ctx := context.Background()
		db := sqltest.Open(t, engine)
		st := sqlstore.NewStore(db, sqlstore.Options{Jobs: discard{}})
		system := bistand.Actor{Kind: bistand.ActorSystem, ID: "test"}
		rng := mrand.New(mrand.NewPCG(1, 1))
		var apps []bistand.Application
		var people []bistand.Person
		for range 3 {
			p, err := st.CreatePerson(ctx, system, personnummer.Generate(rng, bistand.MustDate(1980, 1, 1), false, true), false)
			if err != nil {
				t.Fatal(err)
			}
			c, err := st.OpenCase(ctx, system, "demo", []bistand.CaseMember{{PersonID: p.ID, Role: "applicant"}})
			if err != nil {
				t.Fatal(err)
			}
			app, err := st.CreateApplication(ctx, bistand.Actor{Kind: bistand.ActorApplicant, ID: p.ID}, c.ID, bistand.MustMonth(2026, 11))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.AddNotification(ctx, system, bistand.Notification{ApplicationID: app.ID, PersonID: p.ID, Kind: "decision_letter", Ref: "r",
				Subject: "Du har fått ett beslut", Body: "Beslutet finns i e-tjänsten."}); err != nil {
				t.Fatal(err)
			}
			apps, people = append(apps, app), append(people, p)
		}
		srv := startFake(t, nil)
		sender := &flaky{next: &notify.SMTP{Addr: srv.addr(), From: "ekonomisktbistand@demokoping.example", AllowInsecure: true}, fail: 1}
		d := &notify.Dispatcher{Store: st, Sender: sender, Page: 1,
			Recipients: book{people[0].ID: "ett@example.org", people[1].ID: "tva@example.org"}}

		res, err := d.Run(ctx)
		if err == nil || res.Sent != 1 || res.Failed != 1 || res.NoAddress != 1 || strings.Contains(err.Error(), "@example.org") {
			t.Fatalf("first pass: %+v %v", res, err)
		}
		res, err = d.Run(ctx)
		if err != nil || res.Sent != 1 || res.Failed != 0 || res.NoAddress != 1 {
			t.Fatalf("second pass: %+v %v", res, err)
		}
		res, err = d.Run(ctx)
		if err != nil || res.Sent != 0 || res.NoAddress != 1 {
			t.Fatalf("third pass: %+v %v", res, err)
		}
		// Three deliveries: the first person's twice (the first was lost
		// on the way back), with one Message-ID.
		got := srv.received()
		ids := map[string][]string{}
		for _, r := range got {
			m, _, _ := parse(t, r.data)
			ids[r.to] = append(ids[r.to], m.Header.Get("Message-ID"))
		}
		if len(got) != 3 || len(ids) != 2 {
			t.Fatalf("received %d messages for %v", len(got), ids)
		}
		for to, list := range ids {
			for _, id := range list {
				if id != list[0] || !strings.HasPrefix(id, "<ntf-") {
					t.Errorf("%s: Message-IDs %v", to, list)
				}
			}
		}
		for i, app := range apps {
			ns, _ := st.Notifications(ctx, app.ID)
			if sent := !ns[0].SentAt.IsZero(); sent != (i < 2) {
				t.Errorf("notification %d sent %v", i, sent)
			}
		}
		if rep, err := db.Verify(ctx); err != nil || !rep.OK() {
			t.Fatalf("verify: %v %+v", err, rep)
		}
	})
}
