package feeds_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/termsafe/termsafetest"
)

// setStrings sets every string field of the struct *p to s.
func setStrings(p any, s string) int {
	v := reflect.ValueOf(p).Elem()
	n := 0
	for i := 0; i < v.NumField(); i++ {
		if f := v.Field(i); f.Kind() == reflect.String && f.CanSet() {
			f.SetString(s)
			n++
		}
	}
	return n
}

// TestCleanStatusCleansEveryStringField: a string field added to Status
// later is cleaned too, or this fails.
func TestCleanStatusCleansEveryStringField(t *testing.T) {
	for _, h := range termsafetest.Hostile {
		var st feeds.Status
		if setStrings(&st, h) == 0 {
			t.Fatal("Status has no string field")
		}
		termsafetest.Check(t, "Status", feeds.CleanStatus(st))
		// The provenance (issue 18) is a pointer: its strings are cleaned too.
		st.Provenance = &engine.Provenance{Prices: h, Volume: h, History: []engine.HistorySpan{{Source: h, From: h, To: h}}}
		got := feeds.CleanStatus(st)
		termsafetest.Check(t, "Status.Provenance", *got.Provenance)
		if st.Provenance.Prices != h {
			t.Fatal("CleanStatus wrote into the feed's provenance")
		}
	}
}

func TestSanitizedHistory(t *testing.T) {
	day := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	for _, h := range termsafetest.Hostile {
		f := fake.New(fake.Options{Name: "fake " + h, History: feeds.History{
			Daily:    map[string][]engine.Bar{"IWM": {{Symbol: "IWM", Time: day, Close: 1}}, h: {{Symbol: h, Time: day, Close: 2}}},
			Intraday: map[string][]engine.Bar{h: {{Symbol: h, Time: day, Close: 3}}},
			Errors:   []engine.SymbolError{{Symbol: h, Message: "HTTP 500: " + h}, {Symbol: "SPY", Message: h}},
		}})
		s := feeds.Sanitized(f)
		if b := termsafetest.Unsafe(s.Name()); b != "" || !strings.HasPrefix(s.Name(), "fake") {
			t.Errorf("name %q (%s)", s.Name(), b)
		}
		got, err := s.History(t.Context(), []string{"IWM", "SPY", h})
		if err != nil {
			t.Fatal(err)
		}
		termsafetest.Check(t, "History", got)
		if len(got.Daily["IWM"]) != 1 || got.Daily["IWM"][0].Close != 1 || len(got.Daily) != 2 || len(got.Errors) != 2 {
			t.Errorf("data lost: %+v", got)
		}
	}
}

// TestSanitizedKeyCollision: a dirty symbol that cleans to a symbol the
// history already has never replaces its bars.
func TestSanitizedKeyCollision(t *testing.T) {
	h := feeds.CleanHistory(feeds.History{Daily: map[string][]engine.Bar{
		"IWM": {{Symbol: "IWM", Close: 1}}, "IWM\x1b[0m": {{Symbol: "IWM\x1b[0m", Close: 2}}}})
	if len(h.Daily) != 1 || h.Daily["IWM"][0].Close != 1 {
		t.Fatalf("daily %+v", h.Daily)
	}
}

// TestSanitizedKeepsCleanData: clean data is passed on as it is (no copy).
func TestSanitizedKeepsCleanData(t *testing.T) {
	bars := []engine.Bar{{Symbol: "IWM", Close: 1}, {Symbol: "IWM", Close: 2}}
	h := feeds.History{Daily: map[string][]engine.Bar{"IWM": bars}, Errors: []engine.SymbolError{{Symbol: "SPY", Message: "HTTP 503: try later"}}}
	got := feeds.CleanHistory(h)
	if &got.Daily["IWM"][0] != &bars[0] || &got.Errors[0] != &h.Errors[0] {
		t.Error("clean history was copied")
	}
	b := feeds.Batch{Quotes: []engine.Quote{{Symbol: "IWM", Price: 1}}, Status: feeds.Status{Feed: "yahoo", LastError: "HTTP 429"}}
	if gb := feeds.CleanBatch(b); &gb.Quotes[0] != &b.Quotes[0] || gb.Status != b.Status {
		t.Error("clean batch was changed")
	}
	if n := testing.AllocsPerRun(100, func() { feeds.CleanBatch(b); feeds.CleanHistory(h) }); n != 0 {
		t.Errorf("%v allocations for clean data, want 0", n)
	}
}

func TestSanitizedStream(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		f := fake.New(fake.Options{})
		s := feeds.Sanitized(feeds.Sanitized(f)) // twice is once
		ctx, cancel := context.WithCancel(t.Context())
		out := make(chan feeds.Batch, 1)
		done := make(chan error, 1)
		go func() { done <- s.Stream(ctx, []string{"IWM"}, out) }()
		for _, h := range termsafetest.Hostile {
			b := feeds.Batch{Quotes: []engine.Quote{{Symbol: h, Price: 1}}, Bars: []engine.Bar{{Symbol: h}}, Updates: []engine.Bar{{Symbol: h, Close: 2}},
				Errors: []engine.SymbolError{{Symbol: h, Message: h}}, Status: feeds.Status{Feed: h, LastError: h, Preferred: h}}
			if err := f.Push(ctx, b); err != nil {
				t.Fatal(err)
			}
			got := <-out
			termsafetest.Check(t, "Batch", got)
			if len(got.Quotes) != 1 || got.Quotes[0].Price != 1 || len(got.Bars) != 1 || len(got.Updates) != 1 || got.Updates[0].Close != 2 || len(got.Errors) != 1 {
				t.Errorf("data lost: %+v", got)
			}
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Stream returned %v, want context.Canceled", err)
		}
	})
}

func TestSanitizedErrors(t *testing.T) {
	boom := errors.New("boom \x1b]52;c;aGk=\x07\nnext line")
	f := fake.New(fake.Options{HistoryErr: boom, StreamErr: boom})
	s := feeds.Sanitized(f)
	_, err := s.History(t.Context(), []string{"IWM"})
	if !errors.Is(err, boom) || termsafetest.Unsafe(err.Error()) != "" || !strings.Contains(err.Error(), "boom next line") {
		t.Errorf("History error %q (is boom: %v)", err, errors.Is(err, boom))
	}
	err = s.Stream(t.Context(), []string{"IWM"}, make(chan feeds.Batch))
	if !errors.Is(err, boom) || termsafetest.Unsafe(err.Error()) != "" {
		t.Errorf("Stream error %q", err)
	}
}

type panicFeed struct{ feeds.Feed }

func (panicFeed) Stream(context.Context, []string, chan<- feeds.Batch) error { panic("feed exploded") }

// TestSanitizedStreamPanic: the wrapped stream runs on the wrapper's
// goroutine; its panic comes back as an error, not a crash.
func TestSanitizedStreamPanic(t *testing.T) {
	err := feeds.Sanitized(panicFeed{fake.New(fake.Options{})}).Stream(t.Context(), nil, make(chan feeds.Batch))
	var pe *feeds.PanicError
	if !errors.As(err, &pe) || pe.Value != "feed exploded" || len(pe.Stack) == 0 || err.Error() != "internal error: feed exploded" {
		t.Fatalf("Stream = %v", err)
	}
}

// TestCleanHistorySkippedAndStarts: the skipped-row counts and late starts
// of a history carry clean symbols, sources and reasons.
func TestCleanHistorySkippedAndStarts(t *testing.T) {
	day := time.Date(2024, 6, 3, 0, 0, 0, 0, time.UTC)
	for _, h := range termsafetest.Hostile {
		got := feeds.CleanHistory(feeds.History{
			Skipped: map[string]engine.SkippedRows{h: {Count: 2, FirstLine: 9, Source: "d/" + h + ".csv", Reason: "missing " + h}},
			Starts:  map[string]time.Time{h: day},
		})
		termsafetest.Check(t, "History", got)
		if len(got.Skipped) != 1 || len(got.Starts) != 1 {
			t.Errorf("data lost: %+v", got)
		}
		for _, k := range got.Skipped {
			if k.Count != 2 || k.FirstLine != 9 {
				t.Errorf("counts changed: %+v", k)
			}
		}
	}
}
