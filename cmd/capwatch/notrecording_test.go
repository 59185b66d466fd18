package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/config"
	"github.com/capwatch/capwatch/internal/dashboard"
	"github.com/capwatch/capwatch/internal/signals"
)

// TestSecondDashboardRecordsNothingAndSaysSo (issue 14 item 5): while one
// capwatch records the signal log, a second one on the same log does not
// open it (no line twice) and says so in its status line, not only on
// stderr behind the alternate screen; so does one whose log cannot be
// opened at all.
func TestSecondDashboardRecordsNothingAndSaysSo(t *testing.T) {
	h := newHarness(t)
	path := filepath.Join(h.e.Home, ".local", "state", "capwatch", "signals.jsonl")
	first, err := signals.Open(path, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	code, _, errOut := h.run("--feed", "yahoo")
	if code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	want := fmt.Sprintf("signals not recorded here: another capwatch (pid %d) records signals.jsonl", os.Getpid())
	if h.dash.Signals.Log != nil || h.dash.Signals.NotRecording != want || !strings.Contains(errOut, "signals are not recorded") {
		t.Fatalf("second dashboard: log %v, note %q, stderr %q; want no log and %q", h.dash.Signals.Log, h.dash.Signals.NotRecording, errOut, want)
	}
	onScreen(t, *h.dash, "signals not recorded here: another capwatch")
	// QA-1 item 15: it can take the log over once the first one quits.
	if h.dash.Signals.Reopen == nil {
		t.Fatal("second dashboard: no way to take the log over when the first quits")
	}
	if _, err := h.dash.Signals.Reopen(); !errors.Is(err, signals.ErrLocked) {
		t.Fatalf("reopen while the first records: %v, want locked", err)
	}
	first.Close()
	l, err := h.dash.Signals.Reopen()
	if err != nil || l.Path() != path {
		t.Fatalf("reopen after the first quit: %v %v", l, err)
	}
	l.Close()

	// A log that cannot be opened: its path is a directory.
	h = newHarness(t)
	bad := filepath.Join(t.TempDir(), "signals.jsonl")
	if err := os.MkdirAll(bad, 0o700); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := h.run("--feed", "yahoo", "--signal-log", bad); code != exitOK {
		t.Fatalf("exit %d %q", code, errOut)
	}
	if n := h.dash.Signals.NotRecording; !strings.HasPrefix(n, "signals not recorded: ") || !strings.Contains(n, "is a directory") || h.dash.Signals.Reopen != nil {
		t.Fatalf("unopenable log: note %q (reopen set: %v)", n, h.dash.Signals.Reopen != nil)
	}
	onScreen(t, *h.dash, "signals not recorded: ")
}

// onScreen runs the dashboard with d's signal options (and a fake live
// feed) at 160×30 and waits for text in its status line.
func onScreen(t *testing.T, d dashboard.Options, text string) {
	t.Helper()
	f := fake.New(fake.Options{Name: "yahoo", Kind: feeds.KindLive})
	ec := engine.DefaultConfig()
	ec.Extras, ec.Sectors = nil, nil
	eng, err := engine.New(ec, calendar.NYSE())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var out bytes.Buffer
	w := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(p) })
	top := func() string {
		mu.Lock()
		defer mu.Unlock()
		em := vt.NewEmulator(160, 30)
		em.Write([]byte(strings.ReplaceAll(out.String(), "\n", "\r\n")))
		return strings.SplitN(em.String(), "\n", 2)[0]
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- dashboard.Run(ctx, dashboard.Options{
			Feed: f, Engine: eng, Config: config.Default(), Symbols: []string{"IWM", "SPY"},
			Clock: clock.Real{}, Log: slog.New(slog.DiscardHandler), NoColor: true, Signals: d.Signals,
			ProgramOptions: []tea.ProgramOption{tea.WithInput(nil), tea.WithOutput(w), tea.WithWindowSize(160, 30),
				tea.WithoutSignalHandler(), tea.WithEnvironment([]string{"TERM=xterm-256color"})},
		})
	}()
	deadline := time.After(10 * time.Second)
	for !strings.Contains(top(), text) {
		select {
		case <-deadline:
			t.Fatalf("%q not in the status line %q", text, top())
		case <-time.After(time.Millisecond):
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
