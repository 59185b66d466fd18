package stooq

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/nettest"
)

// TestBrowserCheckSaysWhatToDo: Stooq's proof-of-work page and its API-key
// page (HTTP 200, HTML in place of the CSV) are recognised as such — not as a
// generic HTML page — in History and in the stream, after one request (the
// other symbols are not asked), with what to do instead.
func TestBrowserCheckSaysWhatToDo(t *testing.T) {
	for _, mode := range []string{"challenge", "keypage"} {
		t.Run(mode, func(t *testing.T) {
			fs, f, clk := newFake(t)
			fs.set(mode)
			_, err := f.History(context.Background(), []string{"SPY", "IWM", "QQQ", "DIA", "MDY", "XLK"})
			if err == nil || !strings.HasSuffix(err.Error(), ": "+MsgChallenge+" (no symbol loaded)") {
				t.Fatalf("History: %v", err)
			}
			var he *httpx.Error
			if !errors.As(err, &he) || he.Kind != httpx.KindChallenge {
				t.Fatalf("History error %v: not a browser check", err)
			}
			n := len(fs.seen())
			if n > spec.Workers {
				t.Errorf("%d requests, want at most the %d in flight at once (the answer is the same for every symbol)", n, spec.Workers)
			}

			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out, done := make(chan feeds.Batch), make(chan error, 1)
			go func() { done <- f.Stream(ctx, []string{"SPY", "IWM"}, out) }()
			b := step(t, clk, out, done, feeds.Batch{})
			if b.Status.State != feeds.StateDown || b.Status.LastError != MsgChallenge {
				t.Fatalf("stream status %+v", b.Status)
			}
			for _, se := range b.Errors {
				if se.Message != MsgChallenge {
					t.Errorf("%s: %q", se.Symbol, se.Message)
				}
			}
		})
	}
}

// TestOtherHTMLIsNotABrowserCheck: a consent or error page stays a generic
// HTML page; CSV and plain replies are never taken for the check.
func TestOtherHTMLIsNotABrowserCheck(t *testing.T) {
	for name, body := range map[string]string{
		"consent": "<!DOCTYPE html><html><body>Please enable JavaScript</body></html>",
		"csv":     string(fixture(t, "spy.us.csv")),
		"limit":   string(fixture(t, "limit.txt")),
	} {
		if IsChallenge([]byte(body)) {
			t.Errorf("%s taken for the browser check", name)
		}
	}
	for _, name := range []string{"challenge.html", "apikey.html"} {
		if !IsChallenge(fixture(t, name)) {
			t.Errorf("%s not recognised", name)
		}
	}
}

// TestAPIKeySentNeverShown: the key goes out as the apikey parameter, a
// key Stooq refuses is said to be refused, and the key never appears in an
// error, a status or a symbol error — not even in the URL of a timeout.
func TestAPIKeySentNeverShown(t *testing.T) {
	const key = "sekrit-key-7f3a"
	clk := clock.NewFake(tOpen)
	fs := &fakeStooq{t: t, mode: "ok", release: make(chan struct{})}
	srv := httptest.NewServer(fs)
	t.Cleanup(func() { close(fs.release); srv.Close() })
	newFeed := func(c *http.Client, base string) *Feed {
		f, err := New(Options{FeedOptions: httpx.FeedOptions{BaseURL: base, Client: c, Clock: clk,
			RatePerSec: 1000, Burst: 100, Rand: func() float64 { return 0.5 }}, APIKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	f := newFeed(srv.Client(), srv.URL)
	if _, err := f.History(context.Background(), []string{"SPY"}); err != nil {
		t.Fatal(err)
	}
	q := fs.seen()[0]
	if !strings.Contains(q, "apikey="+key) {
		t.Fatalf("query %q lacks the key", q)
	}
	var texts []string
	collect := func(f *Feed, mode string) {
		h, err := f.History(context.Background(), []string{"SPY"})
		if err == nil {
			t.Fatalf("%s: no error", mode)
		}
		texts = append(texts, err.Error(), httpx.MessageOf(err))
		for _, se := range h.Errors {
			texts = append(texts, se.Message)
		}
		if _, err := f.fetchDaily(context.Background(), "SPY", time.Time{}, time.Time{}); err != nil {
			texts = append(texts, err.Error())
			if mode == "challenge" && httpx.MessageOf(err) != MsgKeyRefused {
				t.Errorf("refused key: %q", httpx.MessageOf(err))
			}
		}
	}
	for _, mode := range []string{"challenge", "html"} {
		fs.set(mode)
		collect(f, mode)
	}
	// A host that does not answer: the timeout's error carries the URL.
	synctest.Test(t, func(t *testing.T) {
		collect(newFeed(nettest.Client((&nettest.Hang{}).Dial), "http://stooq.test"), "hang")
	})
	for _, s := range texts {
		if strings.Contains(s, key) {
			t.Fatalf("the key leaks: %q", s)
		}
	}
	if !strings.Contains(strings.Join(texts, "\n"), "apikey=REDACTED") {
		t.Fatalf("no timeout error carried the (redacted) URL: %q", texts)
	}
}
