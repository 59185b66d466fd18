package app

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/termsafe/termsafetest"
)

// hostileFeed is a fake feed whose every string is hostile: its name, the
// history's errors (for a watched symbol and for one nobody asked for),
// and a symbol key of its own.
func hostileFeed(h string, kind feeds.Kind, iwm, spy []engine.Bar) *fake.Feed {
	return fake.New(fake.Options{Name: "evil " + h, Kind: kind, History: feeds.History{
		Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy, h: iwm},
		Errors: []engine.SymbolError{{Symbol: "QQQ", Message: "HTTP 500: " + h},
			{Symbol: h, Message: h}},
	}})
}

func hostileConfig() engine.Config {
	c := pairConfig()
	c.Extras = []string{"QQQ"}
	return c
}

// TestHostileFeedStringsNeverLeaveTheBoundary: a feed that puts escape
// sequences, C1 controls, invalid UTF-8 and line breaks into every string
// it supplies (name, symbols, error messages, status reasons, its errors)
// yields snapshots and statuses whose every string is clean, through the
// pipeline (the dashboard) and the one-shot builder (snapshot, status).
func TestHostileFeedStringsNeverLeaveTheBoundary(t *testing.T) {
	iwm := genBars("IWM", 60, 200, 10, 0.05)
	spy := genBars("SPY", 60, 500, 5, 0.1)
	cal := calendar.NYSE()
	t0 := cal.NextTradingDate(iwm[59].Time).Add(10 * time.Hour)
	for _, h := range termsafetest.Hostile {
		t.Run("pipeline", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := hostileFeed(h, feeds.KindLive, iwm, spy)
				eng, err := engine.New(hostileConfig(), cal)
				if err != nil {
					t.Fatal(err)
				}
				snaps := make(chan *engine.Snapshot, 16)
				stats := make(chan feeds.Status, 16)
				p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY", "QQQ"}, Clock: clock.NewFake(t0),
					HistoryRetry: time.Hour, HistoryRetryMax: time.Hour,
					OnSnapshot: func(s *engine.Snapshot) { snaps <- s }, OnStatus: func(s feeds.Status) { stats <- s }}
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- p.Run(ctx) }()
				termsafetest.Check(t, "history snapshot", <-snaps)
				b := feeds.Batch{
					Quotes: []engine.Quote{{Symbol: "IWM", Price: 210, Time: t0}, {Symbol: h, Price: 1, Time: t0}, {Symbol: "SPY" + h, Price: 2, Time: t0}},
					Bars:   []engine.Bar{{Symbol: h, Time: t0, Open: 1, High: 1, Low: 1, Close: 1}},
					Errors: []engine.SymbolError{{Symbol: "QQQ", Message: "quote: " + h}, {Symbol: h, Message: h}},
					Status: feeds.Status{State: feeds.StateDegraded, LastError: "HTTP 429 " + h + " retry"},
				}
				if err := f.Push(ctx, b); err != nil {
					t.Fatal(err)
				}
				st := <-stats
				if st.State != feeds.StateDegraded || !strings.Contains(st.LastError, "HTTP 429") || !strings.HasPrefix(st.Feed, "evil") {
					t.Errorf("status %+v: the reason or the name was lost", st)
				}
				termsafetest.Check(t, "status", st)
				s := <-snaps
				termsafetest.Check(t, "live snapshot", s)
				if y, _ := s.Symbol("IWM"); y.Last.V != 210 {
					t.Errorf("the clean quote was lost: IWM last %v", y.Last)
				}
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			})
		})
		t.Run("stream error", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				f := fake.New(fake.Options{Name: h, HistoryErr: errors.New("history " + h), StreamErr: errors.New("stream " + h)})
				eng, err := engine.New(hostileConfig(), cal)
				if err != nil {
					t.Fatal(err)
				}
				stats := make(chan feeds.Status, 16)
				p := &Pipeline{Feed: f, Engine: eng, Symbols: []string{"IWM", "SPY", "QQQ"}, Clock: clock.NewFake(t0),
					OnStatus: func(s feeds.Status) { stats <- s }}
				ctx, cancel := context.WithCancel(t.Context())
				done := make(chan error, 1)
				go func() { done <- p.Run(ctx) }()
				for _, want := range []string{"history: ", "stream: "} {
					st := <-stats
					if st.State != feeds.StateDown || !strings.HasPrefix(st.LastError, want) {
						t.Errorf("status %+v, want down %q…", st, want)
					}
					termsafetest.Check(t, "status", st)
				}
				cancel()
				if err := <-done; err != nil {
					t.Fatal(err)
				}
			})
		})
		t.Run("one-shot", func(t *testing.T) {
			f := hostileFeed(h, feeds.KindReplay, iwm, spy)
			s, err := BuildSnapshot(t.Context(), BuildOptions{Feed: f, Config: hostileConfig(), Calendar: cal})
			if err != nil {
				t.Fatal(err)
			}
			termsafetest.Check(t, "snapshot", s)
			var js, txt bytes.Buffer
			if err := WriteJSON(&js, s); err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			termsafetest.Check(t, "JSON", doc)
			if err := WriteText(&txt, s); err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(strings.TrimSuffix(txt.String(), "\n"), "\n") {
				if u := termsafetest.Unsafe(line); u != "" {
					t.Errorf("text line %d %q contains %s", i+1, line, u)
				}
			}
			if !strings.Contains(txt.String(), "QQQ: HTTP 500:") {
				t.Errorf("the error was lost:\n%s", txt.String())
			}
		})
	}
}
