package navet

import (
	"context"
	"errors"
	"net/http"
	"strconv"
)

// Code says what went wrong with a lookup. The first five are the
// contract's error codes (the service sends them in its Error element); the
// last two arise in the client.
type Code string

// Error codes.
const (
	CodeNotFound       Code = "NOT_FOUND"       // the register holds no person with the number (HTTP 404)
	CodeInvalidRequest Code = "INVALID_REQUEST" // the request is invalid (HTTP 400 or 405, or refused before sending)
	CodeForbidden      Code = "FORBIDDEN"       // the organisation may not look up for this purpose (HTTP 403)
	CodeUnavailable    Code = "UNAVAILABLE"     // the service is temporarily unable to answer (HTTP 503, 429)
	CodeInternal       Code = "INTERNAL"        // the service failed (HTTP 500 and other 5xx)
	CodeTransport      Code = "TRANSPORT"       // no complete HTTP answer: connection, timeout, cancelled
	CodeBadResponse    Code = "BAD_RESPONSE"    // an answer that does not follow the contract
)

// statusOf is the HTTP status that goes with each of the contract's codes.
var statusOf = map[Code]int{
	CodeNotFound:       http.StatusNotFound,
	CodeInvalidRequest: http.StatusBadRequest,
	CodeForbidden:      http.StatusForbidden,
	CodeUnavailable:    http.StatusServiceUnavailable,
	CodeInternal:       http.StatusInternalServerError,
}

// StatusOf returns the HTTP status the contract gives an error code, or 0
// for a code the service does not send.
func StatusOf(c Code) int { return statusOf[c] }

// Error is the error of a failed lookup. Its text never contains a
// personnummer nor any text from the response.
type Error struct {
	Code   Code
	Status int // the HTTP status, 0 when there was no HTTP answer
	reason string
	err    error
}

// ErrNotFound matches, with errors.Is, the error of a lookup of a number the
// register does not hold.
var ErrNotFound error = &Error{Code: CodeNotFound}

func (e *Error) Error() string {
	s := "navet: "
	switch e.Code {
	case CodeNotFound:
		s += "person not found"
	case CodeInvalidRequest:
		s += "invalid request"
	case CodeForbidden:
		s += "lookup not permitted"
	case CodeUnavailable:
		s += "service unavailable"
	case CodeInternal:
		s += "service error"
	case CodeTransport:
		s += "transport error"
	case CodeBadResponse:
		s += "response does not follow the contract"
	default:
		s += "error " + strconv.Quote(string(e.Code))
	}
	if e.Status != 0 {
		s += " (HTTP " + strconv.Itoa(e.Status) + ")"
	}
	if e.reason != "" {
		s += ": " + e.reason
	}
	if e.err != nil {
		s += ": " + e.err.Error()
	}
	return s
}

// Unwrap returns the transport error underneath, if any.
func (e *Error) Unwrap() error { return e.err }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ErrNotFound) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// IsRetryable reports whether the same lookup may succeed if tried again
// later: a transport failure (but not a cancelled context), an unavailable
// or failing service (HTTP 5xx, 429). Not found, invalid or forbidden
// requests and answers that break the contract are not retryable.
func IsRetryable(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Code == CodeTransport:
		return !errors.Is(e.err, context.Canceled)
	case e.Code == CodeUnavailable, e.Code == CodeInternal:
		return true
	case e.Status >= 500, e.Status == http.StatusTooManyRequests:
		return true
	}
	return false
}
