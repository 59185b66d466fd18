package tui

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"
	"github.com/charmbracelet/x/vt"
)

// vtScreen replays a program's output into a virtual terminal so tests read
// the screen a user would see (the renderer only writes changed cells, so
// the raw bytes never hold whole lines).
type vtScreen struct {
	tm *teatest.TestModel
	em *vt.Emulator
}

func newVTScreen(t *testing.T, m tea.Model, w, h int) *vtScreen {
	t.Helper()
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(w, h),
		teatest.WithProgramOptions(
			tea.WithColorProfile(colorprofile.ANSI256),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}),
		))
	em := vt.NewEmulator(w, h)
	// The emulator answers terminal queries on its input pipe; drain it, and
	// end the drain by closing the pipe's writer (Emulator.Close would race
	// with the blocked Read inside vt).
	done := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, em); close(done) }()
	t.Cleanup(func() {
		if c, ok := em.InputPipe().(io.Closer); ok {
			_ = c.Close()
			<-done
		}
	})
	return &vtScreen{tm: tm, em: em}
}

// waitFor waits (bounded) until the screen shows all of want.
func (s *vtScreen) waitFor(t *testing.T, want ...string) {
	t.Helper()
	n := 0
	ok := func(b []byte) bool {
		if len(b) > n {
			// Output is not a TTY, so the renderer relies on the terminal
			// mapping \n to \r\n; do that mapping here.
			_, _ = s.em.Write(bytes.ReplaceAll(b[n:], []byte("\n"), []byte("\r\n")))
			n = len(b)
		}
		scr := s.em.String()
		for _, w := range want {
			if !strings.Contains(scr, w) {
				return false
			}
		}
		return true
	}
	teatest.WaitFor(t, s.tm.Output(), ok, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(5*time.Millisecond))
}

func (s *vtScreen) resize(w, h int) {
	s.em.Resize(w, h)
	s.tm.Send(tea.WindowSizeMsg{Width: w, Height: h})
}

func allFlagsOff(s *engine.Snapshot) *engine.Snapshot {
	c := *s
	c.Flags = append([]engine.Flag(nil), s.Flags...)
	for i := range c.Flags {
		c.Flags[i].State, c.Flags[i].Since = engine.FlagOff, ""
	}
	return &c
}

// TestFlow drives a real program: start, snapshots arrive (flags turn on),
// switch timeframe, open and close help, resize, quit.
func TestFlow(t *testing.T) {
	m, _ := testModel(t, Options{ShowNowWhat: true})
	s := newVTScreen(t, m, 120, 40)

	s.waitFor(t, "waiting for data from demo", "DEMO")

	s.tm.Send(SnapshotMsg{Snap: allFlagsOff(testSnapshot(1))})
	s.waitFor(t, "Breakout flags 0/9 confirmed", "Ratio IWM ÷ SPY")

	s.tm.Send(SnapshotMsg{Snap: testSnapshot(2)})
	s.waitFor(t, "Breakout flags 3/9 confirmed", "● confirmed Ratio > 200-day avg", "◐ forming   Ratio 20-day high")

	s.tm.Type("5")
	s.waitFor(t, "[1Y]")

	s.tm.Type("?")
	s.waitFor(t, "Keys (? or esc closes this help)", "chart 1 year")
	s.tm.Type("?")
	s.waitFor(t, "Breakout flags 3/9 confirmed")

	// 60×15 has room for the flags that are on and the quotes; 60×23 adds
	// the key line, "Now what?" and the flags that are off.
	s.resize(60, 15)
	s.waitFor(t, "● confirmed", "◐ forming", "Sector breadth", "Quotes by")
	s.resize(60, 23)
	s.waitFor(t, "○ off", "Ratio > 50-day avg", "Now what?", "q quit")

	s.resize(40, 10)
	s.waitFor(t, "enlarge the pane")

	s.tm.Type("q")
	fm, ok := s.tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(Model)
	if !ok {
		t.Fatal("final model is not a tui.Model")
	}
	if fm.chart().tf != tf1Y || fm.snap == nil || fm.snap.Seq != 2 || fm.showHelp {
		t.Fatalf("final state: timeframe %v, seq %v, help %v", fm.chart().tf, fm.snap, fm.showHelp)
	}
}

// TestFlowPauseAndFocus: p pauses (PAUSED shown, new data held), p resumes;
// tab moves the focus marker.
func TestFlowPauseAndFocus(t *testing.T) {
	m, _ := testModel(t, Options{})
	s := newVTScreen(t, m, 160, 45)
	s.tm.Send(SnapshotMsg{Snap: allFlagsOff(testSnapshot(1))})
	s.waitFor(t, "0/9 confirmed", "▶ Ratio")

	s.tm.Type("p")
	s.waitFor(t, "PAUSED")
	s.tm.Send(SnapshotMsg{Snap: testSnapshot(2)})
	s.waitFor(t, "PAUSED", "new data waiting", "0/9 confirmed")
	s.tm.Type("p")
	s.waitFor(t, "3/9 confirmed")

	s.tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	s.waitFor(t, "▶ Breakout flags")

	s.tm.Type("q")
	s.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
