package httpx_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/stooq"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/nettest"
)

// twenty is the default watchlist's size: the case where a hanging host
// used to cost 20 symbols ÷ 4 workers × a 15 s timeout (and History three
// attempts of each) before anything was reported.
var twenty = []string{"IWM", "SPY", "QQQ", "DIA", "MDY", "PSCT", "XLK", "PSCH", "XLV", "PSCF",
	"XLF", "PSCI", "XLI", "PSCD", "XLY", "PSCE", "XLE", "PSCM", "XLB", "PSCU"}

// newFeeds builds the network feeds with their default options (timeouts,
// rates, workers), on client and base.
func newFeeds(t *testing.T, base string, o httpx.FeedOptions) map[string]feeds.Feed {
	t.Helper()
	o.BaseURL = base
	y, err := yahoo.New(yahoo.Options{FeedOptions: o})
	if err != nil {
		t.Fatal(err)
	}
	s, err := stooq.New(stooq.Options{FeedOptions: o})
	if err != nil {
		t.Fatal(err)
	}
	return map[string]feeds.Feed{"yahoo": y, "stooq": s}
}

// firstBatch runs f's Stream until its first batch and returns it with the
// (bubble) time it took.
func firstBatch(f feeds.Feed) (feeds.Batch, time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := make(chan feeds.Batch, 1)
	done := make(chan struct{})
	go func() { defer close(done); _ = f.Stream(ctx, twenty, out) }()
	start := time.Now()
	b := <-out
	took := time.Since(start)
	cancel()
	<-done
	return b, took
}

// TestHangingHostReportedWithin20s: a host that takes requests and never
// answers is reported as hanging (Status.Hanging, down, "did not answer
// within 10s") within 20 s by the stream, and History gives up as fast,
// with an error that says so (errors.Is feeds.ErrNotAnswering), for each
// network feed with its default options. Time is synctest's fake clock.
func TestHangingHostReportedWithin20s(t *testing.T) {
	for _, name := range []string{"yahoo", "stooq"} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				hang := &nettest.Hang{}
				f := newFeeds(t, "http://quotes.test", httpx.FeedOptions{Client: nettest.Client(hang.Dial)})[name]

				start := time.Now()
				_, err := f.History(context.Background(), twenty)
				if took := time.Since(start); took > 20*time.Second {
					t.Errorf("History gave up after %v, want ≤ 20s", took)
				}
				if !errors.Is(err, feeds.ErrNotAnswering) || !strings.Contains(err.Error(), "did not answer within 10s") ||
					strings.Contains(err.Error(), "deadline") {
					t.Errorf("History error %v: want a hang named as such", err)
				}

				b, took := firstBatch(f)
				if took > 20*time.Second {
					t.Errorf("first batch after %v, want ≤ 20s", took)
				}
				s := b.Status
				if s.State != feeds.StateDown || !s.Hanging || !strings.Contains(s.LastError, "did not answer within 10s") {
					t.Errorf("status %+v: want down, hanging, 'did not answer within 10s'", s)
				}
				if len(b.Errors) != len(twenty) {
					t.Errorf("%d symbol errors, want one per symbol", len(b.Errors))
				}
				if hang.Requests.Load() == 0 {
					t.Fatal("the hanging server got no request")
				}
			})
		})
	}
}

// TestUnreachableHostFailsFast: a host whose name does not resolve, or a
// port that refuses connections, is reported within 5 s by History (no
// retries: they cannot help) and by the stream's first batch, with the real
// cause in the message and not as a hang.
func TestUnreachableHostFailsFast(t *testing.T) {
	for _, tc := range []struct {
		name, cause string
		base        func(t *testing.T) (string, httpx.FeedOptions)
	}{
		{"no such host", "no such host quotes.test", func(t *testing.T) (string, httpx.FeedOptions) {
			return "http://quotes.test", httpx.FeedOptions{Client: nettest.Client(nettest.NoSuchHost)}
		}},
		{"connection refused", "connection refused (127.0.0.1:", func(t *testing.T) (string, httpx.FeedOptions) {
			return nettest.ClosedPort(t), httpx.FeedOptions{}
		}},
	} {
		for _, name := range []string{"yahoo", "stooq"} {
			t.Run(tc.name+"/"+name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					base, o := tc.base(t)
					f := newFeeds(t, base, o)[name]

					start := time.Now()
					_, err := f.History(context.Background(), twenty)
					if took := time.Since(start); took > 5*time.Second {
						t.Errorf("History gave up after %v, want ≤ 5s", took)
					}
					if err == nil || !strings.Contains(err.Error(), tc.cause) || !errors.Is(err, feeds.ErrUnreachable) {
						t.Errorf("History error %v: want %q", err, tc.cause)
					}

					b, took := firstBatch(f)
					if took > 5*time.Second {
						t.Errorf("first batch after %v, want ≤ 5s", took)
					}
					s := b.Status
					if s.State != feeds.StateDown || s.Hanging || !strings.Contains(s.LastError, tc.cause) {
						t.Errorf("status %+v: want down with %q", s, tc.cause)
					}
				})
			})
		}
	}
}

// TestGetClassifiesStallsAndDNS: no reply within AnswerTimeout is a hang;
// a reply whose body stops is a stall within Timeout; a resolver failing
// for now (not "no such host") is a network error worth a retry.
func TestGetClassifiesStallsAndDNS(t *testing.T) {
	stall := func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, s := net.Pipe()
		go func() {
			buf := make([]byte, 4096)
			_, _ = s.Read(buf) // the request
			_, _ = s.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\":"))
			_, _ = io.Copy(io.Discard, s) // then nothing, until the client gives up
			s.Close()
		}()
		return c, nil
	}
	dnsDown := func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "server misbehaving", Name: "quotes.test", IsTemporary: true}}
	}
	for _, tc := range []struct {
		name string
		dial func(ctx context.Context, network, addr string) (net.Conn, error)
		kind httpx.Kind
		took time.Duration
		msg  string
	}{
		{"hang", (&nettest.Hang{}).Dial, httpx.KindTimeout, 2 * time.Second, "Test did not answer within 2s"},
		{"stall", stall, httpx.KindTimeout, 5 * time.Second, "Test reply stalled (HTTP 200, not complete within 5s)"},
		{"dns down", dnsDown, httpx.KindNetwork, 0, "cannot reach Test: DNS lookup of quotes.test failed: server misbehaving"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				c, err := httpx.NewClient(httpx.ClientOptions{Source: "Test", HTTP: nettest.Client(tc.dial),
					Timeout: 5 * time.Second, AnswerTimeout: 2 * time.Second})
				if err != nil {
					t.Fatal(err)
				}
				start := time.Now()
				_, err = c.Get(context.Background(), "test: fetch", "http://quotes.test/x")
				if took := time.Since(start); httpx.KindOf(err) != tc.kind || took != tc.took || httpx.MessageOf(err) != tc.msg {
					t.Errorf("after %v: %v (%v), want %v after %v: %q", took, err, httpx.KindOf(err), tc.kind, tc.took, tc.msg)
				}
			})
		})
	}
}
