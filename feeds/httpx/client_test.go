package httpx

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/clock"
)

func newTestClient(t *testing.T, h http.HandlerFunc, mod func(*ClientOptions)) (*Client, string) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	o := ClientOptions{Source: "Yahoo", HTTP: srv.Client(), Clock: clock.NewFake(t0), Accept: "application/json"}
	if mod != nil {
		mod(&o)
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv.URL
}

func TestGetClassifies(t *testing.T) {
	tests := map[string]struct {
		h         http.HandlerFunc
		kind      Kind
		retry     time.Duration
		hasRetry  bool
		msgSubstr string
	}{
		"429 seconds": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
			},
			kind: KindRateLimited, retry: 30 * time.Second, hasRetry: true, msgSubstr: "rate-limited by Yahoo (HTTP 429), retry after 30s",
		},
		"429 date": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", t0.Add(90*time.Second).Format(http.TimeFormat))
				w.WriteHeader(http.StatusTooManyRequests)
			},
			kind: KindRateLimited, retry: 90 * time.Second, hasRetry: true,
		},
		"429 bare": {
			h:    func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTooManyRequests) },
			kind: KindRateLimited, msgSubstr: "rate-limited by Yahoo (HTTP 429)",
		},
		"500": {
			h:    func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", 500) },
			kind: KindServer, msgSubstr: "HTTP 500 Internal Server Error",
		},
		"503 html": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(503)
				w.Write([]byte("<html>down</html>"))
			},
			kind: KindServer,
		},
		"404": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(404)
				w.Write([]byte(`{"chart":{"result":null,"error":{"code":"Not Found"}}}`))
			},
			kind: KindNotFound,
		},
		"403": {
			h:    func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(403) },
			kind: KindClient,
		},
		"consent page 200": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.Write([]byte("<!DOCTYPE html><html><title>Yahoo is part of the Yahoo family of brands</title></html>"))
			},
			kind: KindHTML, msgSubstr: "Yahoo returned an HTML page (consent/block), not data",
		},
		"html without content type": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte("\n  <HTML><body>blocked</body></HTML>"))
			},
			kind: KindHTML,
		},
		"too large": {
			h: func(w http.ResponseWriter, r *http.Request) {
				w.Write([]byte(strings.Repeat("x", 2000)))
			},
			kind: KindTooLarge,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, url := newTestClient(t, tc.h, func(o *ClientOptions) { o.MaxBody = 1000 })
			body, err := c.Get(context.Background(), "yahoo: fetch IWM", url+"/x")
			if err == nil {
				t.Fatalf("no error, body %q", body)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err %T %v is not *Error", err, err)
			}
			if e.Kind != tc.kind {
				t.Fatalf("kind = %v, want %v (%v)", e.Kind, tc.kind, err)
			}
			if e.RetryAfter != tc.retry || e.HasRetryAfter != tc.hasRetry {
				t.Errorf("retry after = %v/%v, want %v/%v", e.RetryAfter, e.HasRetryAfter, tc.retry, tc.hasRetry)
			}
			if !strings.HasPrefix(err.Error(), "yahoo: fetch IWM: ") {
				t.Errorf("error %q lacks the operation", err)
			}
			if tc.msgSubstr != "" && !strings.Contains(e.Message(), tc.msgSubstr) {
				t.Errorf("message %q lacks %q", e.Message(), tc.msgSubstr)
			}
			if KindOf(err) != tc.kind {
				t.Errorf("KindOf = %v", KindOf(err))
			}
		})
	}
}

func TestGetOK(t *testing.T) {
	var ua, accept string
	c, url := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		ua, accept = r.UserAgent(), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"ok":true}`))
	}, nil)
	body, err := c.Get(context.Background(), "op", url)
	if err != nil {
		t.Fatal(err)
	}
	if string(body) != `{"ok":true}` {
		t.Fatalf("body %q", body)
	}
	if ua != DefaultUserAgent || accept != "application/json" {
		t.Fatalf("headers UA=%q Accept=%q", ua, accept)
	}
}

func TestGetTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	c, url := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		select { // a server slower than the timeout: it answers only when the client gives up
		case <-r.Context().Done():
		case <-release:
		}
	}, func(o *ClientOptions) { o.Timeout = 20 * time.Millisecond })
	_, err := c.Get(context.Background(), "op", url)
	if KindOf(err) != KindTimeout {
		t.Fatalf("err = %v, want timeout", err)
	}
	if !strings.Contains(MessageOf(err), "did not answer within 20ms") {
		t.Fatalf("message %q", MessageOf(err))
	}
}

func TestGetCanceled(t *testing.T) {
	c, url := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {}, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Get(ctx, "op", url)
	if KindOf(err) != KindCanceled || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
}

func TestGetNetworkError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	url := srv.URL
	srv.Close() // nothing listens any more
	c, err := NewClient(ClientOptions{Source: "Stooq"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "stooq: fetch spy", url)
	if KindOf(err) != KindUnreachable || KindOf(err).Retryable() {
		t.Fatalf("err = %v, want unreachable (not retried)", err)
	}
	if m := MessageOf(err); !strings.HasPrefix(m, "cannot reach Stooq: connection refused") || strings.Contains(m, url) {
		t.Fatalf("message %q", m)
	}
}

func TestGetTruncatedBody(t *testing.T) {
	c, url := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Write([]byte(`{"chart":`)) // the handler returns early: the body is cut short
	}, nil)
	_, err := c.Get(context.Background(), "op", url)
	if KindOf(err) != KindNetwork {
		t.Fatalf("err = %v, want network (unexpected EOF)", err)
	}
	if m := MessageOf(err); m != "Yahoo reply cut short (HTTP 200, connection dropped): unexpected EOF" {
		t.Fatalf("message %q: the server was reached, the reply was cut", m)
	}
}

func TestGetUsesLimiter(t *testing.T) {
	clk := clock.NewFake(t0)
	lim, _ := NewLimiter(1, 1, clk)
	n := 0
	c, url := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { n++ }, func(o *ClientOptions) { o.Limiter = lim })
	if _, err := c.Get(context.Background(), "op", url); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := c.Get(context.Background(), "op", url); done <- err }()
	clk.WaitForWaiters(1, nil)
	if n != 1 {
		t.Fatalf("second request went out before its token: n=%d", n)
	}
	clk.Advance(time.Second)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("n = %d", n)
	}
}

func TestNewClientValidates(t *testing.T) {
	if _, err := NewClient(ClientOptions{}); err == nil {
		t.Error("empty source accepted")
	}
	if _, err := NewClient(ClientOptions{Source: "x", Timeout: -1}); err == nil {
		t.Error("negative timeout accepted")
	}
}

func TestErrorMessageSanitised(t *testing.T) {
	e := &Error{Source: "Yahoo", Kind: KindNoData, Detail: "\x1b]52;c;AAAA\x07evil\x1b[2J"}
	if m := e.Message(); m != "Yahoo has no data for this symbol: evil" {
		t.Fatalf("message %q", m)
	}
	if m := MessageOf(errors.New("bad \x1b[31mthing")); m != "bad thing" {
		t.Fatalf("MessageOf %q", m)
	}
}

func TestKindRetryable(t *testing.T) {
	want := map[Kind]bool{KindNetwork: true, KindTimeout: false, KindRateLimited: true, KindServer: true,
		KindUnreachable: false, KindNotFound: false, KindHTML: false, KindParse: false, KindCanceled: false, KindNoData: false}
	for k, r := range want {
		if k.Retryable() != r {
			t.Errorf("%v.Retryable() = %v", k, !r)
		}
	}
}

// TestGetConsentRedirect: a redirect to a consent host is reported as an
// HTML page even when the page claims to be something else. All names
// resolve to the loopback test server.
func TestGetConsentRedirect(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "query1.yahoo.test" {
			http.Redirect(w, r, "http://consent.yahoo.test/v2/collectConsent?sessionId=x", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write([]byte("not json either"))
	}))
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	c, err := NewClient(ClientOptions{Source: "Yahoo", HTTP: hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "yahoo: fetch IWM", "http://query1.yahoo.test/v8/finance/chart/IWM")
	if KindOf(err) != KindHTML {
		t.Fatalf("err = %v, want an HTML/consent error", err)
	}
}

// TestGet429PausesLimiter: a Retry-After holds back every later request of
// the shared limiter, not only the one that got the 429.
func TestGet429PausesLimiter(t *testing.T) {
	clk := clock.NewFake(t0)
	lim, _ := NewLimiter(100, 100, clk)
	c, url := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "45")
		w.WriteHeader(429)
	}, func(o *ClientOptions) { o.Limiter = lim; o.Clock = clk })
	if _, err := c.Get(context.Background(), "op", url); KindOf(err) != KindRateLimited {
		t.Fatalf("err = %v", err)
	}
	if d := lim.reserve(); d != 45*time.Second {
		t.Fatalf("limiter wait %v, want 45s", d)
	}
}
