package tui

import (
	"context"

	"strings"
	"testing"
	"testing/synctest"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/charmbracelet/x/ansi"
)

// runCmd executes cmd and the commands of any batch or sequence it returns,
// and collects the messages. Inside a synctest bubble a tea.Tick returns at
// once (fake time), so every command finishes.
func runCmd(t *testing.T, cmd tea.Cmd) []tea.Msg {
	t.Helper()
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		var out []tea.Msg
		for _, c := range b {
			out = append(out, runCmd(t, c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// bells counts terminal bells among msgs.
func bells(msgs []tea.Msg) int {
	n := 0
	for _, m := range msgs {
		if r, ok := m.(tea.RawMsg); ok && r.Msg == "\a" {
			n++
		}
	}
	return n
}

// step sends msg and returns the model and the messages of its commands.
func step(t *testing.T, m Model, msg tea.Msg) (Model, []tea.Msg) {
	t.Helper()
	nm, cmd := m.Update(msg)
	return nm.(Model), runCmd(t, cmd)
}

func statusOf(m Model) string { return strings.Split(screen(m), "\n")[0] }

// TestAlertRingsOnceAndClearsAfterAMinute: an alert rings the bell exactly
// once, shows "🔔 text" (sanitised) in the status line and is gone after 60 s
// of the dashboard's clock, cleared by the once-a-second tick.
func TestAlertRingsOnceAndClearsAfterAMinute(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, clk := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
		evil := "IWM/SPY \x1b]52;c;cm0gLXJmIH4=\x07crossed\x1b[2J above its 200-day avg\r\n"
		m, msgs := step(t, m, AlertMsg{Text: evil, At: clk.Now()})
		if n := bells(msgs); n != 1 {
			t.Fatalf("alert rang the bell %d times, want 1 (msgs %v)", n, msgs)
		}
		if st := statusOf(m); !strings.Contains(st, "🔔 IWM/SPY crossed above its 200-day avg") {
			t.Fatalf("alert not in the status line: %q", st)
		}
		for _, bad := range []string{"\x1b]52", "\x07", "\x1b[2J"} {
			if strings.Contains(m.View().Content, bad) {
				t.Fatalf("view contains injected %q", bad)
			}
		}
		for s := 1; s <= 60; s++ {
			clk.Advance(time.Second)
			m, msgs = step(t, m, tickMsg{gen: m.tickGen})
			if n := bells(msgs); n != 0 {
				t.Fatalf("tick %d rang the bell again", s)
			}
			shown := strings.Contains(statusOf(m), "🔔")
			if s < 60 && !shown {
				t.Fatalf("alert gone after %ds, want 60s", s)
			}
			if s == 60 && shown {
				t.Fatalf("alert still shown after 60s: %q", statusOf(m))
			}
		}
		// A second alert rings again, once.
		m, msgs = step(t, m, AlertMsg{Text: "second"})
		if n := bells(msgs); n != 1 {
			t.Fatalf("second alert rang %d times, want 1", n)
		}
		if !strings.Contains(statusOf(m), "🔔 second") {
			t.Fatalf("second alert not shown: %q", statusOf(m))
		}
	})
}

// TestAlertErrorShownWithoutBell: a failure (an alert command, the signal
// log) is reported in the status line as the sender words it, after a
// neutral "⚠", for a minute, without ringing.
func TestAlertErrorShownWithoutBell(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, clk := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
		m, msgs := step(t, m, AlertMsg{Err: "alert command \"notify-send\": exit status 1\x1b[31m: notify-send missing"})
		if n := bells(msgs); n != 0 {
			t.Fatalf("a failed alert command rang the bell %d times", n)
		}
		if st := statusOf(m); !strings.Contains(st, "⚠ alert command \"notify-send\": exit status 1: notify-send missing") {
			t.Fatalf("alert error not shown: %q", st)
		}
		clk.Advance(59 * time.Second)
		m, _ = step(t, m, tickMsg{gen: m.tickGen})
		if !strings.Contains(statusOf(m), "⚠ alert command") {
			t.Fatal("alert error gone before 60s")
		}
		clk.Advance(time.Second)
		m, _ = step(t, m, tickMsg{gen: m.tickGen})
		if strings.Contains(statusOf(m), "⚠ alert command") {
			t.Fatal("alert error still shown after 60s")
		}
		// An empty alert does nothing.
		if _, msgs := step(t, m, AlertMsg{}); len(msgs) != 0 || strings.Contains(statusOf(m), "alert") {
			t.Fatalf("empty alert produced %v", msgs)
		}
	})
}

// TestAlertTruncatedToWidth: a long alert is cut to the room left in the
// status line (the data age, the badge and the session stay), never wrapped.
func TestAlertTruncatedToWidth(t *testing.T) {
	for _, w := range []int{60, 80, 120} {
		m, _ := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: w, Height: 24}, SnapshotMsg{Snap: testSnapshot(1)},
			AlertMsg{Text: "IWM/SPY ratio crossed above its 200-day average at a 20-day high " + strings.Repeat("and more ", 20)})
		st := statusOf(m)
		if got := ansi.StringWidth(st); got != w {
			t.Fatalf("%d: status line is %d cells", w, got)
		}
		want := []string{"DEMO", "12s old", "● open"} // the session outranks the alert (QA-2 M1)
		if w >= 80 {
			want = append(want, "🔔 IWM/SPY", "…")
		}
		for _, want := range want {
			if !strings.Contains(st, want) {
				t.Errorf("%d: status line lacks %q: %q", w, want, st)
			}
		}
	}
}

// TestAlertKeepsSecondTickWhileClosed: while the market is closed the tick
// slows to a minute, but a shown alert brings back the one-second tick so it
// is cleared on time.
func TestAlertKeepsSecondTickWhileClosed(t *testing.T) {
	m, _ := testModelAt(t, Options{}, testAsOf.Add(6*time.Hour)) // 21:30: closed by the clock too
	closed := testSnapshot(1)
	closed.Session.State = "closed"
	m = update(m, SnapshotMsg{Snap: closed})
	if m.tickEvery != time.Minute {
		t.Fatalf("closed market ticks every %v", m.tickEvery)
	}
	nm, cmd := m.Update(AlertMsg{Text: "x"})
	m = nm.(Model)
	if m.tickEvery != time.Second || cmd == nil {
		t.Fatalf("alert while closed: tick every %v, cmd %v", m.tickEvery, cmd != nil)
	}
}

// TestFailureLabelIsNeutral (finding 2): internal/app sends signal-log
// failures through AlertMsg.Err too ("signal log: …"); the status line shows
// the text as sent after "⚠", never calling it a failed alert command.
func TestFailureLabelIsNeutral(t *testing.T) {
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)},
		AlertMsg{Err: "signal log: signals: append: write /x/signals.jsonl: no space left on device"})
	st := statusOf(m)
	if !strings.Contains(st, "⚠ signal log: signals: append: write /x/signals.jsonl: no space left on device") {
		t.Fatalf("signal-log failure not shown as sent: %q", st)
	}
	if strings.Contains(st, "alert command") {
		t.Fatalf("a signal-log failure is labelled as an alert command's: %q", st)
	}
}

// TestAlertMinuteIsWallTime (finding 3): the alert stays up for a minute of
// wall time; the demo's simulated clock (Options.Clock, here racing ahead
// ten minutes per wall second) does not shorten it.
func TestAlertMinuteIsWallTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wall := clock.NewFake(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
		m, feed := testModel(t, Options{Wall: wall})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
		m, _ = step(t, m, AlertMsg{Text: "IWM/SPY above its 200-day average"})
		for s := 1; s <= 60; s++ {
			feed.Advance(10 * time.Minute)
			wall.Advance(time.Second)
			m, _ = step(t, m, tickMsg{gen: m.tickGen})
			shown := strings.Contains(statusOf(m), "🔔 IWM/SPY")
			if s < 60 && !shown {
				t.Fatalf("alert gone after %d wall seconds (%v of feed time)", s, time.Duration(s)*10*time.Minute)
			}
			if s == 60 && shown {
				t.Fatalf("alert still shown after a wall minute: %q", statusOf(m))
			}
		}
	})
}

// TestTickEndsWithProgram (finding 4): the pending tick (a minute long
// while the market is closed) returns at once when the program's context
// ends or the user quits, instead of holding a goroutine until its timer
// fires.
func TestTickEndsWithProgram(t *testing.T) {
	closed := testSnapshot(1)
	closed.Session.State = "closed"
	for _, how := range []string{"context", "quit key"} {
		t.Run(how, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx, cancel := context.WithCancel(t.Context())
				defer cancel()
				m, _ := testModelAt(t, Options{Context: ctx}, testAsOf.Add(6*time.Hour)) // 21:30: closed by the clock too
				nm, cmd := m.Update(SnapshotMsg{Snap: closed})
				m = nm.(Model)
				if m.tickEvery != time.Minute || cmd == nil {
					t.Fatalf("closed market: tick every %v, cmd %v", m.tickEvery, cmd != nil)
				}
				start := time.Now()
				got := make(chan tea.Msg, 1)
				go func() { got <- cmd() }()
				synctest.Wait() // the tick is waiting on its timer
				if how == "context" {
					cancel()
				} else if _, q := m.Update(press("q")); q == nil {
					t.Fatal("q did not quit")
				}
				synctest.Wait()
				select {
				case msg := <-got:
					if msg != nil {
						t.Fatalf("ended tick delivered %#v", msg)
					}
					if d := time.Since(start); d != 0 {
						t.Fatalf("tick ended after %v, want at once", d)
					}
				default:
					t.Fatal("the tick goroutine outlives the program")
				}
			})
		})
	}
}

// TestNoteReplacedAndCleared (QA-1 item 15): the standing note about the
// signal log follows what is true: replaced when the capwatch holding the
// log changes, and once this dashboard records the log, the warning is
// gone and the news is shown without ⚠ (no bell) for a minute of wall
// time, then nothing.
func TestNoteReplacedAndCleared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, clk := testModel(t, Options{Note: "signals not recorded here: another capwatch (pid 30873) records signals-demo.jsonl"})
		m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
		if st := statusOf(m); !strings.Contains(st, "⚠ signals not recorded here: another capwatch (pid 30873)") {
			t.Fatalf("status %q", st)
		}
		m, msgs := step(t, m, NoteMsg{Text: "signals not recorded here: another capwatch (pid 4242) records signals-demo.jsonl"})
		if st := statusOf(m); !strings.Contains(st, "(pid 4242)") || strings.Contains(st, "30873") || bells(msgs) != 0 {
			t.Fatalf("after the holder changed: status %q, %d bells", st, bells(msgs))
		}
		m, msgs = step(t, m, NoteMsg{Text: "signals recorded here now (signals-demo.jsonl)", Info: true})
		st := statusOf(m)
		if !strings.Contains(st, "signals recorded here now") || strings.Contains(st, "⚠") || strings.Contains(st, "4242") || bells(msgs) != 0 {
			t.Fatalf("after taking the log: status %q, %d bells", st, bells(msgs))
		}
		for s := 1; s <= 60; s++ {
			clk.Advance(time.Second)
			m, _ = step(t, m, tickMsg{gen: m.tickGen})
			shown := strings.Contains(statusOf(m), "recorded here now")
			if s < 60 && !shown {
				t.Fatalf("news gone after %ds, want 60s", s)
			}
			if s == 60 && shown {
				t.Fatalf("news still shown after 60s: %q", statusOf(m))
			}
		}
	})
}
