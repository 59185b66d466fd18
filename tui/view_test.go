package tui

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

const testPoll = 15 * time.Second

// testModel is a dashboard on a fake clock 12 s after the test snapshot.
func testModel(t testing.TB, opts Options) (Model, *clock.Fake) {
	t.Helper()
	return testModelAt(t, opts, testAsOf.Add(12*time.Second))
}

// testModelAt is testModel with the fake clock at now.
func testModelAt(t testing.TB, opts Options, now time.Time) (Model, *clock.Fake) {
	t.Helper()
	clk := clock.NewFake(now)
	if opts.Feed == "" {
		opts.Feed = "demo"
		opts.Kind = feeds.KindDemo
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = testPoll
	}
	opts.Clock = clk
	if opts.Wall == nil {
		opts.Wall = clk // alert tests advance one clock; TestAlertMinuteIsWallTime splits them
	}
	opts.Location = testLoc
	return New(opts), clk
}

func update(m Model, msgs ...tea.Msg) Model {
	for _, msg := range msgs {
		nm, _ := m.Update(msg)
		m = nm.(Model)
	}
	return m
}

func press(s string) tea.KeyPressMsg {
	switch s {
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "pgup":
		return tea.KeyPressMsg{Code: tea.KeyPgUp}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func screen(m Model) string { return ansi.Strip(m.View().Content) }

var sizes = []struct{ w, h int }{{200, 50}, {120, 40}, {80, 24}, {60, 15}}

// TestGolden renders the whole screen and every panel at the four reference
// sizes; the goldens (testdata/TestGolden/<size>/*.golden, ANSI stripped) are
// the spec of what the user sees. Regenerate with -update and review by eye.
func TestGolden(t *testing.T) {
	for _, sz := range sizes {
		t.Run(fmt.Sprintf("%dx%d", sz.w, sz.h), func(t *testing.T) {
			m, _ := testModel(t, Options{ShowNowWhat: true})
			m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)})
			scr := screen(m)
			checkSize(t, scr, sz.w, sz.h)
			t.Run("screen", func(t *testing.T) { golden.RequireEqual(t, scr) })
			panels := map[string]interface{ View() string }{
				"chart": m.chart(), "flags": m.flags(), "sectors": m.sectors(), "quotes": m.quotes(), "nowwhat": m.nowWhat(),
			}
			for name, p := range panels {
				if sz.w < compactW && (name == "sectors" || name == "quotes" || name == "nowwhat") {
					continue // not part of the tiny layout
				}
				t.Run(name, func(t *testing.T) { golden.RequireEqual(t, ansi.Strip(p.View())) })
			}
		})
	}
}

// TestGoldenStates covers the other views: each timeframe, sector modes,
// the help screen, waiting for data, a down feed, and the enlarge message.
func TestGoldenStates(t *testing.T) {
	snap := testSnapshot(1)
	cases := []struct {
		name string
		w, h int
		msgs []tea.Msg
	}{
		{"tf1D", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("1")}},
		{"tf1D_open", 120, 40, []tea.Msg{SnapshotMsg{openingSnapshot(1)}, press("1")}},
		{"tf1D_open_80x24", 80, 24, []tea.Msg{SnapshotMsg{openingSnapshot(1)}, press("1")}},
		{"tf1D_open_60x15", 60, 15, []tea.Msg{SnapshotMsg{openingSnapshot(1)}, press("1")}},
		{"open_200x50", 200, 50, []tea.Msg{SnapshotMsg{openingSnapshot(1)}}},
		{"tf5D", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("2")}},
		{"tf1M", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("3")}},
		{"tf6M", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("4")}},
		{"tf1Y", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("5")}},
		{"sectors_relative_3m", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("r"), press("m"), press("m")}},
		{"quotes_by_change", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("s")}},
		{"help", 120, 40, []tea.Msg{SnapshotMsg{snap}, press("?")}},
		{"waiting", 80, 24, nil},
		{"waiting_feed_down", 80, 24, []tea.Msg{StatusMsg{feeds.Status{Feed: "yahoo", State: feeds.StateDown,
			LastError: "dial tcp: connection refused", NextRetry: testAsOf.Add(42 * time.Second)}}}},
		{"degraded", 160, 45, []tea.Msg{SnapshotMsg{snap}, StatusMsg{feeds.Status{Feed: "demo", State: feeds.StateDegraded,
			LastError: "HTTP 429 rate limited", NextRetry: testAsOf.Add(30 * time.Second), Interval: testPoll}}}},
		{"paused", 80, 24, []tea.Msg{SnapshotMsg{snap}, press("p"), SnapshotMsg{testSnapshot(2)}}},
		{"zoom_sectors", 160, 45, []tea.Msg{SnapshotMsg{snap}, press("tab"), press("tab"), press("tab"), press("z")}},
		{"enlarge", 59, 30, []tea.Msg{SnapshotMsg{snap}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			now := testAsOf.Add(12 * time.Second)
			if strings.HasPrefix(tc.name, "tf1D_open") || strings.HasPrefix(tc.name, "open") {
				now = openingSnapshot(1).AsOf.Add(2 * time.Second)
			}
			m, _ := testModelAt(t, Options{ShowNowWhat: true}, now)
			m = update(m, tea.WindowSizeMsg{Width: tc.w, Height: tc.h})
			m = update(m, tc.msgs...)
			scr := screen(m)
			golden.RequireEqual(t, scr)
		})
	}
}

// checkSize asserts the screen is exactly w×h cells.
func checkSize(t *testing.T, scr string, w, h int) {
	t.Helper()
	lines := strings.Split(scr, "\n")
	if len(lines) != h {
		t.Fatalf("screen has %d lines, want %d", len(lines), h)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, l)
		}
	}
}

// TestFormingAndConfirmedDifferWithoutColour: the state must read from the
// glyph and the word, not from colour.
func TestFormingAndConfirmedDifferWithoutColour(t *testing.T) {
	m, _ := testModel(t, Options{NoColor: true})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)})
	_ = m.View() // lays the panels out
	var confirmed, forming string
	for _, l := range strings.Split(m.flags().View(), "\n") {
		plain := ansi.Strip(l)
		if strings.Contains(plain, flagLabel(engine.FlagRatioAboveSMA200)) {
			confirmed = plain
		}
		if strings.Contains(plain, flagLabel(engine.FlagRatioNewHigh20d)) {
			forming = plain
		}
	}
	if !strings.Contains(confirmed, "●") || !strings.Contains(confirmed, "confirmed") {
		t.Errorf("confirmed flag line lacks ● and the word: %q", confirmed)
	}
	if !strings.Contains(forming, "◐") || !strings.Contains(forming, "forming") {
		t.Errorf("forming flag line lacks ◐ and the word: %q", forming)
	}
	mark := func(s string) string { return strings.Join(strings.Fields(strings.TrimLeft(s, "│ "))[:2], " ") }
	if mark(confirmed) == mark(forming) {
		t.Errorf("confirmed and forming use the same mark %q", mark(confirmed))
	}
}

// sgrColour matches an SGR sequence; colourParams reports colour parameters.
var sgrRE = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

func colourParams(s string) []string {
	var found []string
	for _, m := range sgrRE.FindAllStringSubmatch(s, -1) {
		for _, p := range strings.FieldsFunc(m[1], func(r rune) bool { return r == ';' || r == ':' }) {
			n, _ := strconv.Atoi(p)
			if n >= 30 && n <= 49 || n >= 90 && n <= 107 {
				found = append(found, m[0])
			}
		}
	}
	return found
}

func TestNoColorHasNoColourCodes(t *testing.T) {
	for _, sz := range sizes {
		for _, tf := range []string{"1", "5"} {
			m, _ := testModel(t, Options{NoColor: true, ShowNowWhat: true})
			m = update(m, tea.WindowSizeMsg{Width: sz.w, Height: sz.h}, SnapshotMsg{Snap: testSnapshot(1)}, press(tf),
				StatusMsg{feeds.Status{State: feeds.StateDegraded, LastError: "slow"}})
			if c := colourParams(m.View().Content); len(c) > 0 {
				t.Errorf("%dx%d tf %s: NO_COLOR output has colour codes %q", sz.w, sz.h, tf, c[:min(len(c), 5)])
			}
		}
	}
	// The check itself can fail: the coloured build has colour codes.
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)})
	if len(colourParams(m.View().Content)) == 0 {
		t.Fatal("coloured output has no colour codes: the check is broken")
	}
}

func TestStaleMarker(t *testing.T) {
	for _, tc := range []struct {
		age   time.Duration
		stale bool
	}{{2*testPoll - time.Second, false}, {2*testPoll + time.Second, true}, {10 * time.Minute, true}} {
		m, clk := testModel(t, Options{})
		m = update(m, tea.WindowSizeMsg{Width: 160, Height: 45})
		clk.Advance(testAsOf.Add(tc.age).Sub(clk.Now()))
		m = update(m, SnapshotMsg{Snap: testSnapshot(1)})
		status := strings.Split(screen(m), "\n")[0]
		if got := strings.Contains(status, "STALE"); got != tc.stale {
			t.Errorf("age %v: stale marker %v, want %v: %q", tc.age, got, tc.stale, status)
		}
		if !strings.Contains(status, "data 15:30:00 EST · "+fmtAge(tc.age)+" old") {
			t.Errorf("age %v: status does not show the data time and age: %q", tc.age, status)
		}
	}
}

func TestDegradedBannerClearsOnRecovery(t *testing.T) {
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 160, Height: 45}, SnapshotMsg{Snap: testSnapshot(1)},
		StatusMsg{feeds.Status{Feed: "demo", State: feeds.StateDegraded, LastError: "HTTP 503", NextRetry: testAsOf.Add(40 * time.Second)}})
	status := strings.Split(screen(m), "\n")[0]
	if !strings.Contains(status, "feed degraded (HTTP 503) · retry in 28s") {
		t.Fatalf("no degraded banner with reason and retry: %q", status)
	}
	m = update(m, StatusMsg{feeds.Status{Feed: "demo", State: feeds.StateOK, LastSuccess: testAsOf}})
	if status := strings.Split(screen(m), "\n")[0]; strings.Contains(status, "degraded") || strings.Contains(status, "HTTP 503") {
		t.Fatalf("banner still shown after recovery: %q", status)
	}
}

func TestWaitingThenDown(t *testing.T) {
	m, clk := testModel(t, Options{Feed: "yahoo", Kind: feeds.KindLive})
	m = update(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	clk.Advance(5 * time.Second)
	m = update(m, tickMsg{gen: m.tickGen})
	status := strings.Split(screen(m), "\n")[0]
	if !strings.Contains(status, "waiting for data from yahoo… 5s") {
		t.Fatalf("waiting line: %q", status)
	}
	m = update(m, StatusMsg{feeds.Status{State: feeds.StateDown, LastError: "no route", NextRetry: clk.Now().Add(10 * time.Second)}})
	status = strings.Split(screen(m), "\n")[0]
	if !strings.Contains(status, "feed down · retry in 10s │ no route") {
		t.Fatalf("down feed not reported while waiting: %q", status)
	}
}

func TestCountdownFollowsClock(t *testing.T) {
	m, clk := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 200, Height: 50}, SnapshotMsg{Snap: testSnapshot(1)})
	if s := screen(m); !strings.Contains(s, "closes in 29m48s") {
		t.Fatalf("countdown: %q", strings.Split(s, "\n")[0])
	}
	clk.Advance(10 * time.Minute)
	m = update(m, tickMsg{gen: m.tickGen})
	if s := screen(m); !strings.Contains(s, "closes in 19m48s") {
		t.Fatalf("countdown after 10m: %q", strings.Split(s, "\n")[0])
	}
}

func TestStaleTickDropped(t *testing.T) {
	m, _ := testModelAt(t, Options{}, testAsOf.Add(6*time.Hour)) // 21:30: closed by the clock too
	closed := testSnapshot(1)
	closed.Session.State = "closed"
	gen := m.tickGen
	nm, cmd := m.Update(SnapshotMsg{Snap: closed})
	m = nm.(Model)
	if cmd == nil || m.tickGen == gen || m.tickEvery != time.Minute {
		t.Fatalf("closed market should re-arm a minute tick with a new generation (gen %d→%d, every %v)", gen, m.tickGen, m.tickEvery)
	}
	if _, cmd := m.Update(tickMsg{gen: gen}); cmd != nil {
		t.Fatal("a tick of the old generation re-armed the timer")
	}
	if _, cmd := m.Update(tickMsg{gen: m.tickGen}); cmd == nil {
		t.Fatal("a current tick did not re-arm the timer")
	}
}

func TestPauseKeepsSnapshots(t *testing.T) {
	m, _ := testModel(t, Options{})
	m = update(m, tea.WindowSizeMsg{Width: 120, Height: 40}, SnapshotMsg{Snap: testSnapshot(1)}, press("p"))
	s2 := testSnapshot(2)
	s2.Flags[3].State = engine.FlagConfirmed // 52-week high turns on while paused
	s2.Flags[3].Since = "2026-11-24"
	m = update(m, SnapshotMsg{Snap: s2})
	scr := screen(m)
	if !strings.Contains(scr, "PAUSED") {
		t.Fatal("PAUSED not shown")
	}
	if strings.Contains(scr, "4/9 confirmed") || m.snap.Seq != 1 {
		t.Fatal("display changed while paused")
	}
	m = update(m, press("p"))
	scr = screen(m)
	if strings.Contains(scr, "PAUSED") || !strings.Contains(scr, "4/9 confirmed") {
		t.Fatalf("resume did not show the stored snapshot:\n%s", scr)
	}
}

func TestFocusCycles(t *testing.T) {
	m, _ := testModel(t, Options{})
	for i, want := range []panelID{panelFlags, panelSectors, panelQuotes, panelRotation, panelChart} {
		m = update(m, press("tab"))
		if m.focus != want {
			t.Fatalf("tab %d: focus %v, want %v", i+1, m.focus, want)
		}
	}
	m = update(m, tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift})
	if m.focus != panelRotation {
		t.Fatalf("shift+tab: focus %v, want the rotation map", m.focus)
	}
}

// TestSizeSweep renders every size class from 1×1 to 500×200 (with and
// without data, in each timeframe) and checks nothing panics and the frame is
// exactly the terminal size.
func TestSizeSweep(t *testing.T) {
	snap := testSnapshot(1)
	empty := &engine.Snapshot{Seq: 1, AsOf: testAsOf, Feed: "demo"}
	ws := []int{1, 2, 3, 5, 10, 20, 40, 59, 60, 61, 79, 80, 81, 100, 119, 120, 121, 159, 160, 200, 300, 500}
	hs := []int{1, 2, 3, 5, 10, 14, 15, 16, 23, 24, 25, 31, 32, 40, 45, 50, 100, 200}
	for _, s := range []*engine.Snapshot{snap, empty, nil} {
		m, _ := testModel(t, Options{ShowNowWhat: true})
		if s != nil {
			m = update(m, SnapshotMsg{Snap: s})
		}
		for i, w := range ws {
			for _, h := range hs {
				m = update(m, tea.WindowSizeMsg{Width: w, Height: h}, press(strconv.Itoa(1+(i+h)%5)))
				scr := screen(m)
				checkSize(t, scr, w, h) // the enlarge message too: h lines of w cells
			}
		}
	}
}

func TestPrintScreen(t *testing.T) {
	if os.Getenv("CAPWATCH_SHOW") == "" {
		t.Skip("set CAPWATCH_SHOW=WxH to print a screen")
	}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	var w, h int
	_, _ = fmt.Sscanf(os.Getenv("CAPWATCH_SHOW"), "%dx%d", &w, &h)
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h}, SnapshotMsg{Snap: testSnapshot(1)})
	t.Log("\n" + screen(m))
}

func TestPrintHelp(t *testing.T) {
	if os.Getenv("CAPWATCH_SHOW") == "" {
		t.Skip("set CAPWATCH_SHOW=WxH to print the help screen")
	}
	m, _ := testModel(t, Options{ShowNowWhat: true})
	var w, h int
	_, _ = fmt.Sscanf(os.Getenv("CAPWATCH_SHOW"), "%dx%d", &w, &h)
	m = update(m, tea.WindowSizeMsg{Width: w, Height: h}, SnapshotMsg{Snap: testSnapshot(1)}, press("?"))
	t.Log("\n" + screen(m))
}
