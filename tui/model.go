// Package tui is capwatch's dashboard, a Bubble Tea v2 program. It reads the
// engine's immutable snapshots and the feed's status and draws the ratio
// chart, the breakout flags, the sector heatmap, the quotes, the "Now what?"
// study and a status line that always says how old the data is.
//
// The root Model only routes messages, lays panels out and owns the global
// keys; each panel caches its rendered lines and re-renders only when its
// data, size, focus or styles change. Nothing here does I/O: snapshots and
// feed status arrive as messages (SnapshotMsg, StatusMsg) sent by cmd/.
package tui

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/clock"
)

// Options configure the dashboard.
type Options struct {
	Feed         string        // feed name shown in the status line
	Kind         feeds.Kind    // DEMO / REPLAY badge (none for live; "delayed" when quotes are delayed)
	Clock        clock.Clock   // the data's clock, for ages and countdowns (default clock.Real{}; simulated in demo/replay)
	PollInterval time.Duration // expected data interval: data older than 2× this is marked stale
	Palette      string        // "default" | "colorblind"
	NoColor      bool          // NO_COLOR set: no colours, meaning kept by symbols and words
	ShowNowWhat  bool          // show the "Now what?" panel
	// Location is the zone used to display times (default America/New_York).
	Location *time.Location
	// Wall is the real clock, for how long an alert stays up (default
	// clock.Real{}): a minute of the user's time, whatever the demo speed.
	Wall clock.Clock
	// Context is the program's context (the one given to tea.WithContext):
	// the dashboard's pending tick ends with it or with the quit key, so no
	// timer goroutine outlives the program (default: the quit key only).
	Context context.Context
}

// SnapshotMsg delivers a new engine snapshot (sent by the engine goroutine
// with p.Send).
type SnapshotMsg struct{ Snap *engine.Snapshot }

// StatusMsg delivers a feed status change.
type StatusMsg struct{ Status feeds.Status }

// AlertMsg delivers an alert (sent by cmd/ with p.Send when an alert rule
// fires, or when an alert command or the signal log fails). A non-empty
// Text rings the terminal bell once and shows "🔔 Text" in the status line;
// a non-empty Err shows "⚠ Err" as it is (no bell), so Err should say what
// failed ("alert command …", "signal log: …"). Either stays for a minute of
// wall time (Options.Wall, not the demo's simulated clock) and is cleared
// by the once-a-second tick. Both are sanitised. At is when the alert fired
// (informational: the minute runs from its arrival).
type AlertMsg struct {
	Text string
	Err  string
	At   time.Time
}

// alertShown is how long an alert stays in the status line.
const alertShown = time.Minute

// bell rings the terminal bell (BEL written straight to the terminal).
func bell() tea.Msg { return tea.RawMsg{Msg: "\a"} }

// tickMsg refreshes ages and countdowns. gen drops ticks of an older schedule.
type tickMsg struct{ gen int }

// panel is what every dashboard panel provides: a size (set by the root's
// layout) and its rendered view, cached until its data, size, focus or
// styles change. Panels with keys also have Update(tea.Msg) (*P, tea.Cmd).
type panel interface {
	SetSize(w, h int)
	View() string
}

var (
	_ panel = (*chartPanel)(nil)
	_ panel = (*flagsPanel)(nil)
	_ panel = (*sectorsPanel)(nil)
	_ panel = (*quotesPanel)(nil)
	_ panel = (*nowWhatPanel)(nil)
)

// panelID names a panel (focus order).
type panelID int

const (
	panelChart panelID = iota
	panelFlags
	panelSectors
	panelQuotes
	panelNowWhat
	panelNone
)

// Model is the root dashboard model. Create it with New.
type Model struct {
	opts  Options
	keys  *keyMap
	st    *Styles
	dark  bool
	help  help.Model
	start time.Time
	now   time.Time

	chart   *chartPanel
	flags   *flagsPanel
	sectors *sectorsPanel
	quotes  *quotesPanel
	nowWhat *nowWhatPanel

	snap, pending *engine.Snapshot
	status        feeds.Status
	hasStatus     bool

	paused, showHelp, zoom bool
	focus                  panelID
	w, h                   int

	tickGen   int
	tickEvery time.Duration

	alert      string    // sanitised alert text ("" when none is shown)
	alertErr   string    // sanitised alert or signal-log error ("" when none)
	alertUntil time.Time // wall time the alert is cleared at

	ctx  context.Context // ends the pending tick: the program's context, or quit
	stop context.CancelFunc
}

// New returns the dashboard model. Missing options get defaults: the real
// clock, the default palette, New York time.
func New(opts Options) Model {
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Wall == nil {
		opts.Wall = clock.Real{}
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.Palette != PaletteColorblind {
		opts.Palette = PaletteDefault
	}
	if opts.Location == nil {
		loc, err := time.LoadLocation("America/New_York")
		if err != nil {
			loc = time.FixedZone("ET", -5*3600)
		}
		opts.Location = loc
	}
	opts.Feed = Sanitize(opts.Feed)
	keys := defaultKeyMap()
	st := NewStyles(opts.Palette, true, opts.NoColor)
	m := Model{
		opts: opts, keys: &keys, st: &st, dark: true, help: help.New(),
		start: opts.Clock.Now(),
	}
	m.now = m.start
	m.ctx, m.stop = context.WithCancel(opts.Context)
	m.help.Styles = st.Help
	m.chart = newChartPanel(m.st, m.keys, opts.Location)
	m.flags = newFlagsPanel(m.st)
	m.sectors = newSectorsPanel(m.st, m.keys)
	m.quotes = newQuotesPanel(m.st, m.keys, opts.Location)
	m.nowWhat = newNowWhatPanel(m.st)
	m.tickEvery = m.tickInterval()
	return m
}

// Init asks for the terminal background and starts the age/countdown tick.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.tick(m.tickEvery, m.tickGen))
}

// tick waits d and returns a tick of generation gen, unless the program's
// context ends or the user quits first (then it returns nil at once): unlike
// tea.Tick, a minute's tick does not keep its goroutine after the program.
func (m *Model) tick(d time.Duration, gen int) tea.Cmd {
	ctx := m.ctx
	return func() tea.Msg {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return tickMsg{gen: gen}
		case <-ctx.Done():
			return nil
		}
	}
}

// Update routes messages: size, background, global keys, data, ticks; the
// other keys go to the panels.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		*m.st = NewStyles(m.opts.Palette, m.dark, m.opts.NoColor)
		m.help.Styles = m.st.Help
		m.chart.restyle()
		m.flags.restyle()
		m.sectors.restyle()
		m.quotes.restyle()
		m.nowWhat.restyle()
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case SnapshotMsg:
		if msg.Snap == nil {
			return m, nil
		}
		m.now = m.opts.Clock.Now()
		if m.paused {
			m.pending = msg.Snap
		} else {
			m.apply(msg.Snap)
		}
		return m, m.retune()
	case StatusMsg:
		m.status, m.hasStatus = msg.Status, true
		m.now = m.opts.Clock.Now()
		return m, m.retune()
	case AlertMsg:
		return m.onAlert(msg)
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil // a tick from an older schedule
		}
		m.now = m.opts.Clock.Now()
		if (m.alert != "" || m.alertErr != "") && !m.opts.Wall.Now().Before(m.alertUntil) {
			m.alert, m.alertErr = "", ""
		}
		if cmd := m.retune(); cmd != nil {
			return m, cmd
		}
		return m, m.tick(m.tickEvery, m.tickGen)
	}
	return m, nil
}

// onAlert shows an alert for alertShown and rings the bell once for a
// non-empty Text.
func (m Model) onAlert(a AlertMsg) (tea.Model, tea.Cmd) {
	text, errText := Sanitize(a.Text), Sanitize(a.Err)
	if strings.TrimSpace(text) == "" && strings.TrimSpace(errText) == "" {
		return m, nil
	}
	m.now = m.opts.Clock.Now()
	m.alert, m.alertErr = strings.TrimSpace(text), strings.TrimSpace(errText)
	m.alertUntil = m.opts.Wall.Now().Add(alertShown)
	var ring tea.Cmd
	if m.alert != "" {
		ring = bell
	}
	return m, tea.Batch(ring, m.retune())
}

func (m *Model) apply(s *engine.Snapshot) {
	m.snap = s
	m.chart.SetSnapshot(s)
	m.flags.SetSnapshot(s)
	m.sectors.SetSnapshot(s)
	m.quotes.SetSnapshot(s)
	m.nowWhat.SetSnapshot(s)
}

// retune restarts the tick when the wanted interval changed (a new
// generation makes the pending tick of the old schedule a no-op).
func (m *Model) retune() tea.Cmd {
	d := m.tickInterval()
	if d == m.tickEvery {
		return nil
	}
	m.tickEvery = d
	m.tickGen++
	return m.tick(d, m.tickGen)
}

// tickInterval is once a second, or once a minute while the market is
// closed, the feed is healthy, no alert is shown and nothing is counting
// down in seconds.
func (m *Model) tickInterval() time.Duration {
	if m.snap == nil || m.snap.Session.State != "closed" || m.alert != "" || m.alertErr != "" {
		return time.Second
	}
	if m.hasStatus && m.status.State != feeds.StateOK {
		return time.Second
	}
	return time.Minute
}

func (m Model) handleKey(k tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	keys := m.keys
	switch {
	case key.Matches(k, keys.Quit):
		m.stop() // the pending tick ends now, not when its timer fires
		return m, tea.Quit
	case key.Matches(k, keys.Help):
		m.showHelp = !m.showHelp
		return m, nil
	case m.showHelp && k.Code == tea.KeyEscape:
		m.showHelp = false
		return m, nil
	case key.Matches(k, keys.Pause):
		m.paused = !m.paused
		if !m.paused && m.pending != nil {
			m.apply(m.pending)
			m.pending = nil
		}
		return m, nil
	case key.Matches(k, keys.NextFocus):
		m.focus = m.nextFocus(1)
		return m, nil
	case key.Matches(k, keys.PrevFocus):
		m.focus = m.nextFocus(-1)
		return m, nil
	case key.Matches(k, keys.Zoom):
		m.zoom = !m.zoom
		return m, nil
	}
	var c1, c2, c3 tea.Cmd
	m.chart, c1 = m.chart.Update(k)
	m.sectors, c2 = m.sectors.Update(k)
	m.quotes, c3 = m.quotes.Update(k)
	return m, tea.Batch(c1, c2, c3)
}

func (m Model) nextFocus(d int) panelID {
	n := 4
	if m.opts.ShowNowWhat {
		n = 5
	}
	return panelID((int(m.focus) + d + n) % n)
}

// View draws the dashboard and declares the terminal state.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "capwatch"
	return v
}

// Minimum sizes of the layouts.
const (
	tinyW, tinyH       = 60, 15
	compactW, compactH = 80, 24
	fullW, fullH       = 120, 32
)

// render composes the screen as exactly m.h lines of m.w cells.
func (m Model) render() string {
	w, h := m.w, m.h
	if w <= 0 || h <= 0 {
		return ""
	}
	if w < tinyW || h < tinyH {
		return fit("capwatch: enlarge the pane (at least 60×15)", w)
	}
	stale := m.staleAfter()
	m.quotes.setNow(m.now, stale, m.feedOK())
	lines := make([]string, 0, h)
	lines = append(lines, fit(m.statusLine(w), w))
	tiny := w < compactW || h < compactH
	bh := h - 2
	if tiny {
		bh = h - 1
	}
	switch {
	case m.showHelp:
		lines = append(lines, m.helpScreen(w, bh)...)
	default:
		lines = append(lines, m.body(w, bh, tiny)...)
	}
	if !tiny {
		lines = append(lines, fit(m.help.ShortHelpView(m.keys.ShortHelp()), w))
	}
	return strings.Join(lines, "\n")
}

func (m Model) helpScreen(w, h int) []string {
	body := strings.Split(m.help.FullHelpView(m.keys.FullHelp()), "\n")
	body = append([]string{"", m.st.Muted.Render("Keys (? or esc closes this help)"), ""}, body...)
	body = append(body, "", m.st.Muted.Render("Reading the dashboard"))
	for _, l := range glossary() {
		body = append(body, m.st.Text.Render(l))
	}
	if m.snap != nil && len(m.snap.Errors) > 0 {
		body = append(body, "", m.st.Muted.Render("Symbols without usable data"))
		for _, e := range m.snap.Errors {
			body = append(body, m.st.Bad.Render("✖ "+errorText(e)))
		}
	}
	return frame(m.st, "Help", body, w, h, h >= 3, true)
}

// glossary explains the columns and marks; the help screen lists it under
// the keys.
func glossary() []string {
	return []string{
		"ratio     small-cap ÷ large-cap price: rising means small caps lead",
		"1D chart  09:30 at the left, 16:00 at the right; ┄ is yesterday's close",
		"today     each quote's day on the same clock, filling left to right",
		"rvol      volume ÷ its 20-day average, pace-adjusted during the session",
		"          (today so far vs an average day by this time of day)",
		"flags     ● confirmed on a closed day · ◐ forming on today's live bar · ○ off",
		"          value vs threshold; since = the first day of the current run;",
		"          tab to the flags panel and z (zoom) shows what each flag means",
	}
}

// column is one vertical stack of panels in the layout.
type column struct {
	w     int
	slots []slot
}

type slot struct {
	id panelID
	h  int
}

// layout places the panels for a w×bh body.
func (m Model) layout(w, bh int, tiny bool) (cols []column, bordered bool) {
	nFlags, nSec := 9, 9
	if m.snap != nil {
		nFlags, nSec = max(len(m.snap.Flags), 1), max(len(m.snap.Sectors), 1)
	}
	switch {
	case m.zoom && !tiny:
		return []column{{w, []slot{{m.focus, bh}}}}, w >= fullW && m.h >= fullH
	case tiny:
		ch := 4
		return []column{{w, []slot{{panelChart, ch}, {panelFlags, bh - ch}}}}, false
	case w >= fullW && m.h >= fullH:
		lw := w - min(max(w*45/100, 58), 110) // the left column keeps ≥60 inner cells for the Now what? table
		fh := min(nFlags+2, bh/3)
		nh := 0
		if m.opts.ShowNowWhat {
			// 12 rows fit the sentence and the horizon table; the chart keeps
			// at least 14 rows.
			nh = min(14, max(bh/4, 12))
			if bh-fh-nh < 14 {
				nh = max(bh-fh-14, 3)
			}
		}
		sh := min(nSec+6, bh/2)
		return []column{
			{lw, []slot{{panelChart, bh - fh - nh}, {panelFlags, fh}, {panelNowWhat, nh}}},
			{w - lw, []slot{{panelSectors, sh}, {panelQuotes, bh - sh}}},
		}, true
	}
	lw := w * 55 / 100
	fh := min(nFlags+1, bh/2)
	nh := 0
	if m.opts.ShowNowWhat {
		nh = 3
	}
	sh := min(nSec+3, bh/2)
	return []column{
		{lw, []slot{{panelChart, bh - fh - nh}, {panelFlags, fh}, {panelNowWhat, nh}}},
		{1, []slot{{panelNone, bh}}},
		{w - lw - 1, []slot{{panelSectors, sh}, {panelQuotes, bh - sh}}},
	}, false
}

// body lays the panels out and joins their cached lines row by row.
func (m Model) body(w, bh int, tiny bool) []string {
	cols, bordered := m.layout(w, bh, tiny)
	blocks := make([][]string, len(cols))
	for i, c := range cols {
		var col []string
		for _, s := range c.slots {
			if s.h <= 0 {
				continue
			}
			col = append(col, m.panelLines(s.id, c.w, s.h, bordered, tiny)...)
		}
		blocks[i] = col
	}
	out := make([]string, bh)
	var b strings.Builder
	for r := range out {
		b.Reset()
		for i, c := range cols {
			if r < len(blocks[i]) {
				b.WriteString(blocks[i][r])
			} else {
				b.WriteString(strings.Repeat(" ", c.w))
			}
		}
		out[r] = b.String()
	}
	return out
}

// panelLines sizes a panel and returns its (cached) lines.
func (m Model) panelLines(id panelID, w, h int, bordered, tiny bool) []string {
	focus := m.focus == id && !tiny
	switch id {
	case panelChart:
		m.chart.SetSize(w, h)
		m.chart.setFrame(bordered, focus)
		return m.chart.render()
	case panelFlags:
		m.flags.SetSize(w, h)
		m.flags.setFrame(bordered, focus, tiny)
		return m.flags.render()
	case panelSectors:
		m.sectors.SetSize(w, h)
		m.sectors.setFrame(bordered, focus)
		return m.sectors.render()
	case panelQuotes:
		m.quotes.SetSize(w, h)
		m.quotes.setFrame(bordered, focus)
		return m.quotes.render()
	case panelNowWhat:
		m.nowWhat.SetSize(w, h)
		m.nowWhat.setFrame(bordered, focus)
		return m.nowWhat.render()
	}
	sep := m.st.Border.Render(strings.Repeat("│", w))
	out := make([]string, h)
	for i := range out {
		out[i] = sep
	}
	return out
}
