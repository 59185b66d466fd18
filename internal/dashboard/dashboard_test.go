package dashboard

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/signals"
)

// syncBuffer is a bytes.Buffer safe for the program's writer goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	poll := time.NewTicker(time.Millisecond)
	defer poll.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-poll.C:
		}
	}
}

func screen(out string) string {
	em := vt.NewEmulator(100, 30)
	em.Write([]byte(strings.ReplaceAll(out, "\n", "\r\n")))
	return em.String()
}

// TestDashboardRunsAndStops runs the real program and pipeline with a fake
// feed: the dashboard shows the feed's data, and cancelling ends everything.
func TestDashboardRunsAndStops(t *testing.T) {
	cal := calendar.NYSE()
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, calendar.Location())
	var iwm, spy []engine.Bar
	for i := 0; i < 60; i++ {
		iwm = append(iwm, engine.Bar{Time: day, Open: 200, High: 201, Low: 199, Close: 200 + float64(i%7), Volume: 1e6})
		spy = append(spy, engine.Bar{Time: day, Open: 500, High: 501, Low: 499, Close: 500 + float64(i%5), Volume: 1e6})
		day = cal.NextTradingDate(day)
	}
	f := fake.New(fake.Options{Name: "demo", Kind: feeds.KindDemo, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
	ec := engine.DefaultConfig()
	ec.Extras, ec.Sectors = nil, nil
	eng, err := engine.New(ec, cal)
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			Feed: f, Engine: eng, Config: config.Default(), Symbols: []string{"IWM", "SPY"},
			Clock: clock.Real{}, Log: slog.New(slog.DiscardHandler), NoColor: true,
			ProgramOptions: []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(&out), tea.WithWindowSize(100, 30),
				tea.WithoutSignalHandler(), tea.WithEnvironment([]string{"TERM=xterm-256color"})},
		})
	}()
	waitFor(t, "the feed's stream", func() bool { return f.StreamCalls() == 1 })
	t0 := day.Add(10 * time.Hour)
	if err := f.Push(ctx, feeds.Batch{Quotes: []engine.Quote{{Symbol: "IWM", Price: 212.5, Time: t0}, {Symbol: "SPY", Price: 505, Time: t0}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the quote on screen", func() bool { return strings.Contains(screen(out.String()), "212.5") })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
	// Every goroutine of the pipeline, the engine and the feed has ended.
	// (A pending tea.Tick command may outlive the program: bubbletea does not
	// cancel commands, so goroutines are matched by what they run.)
	waitFor(t, "pipeline goroutines to end", func() bool { return leaked() == "" })
}

// leaked returns the stack of a goroutine still running pipeline, engine,
// feed or program code, or "".
func leaked() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for _, g := range strings.Split(string(buf), "\n\n") {
		for _, mark := range []string{"internal/app.", "engine.(*Engine).Run", "feeds/fake.", "internal/dashboard.", "bubbletea/v2.(*Program).Run"} {
			if strings.Contains(g, mark) && !strings.Contains(g, "leaked()") {
				return g
			}
		}
	}
	return ""
}

// TestDashboardAlertRings: a flag change seen by the pipeline is recorded in
// the signal log and reaches the dashboard's status line with the bell.
func TestDashboardAlertRings(t *testing.T) {
	cal := calendar.NYSE()
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, calendar.Location())
	var iwm, spy []engine.Bar
	for i := 0; i < 60; i++ {
		iwm = append(iwm, engine.Bar{Time: day, Open: 200, High: 201, Low: 199, Close: 200 + float64(i%7), Volume: 1e6})
		spy = append(spy, engine.Bar{Time: day, Open: 500, High: 501, Low: 499, Close: 500 + float64(i%5), Volume: 1e6})
		day = cal.NextTradingDate(day)
	}
	iwm[59].Close, spy[59].Close = 190, 510 // the ratio ends well below its 50-day average
	f := fake.New(fake.Options{Name: "yahoo", Kind: feeds.KindLive, History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
	ec := engine.DefaultConfig()
	ec.Extras, ec.Sectors = nil, nil
	eng, err := engine.New(ec, cal)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signals.jsonl")
	l, err := signals.Open(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t0 := day.Add(10 * time.Hour)
	var out syncBuffer
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{
			Feed: f, Engine: eng, Config: config.Default(), Symbols: []string{"IWM", "SPY"},
			Clock: clock.NewFake(t0), Log: slog.New(slog.DiscardHandler), NoColor: true,
			Signals: app.SignalOptions{Log: l, Feed: "yahoo", Alerts: signals.AlertOptions{Enabled: true, OnForming: true}},
			ProgramOptions: []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(&out), tea.WithWindowSize(100, 30),
				tea.WithoutSignalHandler(), tea.WithEnvironment([]string{"TERM=xterm-256color"})},
		})
	}()
	waitFor(t, "the feed's stream", func() bool { return f.StreamCalls() == 1 })
	if err := f.Push(ctx, feeds.Batch{Quotes: []engine.Quote{{Symbol: "IWM", Price: 230, Time: t0}, {Symbol: "SPY", Price: 500, Time: t0}}}); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if t.Failed() {
			t.Logf("screen:\n%s", screen(out.String()))
			b, _ := os.ReadFile(path)
			t.Logf("log:\n%s", b)
		}
	}()
	waitFor(t, "the alert on screen", func() bool {
		return strings.Contains(screen(out.String()), "ratio_above_sma50 forming") && strings.Contains(out.String(), "\a")
	})
	// The flag goes off again within the alert's minute (the fake clock
	// stands still): the alert goes with it (QA-3 F6), which needs the
	// flags behind it to reach the dashboard with the alert.
	if err := f.Push(ctx, feeds.Batch{Quotes: []engine.Quote{{Symbol: "IWM", Price: 190, Time: t0}, {Symbol: "SPY", Price: 510, Time: t0}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the alert gone with its flag", func() bool { return !strings.Contains(screen(out.String()), "🔔") })
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	recs, err := signals.ReadAll(path)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range recs {
		found = found || (r.Flag == engine.FlagRatioAboveSMA50 && r.From == "off" && r.To == "forming" && !r.Initial && r.Feed == "yahoo" && !r.Simulated)
	}
	if !found {
		t.Fatalf("the change is not in the log: %+v", recs)
	}
}
