package httpx

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
)

// DefaultUserAgent looks like a desktop browser; some data services refuse
// Go's default agent.
const DefaultUserAgent = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"

// Defaults for ClientOptions.
const (
	DefaultMaxBody = 16 << 20 // bytes
	DefaultTimeout = 15 * time.Second
)

// ClientOptions configures a Client.
type ClientOptions struct {
	Source    string        // service name for messages, e.g. "Yahoo" (required)
	HTTP      *http.Client  // default: a new client with no overall timeout (Timeout applies per request)
	Limiter   *Limiter      // shared token bucket; nil = unlimited
	Clock     clock.Clock   // for Retry-After dates (default clock.Real)
	UserAgent string        // default DefaultUserAgent
	Accept    string        // Accept header, e.g. "application/json"
	Header    http.Header   // extra headers on every request (API keys: never logged)
	MaxBody   int64         // body size cap in bytes (default DefaultMaxBody)
	Timeout   time.Duration // per request, including reading the body (default DefaultTimeout)
}

// Client performs paced, classified GET requests.
type Client struct {
	opt ClientOptions
}

// NewClient validates the options and fills in defaults.
func NewClient(o ClientOptions) (*Client, error) {
	if strings.TrimSpace(o.Source) == "" {
		return nil, errors.New("httpx: new client: empty source name")
	}
	if o.MaxBody < 0 || o.Timeout < 0 {
		return nil, fmt.Errorf("httpx: new client: negative MaxBody (%d) or Timeout (%v)", o.MaxBody, o.Timeout)
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{}
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.MaxBody == 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	return &Client{opt: o}, nil
}

// MaxPause caps how long a Retry-After header can hold the shared limiter.
const MaxPause = time.Hour

// errorBodyCap is how much of a non-2xx body is kept in Error.Body.
const errorBodyCap = 64 << 10

// Get fetches url and returns the body of a 2xx reply. Any failure is an
// *Error (op names the operation, e.g. "yahoo: fetch IWM") with its Kind:
// context ends → KindCanceled; the per-request timeout → KindTimeout; 429 →
// KindRateLimited with Retry-After; 5xx → KindServer; an HTML page (by
// Content-Type or content) → KindHTML; 404 → KindNotFound (Body holds the
// start of the reply, where services put a JSON error object); a body over
// MaxBody → KindTooLarge. It waits for the limiter first.
func (c *Client) Get(ctx context.Context, op, url string) ([]byte, error) {
	fail := func(k Kind, status int, err error) *Error {
		return &Error{Op: op, Source: c.opt.Source, Kind: k, Status: status, Err: err}
	}
	if c.opt.Limiter != nil {
		if err := c.opt.Limiter.Wait(ctx); err != nil {
			return nil, fail(KindCanceled, 0, err)
		}
	}
	rctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fail(KindClient, 0, err)
	}
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if c.opt.Accept != "" {
		req.Header.Set("Accept", c.opt.Accept)
	}
	for k, vs := range c.opt.Header {
		req.Header[k] = vs
	}
	resp, err := c.opt.HTTP.Do(req)
	if err != nil {
		return nil, c.transportError(ctx, rctx, op, 0, err)
	}
	defer resp.Body.Close()

	status := resp.StatusCode
	if status < 200 || status > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, min(c.opt.MaxBody, errorBodyCap)))
		e := fail(KindClient, status, nil)
		e.Body = body
		switch {
		case status == http.StatusTooManyRequests:
			e.Kind = KindRateLimited
			e.RetryAfter, e.HasRetryAfter = ParseRetryAfter(resp.Header.Get("Retry-After"), c.opt.Clock.Now())
			if e.HasRetryAfter && c.opt.Limiter != nil {
				c.opt.Limiter.Pause(min(e.RetryAfter, MaxPause))
			}
		case status >= 500:
			e.Kind = KindServer
			if d, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), c.opt.Clock.Now()); ok {
				e.RetryAfter, e.HasRetryAfter = d, true
			}
		case isHTML(resp, body):
			e.Kind = KindHTML
		case status == http.StatusNotFound:
			e.Kind = KindNotFound
		}
		return nil, e
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBody+1))
	if err != nil {
		return nil, c.transportError(ctx, rctx, op, status, err)
	}
	if int64(len(body)) > c.opt.MaxBody {
		e := fail(KindTooLarge, status, nil)
		e.Detail = fmt.Sprintf("over %d bytes", c.opt.MaxBody)
		return nil, e
	}
	if isHTML(resp, body) {
		return nil, fail(KindHTML, status, nil)
	}
	return body, nil
}

// transportError classifies an error from Do or from reading the body.
func (c *Client) transportError(ctx, rctx context.Context, op string, status int, err error) *Error {
	e := &Error{Op: op, Source: c.opt.Source, Kind: KindNetwork, Status: status, Err: err}
	var ne net.Error
	switch {
	case ctx.Err() != nil:
		e.Kind, e.Err = KindCanceled, ctx.Err()
	case errors.Is(rctx.Err(), context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		e.Kind, e.Timeout = KindTimeout, c.opt.Timeout
	default:
		e.Detail = Sanitize(rootCause(err).Error())
	}
	return e
}

// rootCause unwraps err to its innermost error, skipping *url.Error's
// "Get \"https://...\"" prefix that would repeat the URL in a status line.
func rootCause(err error) error {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err
		}
		err = u
	}
}

// isHTML reports whether a reply is an HTML page: by Content-Type, by a
// redirect to a consent host, or by the first non-blank bytes of the body.
func isHTML(resp *http.Response, body []byte) bool {
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err == nil {
		if mt == "text/html" || mt == "application/xhtml+xml" {
			return true
		}
	}
	if resp.Request != nil && resp.Request.URL != nil {
		host := strings.ToLower(resp.Request.URL.Hostname())
		if strings.HasPrefix(host, "consent.") || strings.HasPrefix(host, "guce.") {
			return true
		}
	}
	return LooksLikeHTML(body)
}

// LooksLikeHTML reports whether body starts (after a BOM and blanks) like an
// HTML or XML document.
func LooksLikeHTML(body []byte) bool {
	b := bytes.TrimPrefix(body, []byte("\xef\xbb\xbf"))
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) > 64 {
		b = b[:64]
	}
	lb := bytes.ToLower(b)
	for _, p := range []string{"<!doctype html", "<html", "<head", "<body", "<!--", "<?xml", "<meta", "<title", "<script"} {
		if bytes.HasPrefix(lb, []byte(p)) {
			return true
		}
	}
	return false
}
