package ssbtek

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bistand/bistand"
	"github.com/bistand/bistand/personnummer"
)

// The defaults of Config.Purpose and Config.LegalBasis: what municipalities
// send for a decision on, or a check of, ekonomiskt bistånd. The section of
// the 2025 social services act that replaces 11 kap. 11 a § is not
// confirmed; set LegalBasis when it is.
const (
	DefaultPurpose    = "Handläggning av ekonomiskt bistånd (försörjningsstöd)"
	DefaultLegalBasis = "11 kap. 11 a § socialtjänstlagen (2001:453); 5 § förordning (2008:975) om uppgiftsskyldighet i vissa fall enligt socialtjänstlagen"
)

// Config configures a Client.
type Config struct {
	// URL is the service's endpoint.
	URL string
	// HTTPClient makes the calls; for mutual TLS give it a Transport with
	// TLSConfig's configuration. Nil means a client with a 60 s timeout and
	// no client certificate.
	HTTPClient *http.Client
	// OrgNumber is the municipality's organisationsnummer: ten digits
	// (with or without a hyphen: "212000-1234") or the contract's twelve
	// ("16" and the ten).
	OrgNumber string
	// OrgName is the municipality's name (ingivare namn), e.g. "Demo kommun".
	OrgName string
	// AktorsID is the municipality's LEFI actor id, assigned by
	// Försäkringskassan; needed to ask FK.
	AktorsID string
	// Purpose is sent as syfte; empty means DefaultPurpose.
	Purpose string
	// LegalBasis is sent as lagtext; empty means DefaultLegalBasis.
	LegalBasis string
}

// Client calls SSBTEK v10 (SOAP 1.1). It is safe for concurrent use. It
// logs nothing.
type Client struct {
	cfg  Config
	http *http.Client
	now  func() time.Time
}

// NewClient returns a client for cfg. The configuration is checked by each
// call (an error wrapping ErrInvalidRequest).
func NewClient(cfg Config) *Client {
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	if cfg.Purpose == "" {
		cfg.Purpose = DefaultPurpose
	}
	if cfg.LegalBasis == "" {
		cfg.LegalBasis = DefaultLegalBasis
	}
	return &Client{cfg: cfg, http: hc, now: time.Now}
}

// TLSConfig returns the TLS configuration for mutual TLS with SSBTEK: the
// client certificate and key (PEM files) and the CA that signed the
// server's certificate (a PEM file of one or more certificates; empty means
// the system's roots). TLS 1.2 is the least accepted.
func TLSConfig(certFile, keyFile, caFile string) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("ssbtek: client certificate: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("ssbtek: server CA: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, errors.New("ssbtek: server CA: no certificate in the file")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// Request is one question about one person.
type Request struct {
	Person     personnummer.Number // personnummer or samordningsnummer
	CaseID     string              // arendeidentitet: the case's id, unique in the municipality
	Caseworker string              // handlaggare: the caseworker's name or user id (the robot's, for automated collection)
	From, To   bistand.Date        // the period asked about, both days included
	// Sources are the sources asked; empty means all of Sources.
	Sources []Source
	// CorrelationID is sent as korrelationsid; empty means a random one.
	CorrelationID string
}

// ErrInvalidRequest is wrapped by the errors for a Request or Config that
// cannot be sent. Such an error is not retryable.
var ErrInvalidRequest = errors.New("ssbtek: invalid request")

func invalid(what string) error { return fmt.Errorf("%w: %s", ErrInvalidRequest, what) }

// Fault is a SOAP fault: SSBTEK refused or failed the whole call
// (hamtaBastjanstInformationFault or testaBastjanstInformationFault).
type Fault struct {
	FaultCode   string   // faultcode, e.g. "soap:Server" or "soap:Client"
	FaultString string   // faultstring
	Felkod      string   // the fault detail's felkod
	Messages    []string // its felmeddelande, verbatim
}

func (f *Fault) Error() string {
	return "ssbtek: SOAP fault " + f.FaultCode + " " + f.Felkod + ": " + redact(strings.Join(append([]string{f.FaultString}, f.Messages...), "; "))
}

// Retryable reports whether the call may succeed if repeated: a fault the
// server blames on itself (faultcode Server), not one it blames on the
// request (Client).
func (f *Fault) Retryable() bool {
	code := f.FaultCode
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		code = code[i+1:]
	}
	return !strings.HasPrefix(code, "Client")
}

// HTTPError is an HTTP status other than 200 without a SOAP fault.
type HTTPError struct{ StatusCode int }

func (e *HTTPError) Error() string {
	return fmt.Sprintf("ssbtek: HTTP status %d", e.StatusCode)
}

// Retryable reports whether the status is one a later call may not get:
// 408, 429, 500, 502, 503, 504.
func (e *HTTPError) Retryable() bool {
	switch e.StatusCode {
	case 408, 429, 500, 502, 503, 504:
		return true
	}
	return false
}

// TransportError is a failure to reach the service or to read its answer.
type TransportError struct{ Err error }

func (e *TransportError) Error() string { return "ssbtek: transport: " + e.Err.Error() }
func (e *TransportError) Unwrap() error { return e.Err }

// Retryable reports whether the failure may be passing: anything but a
// certificate the client rejects or a TLS alert from the server (such as
// a refused client certificate). Under TLS 1.3 a server checks the client's
// certificate after the client's handshake is done, and a refusal may then
// reach the client as a broken connection, which counts as retryable.
func (e *TransportError) Retryable() bool {
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var alert tls.AlertError
	if errors.As(e.Err, &cv) || errors.As(e.Err, &ua) || errors.As(e.Err, &he) || errors.As(e.Err, &ci) || errors.As(e.Err, &alert) {
		return false
	}
	// crypto/tls reports the server's alert (certificate required, bad
	// certificate) as a net.OpError "remote error".
	var op *net.OpError
	return !errors.As(e.Err, &op) || op.Op != "remote error"
}

// IsRetryable reports whether err is a failure of the whole call that a
// later identical call may not have (a *Fault of the server, an
// *HTTPError such as 503, a *TransportError such as a timeout). Source
// errors inside an Answer are not call errors; a caller re-asks when the
// Answer is not Complete.
func IsRetryable(err error) bool {
	var r interface{ Retryable() bool }
	return errors.As(err, &r) && r.Retryable()
}

// Fetch asks SSBTEK about req.Person for req's period (hamtaBastjanstInformation).
//
// The error is for a failure of the whole call only: an invalid request
// (ErrInvalidRequest), the transport (*TransportError), an HTTP status
// (*HTTPError), a SOAP fault (*Fault), or a response that is malformed or
// answers another question (ErrMalformed); see IsRetryable. Each source's
// own failure is in the Answer: a source asked and not answered gets
// CodeMissing, a source answering about another person CodeWrongPerson
// (its data dropped).
func (c *Client) Fetch(ctx context.Context, req Request) (*Answer, error) {
	f, sources, err := c.build(req)
	if err != nil {
		return nil, err
	}
	body, err := c.call(ctx, envelope(f.appendXML))
	if err != nil {
		return nil, err
	}
	a, err := ParseAnswer(body)
	if err != nil {
		return nil, err
	}
	sent := f.generella.korrelationsid
	if a.CorrelationID != "" && a.CorrelationID != sent {
		return nil, malformed("the response's korrelationsid is not the request's")
	}
	a.CorrelationID = sent
	pnr := req.Person.String()
	for _, src := range sources {
		if a.Sources[src] == nil {
			a.Sources[src] = &SourceAnswer{Source: src, Err: clientError(CodeMissing, "the response has no answer from this source")}
		}
	}
	for src, sa := range a.Sources {
		for _, id := range sa.ids {
			if !samePerson(id, pnr) {
				a.Sources[src] = &SourceAnswer{Source: src, Err: clientError(CodeWrongPerson, "the source answered about another person; its data is dropped")}
				break
			}
		}
	}
	return a, nil
}

// samePerson compares an identity a source echoes with the twelve-digit
// number asked about. Empty is no echo; CSN writes ten digits.
func samePerson(id, pnr string) bool {
	id = strings.TrimSpace(id)
	switch len(id) {
	case 0:
		return true
	case 10:
		return id == pnr[2:]
	}
	return id == pnr
}

// orgNumber returns the contract's twelve-digit organisationsnummer.
func orgNumber(s string) (string, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), "-", "")
	if len(s) == 10 {
		s = "16" + s
	}
	if len(s) != 12 {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return "", false
		}
	}
	return s, s[4] >= '2' // the pattern [\d]{4}[2-9][\d]{7}
}

func (c *Client) build(req Request) (*sammansattBastjanstFraga, []Source, error) {
	cfg := c.cfg
	if cfg.URL == "" {
		return nil, nil, invalid("no URL")
	}
	org, ok := orgNumber(cfg.OrgNumber)
	if !ok {
		return nil, nil, invalid("OrgNumber is not an organisationsnummer")
	}
	if strings.TrimSpace(cfg.OrgName) == "" {
		return nil, nil, invalid("no OrgName")
	}
	if req.Person.IsZero() {
		return nil, nil, invalid("no person")
	}
	if strings.TrimSpace(req.CaseID) == "" {
		return nil, nil, invalid("no CaseID")
	}
	if strings.TrimSpace(req.Caseworker) == "" {
		return nil, nil, invalid("no Caseworker")
	}
	if req.From.IsZero() || req.To.IsZero() || req.To.Before(req.From) {
		return nil, nil, invalid("the period needs From and To, From not after To")
	}
	sources := req.Sources
	if len(sources) == 0 {
		sources = Sources
	}
	want := map[Source]bool{}
	for _, s := range sources {
		switch s {
		case AF, CSN, FK, SKV, SO, TNS, MIV:
			want[s] = true
		case PM:
			return nil, nil, invalid("PM is not asked on its own: ask FK")
		default:
			return nil, nil, invalid("unknown source")
		}
	}
	if want[FK] && strings.TrimSpace(cfg.AktorsID) == "" {
		return nil, nil, invalid("FK needs AktorsID")
	}
	corr := req.CorrelationID
	if corr == "" {
		corr = newCorrelationID()
	}
	pnr := req.Person.String()
	f := &sammansattBastjanstFraga{
		generella: generellaFrageparametrar{
			frageTidpunkt:   c.now().Format("2006-01-02T15:04:05.000Z07:00"),
			korrelationsid:  corr,
			ingivare:        ingivare{organisationsnummer: org, namn: cfg.OrgName, handlaggare: req.Caseworker},
			personidentitet: pnr,
			arendeidentitet: req.CaseID,
			tidsperiod:      tidsperiod{fromDatum: req.From.String(), tomDatum: req.To.String()},
			syfte:           cfg.Purpose,
			lagtext:         cfg.LegalBasis,
		},
		specifika: specifikaFrageparametrar{
			af:  kallaFraga{inkludera: want[AF]},
			csn: kallaFraga{inkludera: want[CSN]},
			skv: kallaFraga{inkludera: want[SKV]},
			so:  kallaFraga{inkludera: want[SO]},
			tns: kallaFraga{inkludera: want[TNS]},
			miv: kallaFraga{inkludera: want[MIV]},
			fk:  forsakringskassan{inkludera: want[FK]},
		},
	}
	if want[FK] {
		f.specifika.fk.fraga = &forsakringskassanFraga{version: LEFIVersion, aktorsid: cfg.AktorsID, lefiJsonFraga: lefiQuery(pnr, req.From, req.To)}
	}
	var asked []Source
	for _, s := range Sources {
		if want[s] {
			asked = append(asked, s)
		}
	}
	return f, asked, nil
}

func newCorrelationID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // a version 4 UUID
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// call posts a SOAP request and returns the body of a 200 response or of a
// fault; other outcomes are errors.
func (c *Client) call(ctx context.Context, envelope []byte) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.URL, bytes.NewReader(envelope))
	if err != nil {
		return nil, invalid("URL")
	}
	hr.Header.Set("Content-Type", "text/xml; charset=utf-8")
	hr.Header.Set("Accept", "text/xml")
	hr.Header.Set("SOAPAction", `""`)
	resp, err := c.http.Do(hr)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &TransportError{Err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &TransportError{Err: err}
	}
	if len(body) > maxBody {
		return nil, malformed("response larger than 16 MiB")
	}
	switch {
	case resp.StatusCode == http.StatusOK:
		return body, nil
	case resp.StatusCode == http.StatusInternalServerError:
		// SOAP 1.1 sends faults with 500: a fault is the error; anything
		// else is the status.
		if _, err := parseEnvelope(body); err != nil {
			var f *Fault
			if errors.As(err, &f) {
				return nil, f
			}
		}
	}
	return nil, &HTTPError{StatusCode: resp.StatusCode}
}

// Test calls testaBastjanstInformation: whether SSBTEK reaches each source.
// The map has one entry per source the response names: nil when the
// source answered the test or has no test service of its own (anropad
// false), its *SourceError otherwise. The error is for a failure of the
// whole call, as for Fetch.
func (c *Client) Test(ctx context.Context) (map[Source]error, error) {
	if c.cfg.URL == "" {
		return nil, invalid("no URL")
	}
	body, err := c.call(ctx, envelope(appendTestXML))
	if err != nil {
		return nil, err
	}
	return parseTestAnswer(body)
}

func parseTestAnswer(body []byte) (map[Source]error, error) {
	b, err := parseEnvelope(body)
	if err != nil {
		return nil, err
	}
	t := b.Testa
	if t == nil {
		return nil, malformed("no testaBastjanstInformationResponse in the SOAP body")
	}
	out := map[Source]error{}
	for _, e := range []struct {
		src Source
		ts  *testSvar
	}{{AF, t.AF}, {CSN, t.CSN}, {FK, t.FK}, {SKV, t.SKV}, {SO, t.SO}, {TNS, t.TNS}, {MIV, t.MIV}} {
		if e.ts == nil {
			continue
		}
		if _, err := parseBool(e.ts.Anropad); err != nil {
			return nil, malformed("anropad is not a boolean")
		}
		if we := e.ts.Error; we != nil {
			out[e.src] = &SourceError{Kalla: strings.TrimSpace(we.Kalla), Code: strings.TrimSpace(we.Felkod), Messages: we.Felmeddelande}
		} else {
			out[e.src] = nil
		}
	}
	return out, nil
}
