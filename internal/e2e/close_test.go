package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestDemoBreakoutConfirmsAtTheClose runs the demo's breakout day to its
// end at 200×50 (a batch per simulated minute): through the afternoon the
// ratio flags are forming on the live bar, since the breakout day, with
// their meaning beside them; once the day has closed (the demo jumps to the
// next day's open) they are confirmed, still since the breakout day.
func TestDemoBreakoutConfirmsAtTheClose(t *testing.T) {
	base, _ := goroutines()
	r := newRig(t, 200, 50, rigOptions{step: time.Minute})
	r.waitFor(t, []string{"DEMO", "waiting for data from demo"})
	r.startPipeline()
	r.awaitStream(t)
	// 200×50 (the wide tmux pane): every panel filled once the history is in.
	r.waitFor(t, []string{
		"data 09:30:00 EST", "Ratio IWM ÷ SPY", "Breakout flags 0/9 confirmed ─",
		"Sectors small vs large", "Quotes by watchlist", "Now what? past breakouts",
	}, "no data yet")

	day := demoStart.Format(time.DateOnly)
	r.advance(t, 389) // 09:30 + 389 min = 15:59, the last batch of the day
	scr := r.waitFor(t, []string{
		"data 15:59:00 EST", "closes in 1m00s", "Breakout flags 0/9 confirmed, ",
		"◐ forming   Ratio > 50-day avg", "◐ forming   Ratio 20-day high",
	})
	for _, name := range []string{"Ratio > 50-day avg", "Ratio 20-day high"} {
		if st := checkFlag(t, scr, name); st != "forming" {
			t.Errorf("%s is %s at 15:59, want forming", name, st)
		}
		if l := flagLine(scr, name); !strings.Contains(l, "since "+day) || !strings.Contains(l, "IWM/SPY above its") {
			t.Errorf("%s: the line %q lacks its since date %s or its meaning", name, l, day)
		}
	}

	r.advance(t, 1) // the close; the demo opens the next trading day
	next := time.Date(2026, 11, 25, 9, 30, 0, 0, demoStart.Location())
	scr = r.waitFor(t, []string{
		"data Wed Nov 25 09:30 EST", "● open · closes in 6h30m", // the demo's next day is not the wall clock's today
		"● confirmed Ratio > 50-day avg", "● confirmed Ratio 20-day high",
	}, "0/9 confirmed", "◐ forming   Ratio > 50-day avg", "◐ forming   Ratio 20-day high")
	for _, name := range []string{"Ratio > 50-day avg", "Ratio 20-day high"} {
		if l := flagLine(scr, name); !strings.Contains(l, "since "+day) {
			t.Errorf("%s on %s: the line %q does not date it from the breakout day %s", name, next.Format(time.DateOnly), l, day)
		}
	}
	r.quit(t)
	checkGoroutines(t, base)
}

// flagLine returns the screen line of the named flag (trimmed), or "".
func flagLine(scr, name string) string {
	for _, l := range strings.Split(scr, "\n") {
		if i := strings.Index(l, name); i > 0 && strings.ContainsAny(l[:i], "●◐○") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
