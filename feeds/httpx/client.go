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
	neturl "net/url"
	"strings"
	"syscall"
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
	// DefaultAnswerTimeout bounds the wait for a reply to start (its
	// status line and headers): a host that takes the request and says
	// nothing for this long is hanging. Large bodies still get Timeout.
	DefaultAnswerTimeout = 10 * time.Second
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
	// AnswerTimeout bounds the wait for the reply's headers (default
	// DefaultAnswerTimeout, at most Timeout).
	AnswerTimeout time.Duration
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
	if o.MaxBody < 0 || o.Timeout < 0 || o.AnswerTimeout < 0 {
		return nil, fmt.Errorf("httpx: new client: negative MaxBody (%d), Timeout (%v) or AnswerTimeout (%v)", o.MaxBody, o.Timeout, o.AnswerTimeout)
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
	if o.AnswerTimeout == 0 {
		o.AnswerTimeout = DefaultAnswerTimeout
	}
	o.AnswerTimeout = min(o.AnswerTimeout, o.Timeout)
	return &Client{opt: o}, nil
}

// MaxPause caps how long a Retry-After header can hold the shared limiter.
const MaxPause = time.Hour

// errorBodyCap is how much of a non-2xx body is kept in Error.Body.
const errorBodyCap = 64 << 10

// errNoAnswer is the cause of a request cancelled because its reply did not
// start within AnswerTimeout.
var errNoAnswer = errors.New("no answer")

// Get fetches url and returns the body of a 2xx reply. Any failure is an
// *Error (op names the operation, e.g. "yahoo: fetch IWM") with its Kind:
// context ends → KindCanceled; no reply within AnswerTimeout, or not all of
// it within Timeout → KindTimeout; the host cannot be resolved, refuses
// the connection or cannot be routed to → KindUnreachable; 429 →
// KindRateLimited with Retry-After; 5xx → KindServer; an HTML page (by
// Content-Type or content) → KindHTML; 404 → KindNotFound (Body holds the
// start of the reply, where services put a JSON error object); a body over
// MaxBody → KindTooLarge. It waits for the limiter first.
func (c *Client) Get(ctx context.Context, op, url string) ([]byte, error) {
	body, _, err := c.GetReply(ctx, op, url)
	return body, err
}

// Reply describes the answer to a request, failed or not (for `capwatch
// doctor`): its HTTP status (0 if none came), the server's Date header,
// and how long it took.
type Reply struct {
	Status  int
	Date    time.Time // zero if absent or unreadable
	Sent    time.Time // when the request went out (after the limiter), local clock
	Latency time.Duration
}

// GetReply is Get that also describes the reply.
func (c *Client) GetReply(ctx context.Context, op, url string) (body []byte, reply Reply, err error) {
	fail := func(k Kind, status int, err error) *Error {
		return &Error{Op: op, Source: c.opt.Source, Kind: k, Status: status, Err: err}
	}
	if c.opt.Limiter != nil {
		if err := c.opt.Limiter.Wait(ctx); err != nil {
			return nil, reply, fail(KindCanceled, 0, err)
		}
	}
	reply.Sent = time.Now()
	defer func() { reply.Latency = time.Since(reply.Sent) }()
	// Two clocks run on the request: the whole of it within Timeout, and
	// its reply's start within AnswerTimeout (the real clock: network
	// timeouts; inside a synctest bubble, the bubble's).
	tctx, cancel := context.WithTimeout(ctx, c.opt.Timeout)
	defer cancel()
	rctx, noAnswer := context.WithCancelCause(tctx)
	defer noAnswer(nil)
	answer := time.AfterFunc(c.opt.AnswerTimeout, func() { noAnswer(errNoAnswer) })
	defer answer.Stop()
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, reply, fail(KindClient, 0, err)
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
		return nil, reply, c.transportError(ctx, rctx, op, 0, redactURL(err))
	}
	defer resp.Body.Close()
	reply.Status = resp.StatusCode
	if d, derr := http.ParseTime(resp.Header.Get("Date")); derr == nil {
		reply.Date = d
	}
	if !answer.Stop() && errors.Is(context.Cause(rctx), errNoAnswer) {
		// The reply came just as the answer timer fired: the body cannot be
		// read on the cancelled context; treat it as no answer.
		return nil, reply, c.transportError(ctx, rctx, op, 0, context.Cause(rctx))
	}

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
		return nil, reply, e
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, c.opt.MaxBody+1))
	if err != nil {
		return nil, reply, c.transportError(ctx, rctx, op, status, err)
	}
	if int64(len(body)) > c.opt.MaxBody {
		e := fail(KindTooLarge, status, nil)
		e.Detail = fmt.Sprintf("over %d bytes", c.opt.MaxBody)
		return nil, reply, e
	}
	if isHTML(resp, body) {
		e := fail(KindHTML, status, nil)
		e.Body = body[:min(len(body), errorBodyCap)] // feeds recognise their service's pages
		return nil, reply, e
	}
	return body, reply, nil
}

// transportError classifies an error from Do or from reading the body
// (status is the reply's status once it started, else 0).
func (c *Client) transportError(ctx, rctx context.Context, op string, status int, err error) *Error {
	e := &Error{Op: op, Source: c.opt.Source, Kind: KindNetwork, Status: status, Err: err}
	var (
		ne  net.Error
		dns *net.DNSError
		oe  *net.OpError
	)
	// The causes the error itself names (no such host, refused,
	// unroutable) come before the request context's state: the caller may
	// cancel ctx (another symbol found the host down) between the first
	// look at it and the look at rctx, and a refusal read at that moment
	// was said to be a 15 s timeout after 20 ms.
	switch {
	case ctx.Err() != nil:
		e.Kind, e.Err = KindCanceled, ctx.Err()
	case errors.Is(context.Cause(rctx), errNoAnswer) && status == 0:
		e.Kind, e.Timeout = KindTimeout, c.opt.AnswerTimeout
	case errors.As(err, &dns) && dns.IsNotFound:
		e.Kind, e.Detail = KindUnreachable, Sanitize("no such host "+dns.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Detail = KindUnreachable, "connection refused"+addrOf(err)
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EHOSTUNREACH):
		e.Kind, e.Detail = KindUnreachable, Sanitize(rootCause(err).Error())+addrOf(err)
	case ctx.Err() != nil: // ended since the first look
		e.Kind, e.Err = KindCanceled, ctx.Err()
	case errors.Is(rctx.Err(), context.DeadlineExceeded), errors.Is(rctx.Err(), context.Canceled):
		e.Kind, e.Timeout = KindTimeout, c.opt.Timeout
	case errors.As(err, &dns):
		// A resolver that failed for now (no network yet, a DNS server
		// that timed out or misbehaved) may answer on the next try.
		e.Detail = Sanitize("DNS lookup of " + dns.Name + " failed: " + dns.Err)
	case errors.As(err, &ne) && ne.Timeout():
		e.Kind, e.Timeout = KindTimeout, c.opt.Timeout
		if errors.As(err, &oe) && oe.Op == "dial" {
			e.Kind, e.Detail = KindNetwork, "connecting timed out"+addrOf(err)
		}
	default:
		e.Detail = Sanitize(rootCause(err).Error())
	}
	return e
}

// redactURL hides the values of secret query parameters (API keys, tokens)
// in the URL a *url.Error carries, so that no error text can leak them.
func redactURL(err error) error {
	var ue *neturl.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := neturl.Parse(ue.URL)
	if perr != nil {
		ue.URL = "(URL hidden)"
		return err
	}
	q := u.Query()
	changed := false
	for k := range q {
		lk := strings.ToLower(k)
		if strings.Contains(lk, "key") || strings.Contains(lk, "token") || strings.Contains(lk, "secret") {
			q[k] = []string{"REDACTED"}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
		ue.URL = u.String()
	}
	return err
}

// addrOf is " (host:port)" for a dial error that names its address.
func addrOf(err error) string {
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Addr != nil {
		return " (" + Sanitize(oe.Addr.String()) + ")"
	}
	return ""
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
