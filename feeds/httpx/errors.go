package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies a failed request so that feeds can decide what to do
// (retry, back off, report) and what to tell the user.
type Kind int

// Error kinds.
const (
	KindUnknown     Kind = iota
	KindCanceled         // the caller's context ended; not a feed problem
	KindNetwork          // connection refused, reset, DNS, truncated body...
	KindTimeout          // the request took longer than the timeout
	KindRateLimited      // HTTP 429
	KindServer           // HTTP 5xx
	KindNotFound         // HTTP 404
	KindClient           // other HTTP 4xx
	KindHTML             // an HTML page (consent, block, captcha) instead of data
	KindTooLarge         // the body exceeded the size cap
	KindParse            // the data was malformed or truncated (set by feeds)
	KindNoData           // the server has no data for the symbol (set by feeds)
)

func (k Kind) String() string {
	switch k {
	case KindCanceled:
		return "canceled"
	case KindNetwork:
		return "network"
	case KindTimeout:
		return "timeout"
	case KindRateLimited:
		return "rate-limited"
	case KindServer:
		return "server"
	case KindNotFound:
		return "not-found"
	case KindClient:
		return "client"
	case KindHTML:
		return "html"
	case KindTooLarge:
		return "too-large"
	case KindParse:
		return "parse"
	case KindNoData:
		return "no-data"
	}
	return "unknown"
}

// Retryable reports whether trying again later may succeed without anything
// changing on our side.
func (k Kind) Retryable() bool {
	switch k {
	case KindNetwork, KindTimeout, KindRateLimited, KindServer:
		return true
	}
	return false
}

// Error is a failed request, classified.
type Error struct {
	Op            string        // the operation, e.g. "yahoo: fetch IWM"
	Source        string        // the service as users know it, e.g. "Yahoo"
	Kind          Kind          // the class of failure
	Status        int           // HTTP status, 0 if no response
	RetryAfter    time.Duration // from a Retry-After header (valid when HasRetryAfter)
	HasRetryAfter bool
	Timeout       time.Duration // the timeout that expired (KindTimeout)
	Body          []byte        // the start of a non-2xx body (for error objects); not for display
	Detail        string        // extra human detail, already sanitised
	Err           error         // the underlying error, if any
}

func (e *Error) Error() string {
	msg := e.Message()
	if e.Err != nil && e.Kind != KindCanceled && e.Detail == "" {
		msg += ": " + e.Err.Error()
	}
	if e.Op == "" {
		return msg
	}
	return e.Op + ": " + msg
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Message is a short, sanitised, human explanation for a status line (no
// operation prefix, no raw network text beyond Detail).
func (e *Error) Message() string {
	src := e.Source
	if src == "" {
		src = "server"
	}
	var m string
	switch e.Kind {
	case KindCanceled:
		m = "canceled"
	case KindNetwork:
		m = "cannot reach " + src
		if e.Status != 0 { // the reply started: the connection dropped while reading it
			m = fmt.Sprintf("%s reply cut short (HTTP %d, connection dropped)", src, e.Status)
		}
	case KindTimeout:
		if e.Timeout > 0 {
			m = fmt.Sprintf("%s did not answer within %v", src, e.Timeout)
		} else {
			m = src + " did not answer in time"
		}
	case KindRateLimited:
		m = src + " rate limit (HTTP 429)"
		if e.HasRetryAfter {
			m += fmt.Sprintf(", asked to wait %v", e.RetryAfter.Round(time.Second))
		}
	case KindServer:
		m = fmt.Sprintf("%s server error (HTTP %d %s)", src, e.Status, http.StatusText(e.Status))
	case KindNotFound:
		m = src + " has no such symbol (HTTP 404)"
	case KindClient:
		m = fmt.Sprintf("%s refused the request (HTTP %d %s)", src, e.Status, http.StatusText(e.Status))
	case KindHTML:
		m = src + " returned an HTML page (consent/block), not data"
	case KindTooLarge:
		m = src + " sent more data than the size limit"
	case KindParse:
		m = src + " sent malformed data"
	case KindNoData:
		m = src + " has no data for this symbol"
	default:
		m = "request to " + src + " failed"
	}
	if e.Detail != "" {
		m += ": " + e.Detail
	}
	return Sanitize(m)
}

// KindOf returns the Kind of err (KindCanceled for context errors that are
// not an *Error, KindUnknown otherwise).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return KindCanceled
	}
	return KindUnknown
}

// MessageOf is a sanitised human message for any error: Message for an
// *Error, the sanitised error text otherwise.
func MessageOf(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message()
	}
	return Sanitize(err.Error())
}
