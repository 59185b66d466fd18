package httpx

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/capwatch/capwatch/feeds"
)

// Kind classifies a failed request so that feeds can decide what to do
// (retry, back off, report) and what to tell the user.
type Kind int

// Error kinds.
const (
	KindUnknown     Kind = iota
	KindCanceled         // the caller's context ended; not a feed problem
	KindNetwork          // connection reset, temporary DNS failure, truncated body...
	KindTimeout          // no answer within the timeout: the host hangs
	KindRateLimited      // HTTP 429
	KindServer           // HTTP 5xx
	KindNotFound         // HTTP 404
	KindClient           // other HTTP 4xx
	KindHTML             // an HTML page (consent, block, captcha) instead of data
	KindTooLarge         // the body exceeded the size cap
	KindParse            // the data was malformed or truncated (set by feeds)
	KindNoData           // the server has no data for the symbol (set by feeds)
	// KindUnreachable: the host cannot be resolved (DNS "no such host"),
	// refuses connections, or there is no route to it. Asking again at once
	// will not help; the poll loop keeps trying at its backoff.
	KindUnreachable
	// KindChallenge: the service answered with a browser check (a
	// proof-of-work or captcha page) or a page asking for an API key
	// instead of data, for every request (set by feeds that recognise the
	// page). Asking again will not help.
	KindChallenge
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
	case KindUnreachable:
		return "unreachable"
	case KindChallenge:
		return "challenge"
	}
	return "unknown"
}

// Retryable reports whether asking again within the same operation, a few
// seconds later, may succeed: a dropped connection, a 5xx, a 429 (after its
// Retry-After). A timeout is not: the host already had the whole timeout to
// answer, and asking again would keep the user waiting as long again (the
// poll loop and the pipeline's history retry come back to it later). An
// unreachable host is not either.
func (k Kind) Retryable() bool {
	switch k {
	case KindNetwork, KindRateLimited, KindServer:
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

// Is makes errors.Is(err, feeds.ErrNotAnswering) true for a timeout (the
// host hangs) and errors.Is(err, feeds.ErrUnreachable) for an unreachable
// host, so that code outside the network feeds can tell without importing
// this package.
func (e *Error) Is(target error) bool {
	switch target {
	case feeds.ErrNotAnswering:
		return e.Kind == KindTimeout
	case feeds.ErrUnreachable:
		return e.Kind == KindUnreachable
	}
	return false
}

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
		switch {
		case e.Status != 0: // the reply started and then stalled
			m = fmt.Sprintf("%s reply stalled (HTTP %d, not complete within %v)", src, e.Status, e.Timeout)
		case e.Timeout > 0:
			m = fmt.Sprintf("%s did not answer within %v", src, e.Timeout)
		default:
			m = src + " did not answer in time"
		}
	case KindUnreachable:
		m = "cannot reach " + src
	case KindRateLimited:
		m = "rate-limited by " + src
		if e.Status == 0 || e.Status == http.StatusTooManyRequests {
			m += " (HTTP 429)" // a service may say so in a 200 reply instead
		}
		if e.HasRetryAfter {
			m += fmt.Sprintf(", retry after %v", e.RetryAfter.Round(time.Second))
		}
	case KindServer:
		m = fmt.Sprintf("%s server error (HTTP %d %s)", src, e.Status, http.StatusText(e.Status))
	case KindNotFound:
		m = src + " has no such symbol (HTTP 404)"
	case KindClient:
		m = fmt.Sprintf("%s refused the request (HTTP %d %s)", src, e.Status, http.StatusText(e.Status))
	case KindHTML:
		m = src + " returned an HTML page (consent/block), not data"
	case KindChallenge:
		if e.Detail != "" { // the feed's own explanation, said once
			return Sanitize(e.Detail)
		}
		m = src + " answered with a browser check instead of data"
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
