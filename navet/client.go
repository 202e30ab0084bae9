package navet

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bistand/bistand/personnummer"
)

// Config configures a Client.
type Config struct {
	// URL is the service's lookup endpoint; requests are POSTed to it as
	// is. Use https in production (with the client certificate in
	// HTTPClient's transport); http is accepted for the simulator.
	URL string
	// HTTPClient sends the requests; nil means one with a 30-second
	// timeout. The Client uses a copy that does not follow redirects, so
	// a personnummer never goes anywhere but URL.
	HTTPClient *http.Client
	// OrgNumber is the requesting organisation's number (the
	// municipality's), ten digits with or without the hyphen.
	OrgNumber string
	// Purpose is why the lookups are made, sent with every request, e.g.
	// "Handläggning av ekonomiskt bistånd". At most 200 characters.
	Purpose string
}

// Client looks people up through bistand's register contract. It is safe
// for concurrent use.
type Client struct {
	url     string
	hc      http.Client
	org     string
	purpose string
}

// NewClient returns a Client for cfg, or an error if cfg is incomplete or
// invalid.
func NewClient(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, errors.New("navet: config: URL must be an absolute http or https URL")
	}
	org := strings.Replace(cfg.OrgNumber, "-", "", 1)
	if (len(cfg.OrgNumber) == 11 && cfg.OrgNumber[6] != '-') || !validOrgNumber(org) {
		return nil, errors.New("navet: config: OrgNumber must be a valid organisation number (NNNNNN-NNNN)")
	}
	if !validText(cfg.Purpose, 200) {
		return nil, errors.New("navet: config: Purpose must be 1–200 characters without control characters or surrounding spaces")
	}
	c := &Client{url: cfg.URL, org: org, purpose: cfg.Purpose}
	if cfg.HTTPClient != nil {
		c.hc = *cfg.HTTPClient
	} else {
		c.hc.Timeout = 30 * time.Second
	}
	c.hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

// Lookup returns what the register holds about the person with number,
// for the case caseID (1–64 characters: letters, digits and . _ : / -,
// starting with a letter or digit). Each request carries the Client's
// organisation number and purpose.
//
// A number the register does not hold gives an error matching ErrNotFound.
// Every error is an *Error; IsRetryable tells whether trying again later
// may help. A protected person (Person.Protected) has no Address, whatever
// the service sent.
func (c *Client) Lookup(ctx context.Context, number personnummer.Number, caseID string) (*Person, error) {
	if !validNumber(number) {
		return nil, &Error{Code: CodeInvalidRequest, reason: "no valid number to look up"}
	}
	if !validCaseID(caseID) {
		return nil, &Error{Code: CodeInvalidRequest, reason: "invalid case id"}
	}
	body := encodeRequest(Request{OrgNumber: c.org, CaseID: caseID, Purpose: c.purpose, Number: number})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Code: CodeTransport, err: err}
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("Accept", "application/xml")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, &Error{Code: CodeTransport, err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, &Error{Code: CodeTransport, Status: resp.StatusCode, err: err}
	}
	return interpret(resp.StatusCode, b, number, caseID)
}

// interpret turns an HTTP answer to a lookup of number for caseID into the
// person or an *Error.
func interpret(status int, body []byte, number personnummer.Number, caseID string) (*Person, error) {
	bad := func(reason string) error { return &Error{Code: CodeBadResponse, Status: status, reason: reason} }
	if len(body) > MaxResponseBytes {
		if status >= 500 || status == http.StatusTooManyRequests {
			return nil, statusError(status)
		}
		return nil, bad("body too large")
	}
	if status == http.StatusOK {
		gotCase, p, err := decodeResponse(body)
		switch {
		case err != nil:
			return nil, bad(err.Error())
		case gotCase != caseID:
			return nil, bad("caseId is not the one asked for")
		case p.Number != number:
			return nil, bad("person is not the one asked for")
		}
		if p.Protected() {
			p.Address = nil // decodeResponse has dropped it; belt and braces
		}
		return &p, nil
	}
	// Only the contract's Error document, with the status that goes with
	// its code, is taken at its word: a bare 404 from a wrong URL must not
	// read as "no such person".
	if code, err := decodeError(body); err == nil &&
		(statusOf[code] == status || code == CodeInvalidRequest && status == http.StatusMethodNotAllowed) {
		return nil, &Error{Code: code, Status: status}
	}
	if status >= 500 || status == http.StatusTooManyRequests {
		return nil, statusError(status)
	}
	return nil, bad("no Error document matching the status")
}

// statusError is the retryable error of an HTTP status without a usable
// Error document.
func statusError(status int) error {
	if status == http.StatusServiceUnavailable || status == http.StatusTooManyRequests {
		return &Error{Code: CodeUnavailable, Status: status}
	}
	return &Error{Code: CodeInternal, Status: status}
}
