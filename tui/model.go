// Package tui is capwatch's dashboard, a Bubble Tea v2 program. It reads the
// engine's immutable snapshots and the feed's status and draws the ratio
// chart, the breakout flags, the sector heatmap, the quotes, the "Now what?"
// study and a status line that always says how old the data is.
//
// The root Model only routes messages, lays panels out and owns the global
// keys. Panels sit behind one interface (panel) with a shared base (size,
// frame, focus, render cache) in a registry indexed by panelID; each caches
// its rendered lines and re-renders only when its data, size, focus or
// styles change. Layout, sizes and rendering happen in Update; View only
// hands over the composed screen. Nothing here does I/O: snapshots and feed
// status arrive as messages (SnapshotMsg, StatusMsg) sent by cmd/.
//
// Strings are printed as they arrive: every string in a snapshot or a feed
// status is terminal-safe already, because feeds.Sanitized cleans what a
// feed supplies at the one feed → engine boundary (internal/app,
// internal/dashboard), the config rejects control characters (symbols,
// sector names) and the engine only composes those. A caller that builds
// SnapshotMsg or StatusMsg itself must keep that invariant. AlertMsg is
// the exception: it is cleaned on arrival (an alert command's error may
// carry its output).
package tui

import (
	"context"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Options configure the dashboard.
type Options struct {
	Feed         string        // feed name shown in the status line
	Kind         feeds.Kind    // DEMO / REPLAY badge (none for live; "delayed" when quotes are delayed)
	Clock        clock.Clock   // the data's clock, for ages and countdowns (default clock.Real{}; simulated in demo/replay)
	PollInterval time.Duration // expected data interval: data older than 2× this is marked stale
	// Speed is the demo's simulated seconds per wall second (0 or 1: real
	// time): the badge says "DEMO ×600", as ages are on the demo's clock.
	Speed       float64
	Palette     string // "default" | "colorblind"
	NoColor     bool   // NO_COLOR set: no colours, meaning kept by symbols and words
	ShowNowWhat bool   // show the "Now what?" panel
	ShowBreadth bool   // show the breadth panel (a members list or a confirmation strip is configured)
	// Pairs are the pairs the pair key (P) cycles through, the configured
	// one first; OnPair asks for one (the pipeline switches the engine).
	// Fewer than two pairs, or no OnPair: no pair key.
	Pairs  []engine.PairChoice
	OnPair func(engine.PairChoice)
	// Location is the zone used to display times (default America/New_York).
	Location *time.Location
	// Wall is the real clock, for how long an alert stays up (default
	// clock.Real{}): a minute of the user's time, whatever the demo speed.
	Wall clock.Clock
	// Note is a standing note for the status line (sanitised), e.g.
	// "signals not recorded here: another capwatch (pid 4242) records
	// signals.jsonl"; shown while the dashboard runs ("" : none).
	Note string
	// Start is the feed's first live time (the demo's simulated open;
	// zero: none). A snapshot taken before it holds only the history the
	// feed loaded — the previous close, on a clock about to jump to Start —
	// so until the first snapshot at or after Start the dashboard shows
	// none and says it is waiting for the first quotes, instead of a state
	// the next second contradicts.
	Start time.Time
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
	// Flags are the flags behind Text and the state each rang for (flag
	// ID → "confirmed", "forming", "fading"). The alert is cleared before
	// its minute when a shown snapshot has one of them in another state: a
	// fast replay or demo moves on in seconds, and "🔔 … confirmed" beside a
	// flag already off is untrue (QA-3 F6).
	Flags map[string]string
}

// NoteMsg replaces the status line's standing note (Options.Note), e.g.
// when the capwatch that holds the signal log changed. Info: the text is
// news, not a warning (e.g. "signals recorded here now"): it is shown
// without ⚠ for a minute of wall time, like an alert, then the note is
// gone. An empty Text clears the note. The text is sanitised.
type NoteMsg struct {
	Text string
	Info bool
}

// alertShown is how long an alert stays in the status line.
const alertShown = time.Minute

// bell rings the terminal bell (BEL written straight to the terminal).
func bell() tea.Msg { return tea.RawMsg{Msg: "\a"} }

// tickMsg refreshes ages and countdowns. gen drops ticks of an older schedule.
type tickMsg struct{ gen int }

// Model is the root dashboard model. Create it with New.
type Model struct {
	opts  Options
	keys  *keyMap
	st    *Styles
	cal   *calendar.Calendar
	dark  bool
	help  help.Model
	start time.Time
	now   time.Time // the data's clock (Options.Clock), set in Update
	today time.Time // the user's wall clock (Options.Wall), set in Update: what "today" is

	// panels is the registry, indexed by panelID (nil: not shown, e.g. the
	// "Now what?" panel when it is off).
	panels [panelCount]panel

	snap, pending *engine.Snapshot
	// early is the latest snapshot before Options.Start, held back while
	// nothing is shown (the status line says the history is in).
	early *engine.Snapshot
	// wallStart is when the dashboard started on the wall clock (the
	// "waiting … 3s" count: the user's seconds, whatever the feed's clock).
	wallStart time.Time
	status    feeds.Status
	hasStatus bool

	paused, showHelp, zoom bool
	// autoZoom: the zoom is tab's, showing a panel without a place at
	// this size (tabTo); z or a tab to a placed panel ends it.
	autoZoom bool
	// helpView scrolls the help screen (its content and size are set in
	// Update, by relayout, while the help is shown).
	helpView viewport.Model
	// wantPair is the pair asked for with the pair key until a snapshot of
	// it arrives (the status line says "→ IWM/QQQ…" meanwhile).
	wantPair engine.PairChoice
	focus    panelID
	w, h     int

	// The layout (set in Update) and the screen composed from it.
	lay    layout
	screen string
	// The key line for a width (cached: it changes only with the width and
	// the styles).
	keyLineW    int
	keyLineHelp bool // the cached line is the help screen's
	keyLineText string

	// noteInfo: the note (opts.Note) is news shown until noteUntil (wall
	// time), not a standing warning (NoteMsg).
	noteInfo  bool
	noteUntil time.Time

	tickGen   int
	tickEvery time.Duration

	alert      string            // sanitised alert text ("" when none is shown)
	alertErr   string            // sanitised alert or signal-log error ("" when none)
	alertUntil time.Time         // wall time the alert is cleared at
	alertFlags map[string]string // AlertMsg.Flags of the alert shown

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
	opts.Note = termsafe.Strip(opts.Note) // a message of ours (paths, errors), not from a feed
	keys := defaultKeyMap()
	if len(opts.Pairs) < 2 || opts.OnPair == nil {
		keys.NextPair.SetEnabled(false)
	}
	st := NewStyles(opts.Palette, true, opts.NoColor)
	m := Model{
		opts: opts, keys: &keys, st: &st, cal: calendar.NYSE(), dark: true, help: help.New(),
		start: opts.Clock.Now(), wallStart: opts.Wall.Now(),
	}
	m.now = m.start
	m.ctx, m.stop = context.WithCancel(opts.Context)
	m.help.Styles = st.Help
	m.helpView = newHelpView(&keys)
	m.register()
	m.tickEvery = m.tickInterval()
	return m
}

// register builds the panels shown with these options.
func (m *Model) register() {
	m.panels[panelChart] = newChartPanel(m.st, m.keys, m.opts.Location)
	m.panels[panelFlags] = newFlagsPanel(m.st)
	m.panels[panelSectors] = newSectorsPanel(m.st, m.keys)
	m.panels[panelQuotes] = newQuotesPanel(m.st, m.keys, m.opts.Location, m.cal)
	if m.opts.ShowNowWhat {
		m.panels[panelNowWhat] = newNowWhatPanel(m.st)
	}
	if m.opts.ShowBreadth {
		m.panels[panelBreadth] = newBreadthPanel(m.st)
	}
	m.panels[panelRotation] = newRotationPanel(m.st, m.keys)
}

// each calls f for every registered panel, in focus order.
func (m *Model) each(f func(id panelID, p panel)) {
	for id, p := range m.panels {
		if p != nil {
			f(panelID(id), p)
		}
	}
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

// Update routes the message, then lays the panels out for the new state
// and composes the screen: sizes, frames and rendering happen here, so View
// only hands the composed screen over.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m, cmd := m.route(msg)
	m.relayout()
	return m, cmd
}

// route handles size, background, global keys, data and ticks; the other
// keys go to the panels.
func (m Model) route(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		return m, nil
	case tea.BackgroundColorMsg:
		m.dark = msg.IsDark()
		*m.st = NewStyles(m.opts.Palette, m.dark, m.opts.NoColor)
		m.help.Styles = m.st.Help
		m.keyLineText = ""
		m.each(func(_ panelID, p panel) { p.base().invalidate() })
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case SnapshotMsg:
		if msg.Snap == nil {
			return m, nil
		}
		if m.beforeStart(msg.Snap) {
			m.early = msg.Snap
			return m, nil
		}
		m.early = nil
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
	case NoteMsg:
		m.opts.Note, m.noteInfo = strings.TrimSpace(termsafe.Strip(msg.Text)), msg.Info && msg.Text != ""
		if m.noteInfo {
			m.noteUntil = m.opts.Wall.Now().Add(alertShown)
		}
		return m, m.retune()
	case tickMsg:
		if msg.gen != m.tickGen {
			return m, nil // a tick from an older schedule
		}
		m.now = m.opts.Clock.Now()
		if (m.alert != "" || m.alertErr != "") && !m.opts.Wall.Now().Before(m.alertUntil) {
			m.alert, m.alertErr = "", ""
		}
		if m.noteInfo && !m.opts.Wall.Now().Before(m.noteUntil) {
			m.opts.Note, m.noteInfo = "", false
		}
		if cmd := m.retune(); cmd != nil {
			return m, cmd
		}
		return m, m.tick(m.tickWait(m.tickEvery), m.tickGen)
	}
	return m, nil
}

// onAlert shows an alert for alertShown and rings the bell once for a
// non-empty Text.
func (m Model) onAlert(a AlertMsg) (Model, tea.Cmd) {
	// Alerts are their own boundary: an alert command's error may carry its
	// output. Everything else arrives clean (see the package comment).
	text, errText := termsafe.Strip(a.Text), termsafe.Strip(a.Err)
	if strings.TrimSpace(text) == "" && strings.TrimSpace(errText) == "" {
		return m, nil
	}
	m.now = m.opts.Clock.Now()
	m.alert, m.alertErr = strings.TrimSpace(text), strings.TrimSpace(errText)
	m.alertUntil = m.opts.Wall.Now().Add(alertShown)
	m.alertFlags = a.Flags
	var ring tea.Cmd
	if m.alert != "" {
		ring = bell
	}
	return m, tea.Batch(ring, m.retune())
}

// beforeStart reports whether s is a snapshot of the history alone, taken
// before the feed's first live time (Options.Start), while nothing is shown
// yet: it is held back (see Options.Start).
func (m *Model) beforeStart(s *engine.Snapshot) bool {
	return m.snap == nil && m.pending == nil && !m.opts.Start.IsZero() && !s.Now.IsZero() && s.Now.Before(m.opts.Start)
}

func (m *Model) apply(s *engine.Snapshot) {
	m.snap = s
	if m.wantPair == (engine.PairChoice{Small: s.Pair.Small, Large: s.Pair.Large}) {
		m.wantPair = engine.PairChoice{}
	}
	m.each(func(_ panelID, p panel) { p.SetSnapshot(s) })
	if m.alert != "" && m.alertMoved(s) {
		m.alert, m.alertFlags = "", nil // an alert error stays its minute
	}
}

// alertMoved reports whether a flag behind the alert shown is in another
// state in s than the one it rang for. Alerts are of the pair the
// dashboard started with (the first of Options.Pairs): a snapshot of
// another pair (after P) says nothing about them, even where its flags
// have the same IDs (QA-4 N5).
func (m *Model) alertMoved(s *engine.Snapshot) bool {
	if len(m.opts.Pairs) > 0 && (engine.PairChoice{Small: s.Pair.Small, Large: s.Pair.Large}) != m.opts.Pairs[0] {
		return false
	}
	for _, f := range s.Flags {
		if to, ok := m.alertFlags[f.ID]; ok && f.State.String() != to {
			return true
		}
	}
	return false
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
	return m.tick(m.tickWait(d), m.tickGen)
}

// tickWait is how long the next tick waits: every, except that a minute's
// wait ends at the session's next change when that comes sooner, so the
// session word turns at 04:00 (and 09:30) on the dot, with its countdown,
// not up to a minute late.
func (m *Model) tickWait(every time.Duration) time.Duration {
	if every < time.Minute || m.now.IsZero() {
		return every
	}
	if _, next := m.cal.NextChange(m.now); next.After(m.now) && next.Sub(m.now) < every {
		return next.Sub(m.now)
	}
	return every
}

// tickInterval is once a second, or once a minute while the market is
// closed, the feed is healthy, no alert is shown and nothing is counting
// down in seconds.
func (m *Model) tickInterval() time.Duration {
	if m.snap == nil || m.sessionState() != "closed" || m.alert != "" || m.alertErr != "" || m.noteInfo {
		return time.Second
	}
	if m.hasStatus && m.status.State != feeds.StateOK {
		return time.Second
	}
	return time.Minute
}

func (m Model) handleKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	keys := m.keys
	switch {
	case key.Matches(k, keys.Quit):
		m.stop() // the pending tick ends now, not when its timer fires
		return m, tea.Quit
	case key.Matches(k, keys.Help):
		m.showHelp = !m.showHelp
		m.helpView.GotoTop() // the help opens at its top: the data's problems, then the keys
		return m, nil
	case m.showHelp && key.Matches(k, keys.CloseHelp):
		m.showHelp = false
		return m, nil
	case m.showHelp && m.scrollHelp(k):
		return m, nil
	case key.Matches(k, keys.Pause):
		m.paused = !m.paused
		if !m.paused && m.pending != nil {
			m.apply(m.pending)
			m.pending = nil
		}
		return m, nil
	case key.Matches(k, keys.NextFocus):
		m.tabTo(m.nextFocus(1))
		return m, nil
	case key.Matches(k, keys.PrevFocus):
		m.tabTo(m.nextFocus(-1))
		return m, nil
	case key.Matches(k, keys.Zoom):
		m.zoom, m.autoZoom = !m.zoom, false
		return m, nil
	case key.Matches(k, keys.NextPair) && m.canSwitchPair():
		return m, m.nextPair()
	}
	var cmds []tea.Cmd
	m.each(func(_ panelID, p panel) { cmds = append(cmds, p.Update(k)) })
	return m, tea.Batch(cmds...)
}

// focusOrder is the order tab walks the panels: the unzoomed layout's
// reading order at the current size (each column top to bottom, left
// column first), then the panels without a place there (shown zoomed), in
// their ID order.
func (m Model) focusOrder() []panelID {
	var order []panelID
	var seen [panelCount]bool
	add := func(id panelID) {
		if id < panelCount && m.panels[id] != nil && !seen[id] {
			seen[id] = true
			order = append(order, id)
		}
	}
	if m.w >= tinyW && m.h >= tinyH {
		m.zoom = false
		for _, c := range m.arrange(m.w, m.h).cols {
			for _, s := range c.slots {
				if s.h > 0 {
					add(s.id)
				}
			}
		}
	}
	for id := range panelCount {
		add(id)
	}
	return order
}

// nextFocus is the d-th panel after the focused one in focusOrder
// (cyclic): tab reaches every panel at any size (tabTo zooms one without a
// place).
func (m Model) nextFocus(d int) panelID {
	order := m.focusOrder()
	if len(order) == 0 {
		return m.focus
	}
	i := slices.Index(order, m.focus)
	if i < 0 && d < 0 {
		i = 0
	}
	return order[((i+d)%len(order)+len(order))%len(order)]
}

// nextShown is the next panel after the focused one, in focusOrder, that
// has a place in the layout (the focus when the pane shrank under the
// focused panel).
func (m Model) nextShown() panelID {
	order := m.focusOrder()
	i := slices.Index(order, m.focus)
	for k := 1; k <= len(order); k++ {
		id := order[(i+k+len(order))%len(order)]
		if len(m.lay.cols) == 0 || m.lay.shown(id) {
			return id
		}
	}
	return m.focus
}

// tabTo focuses panel id. While the user has zoomed (z), tab walks the
// panels zoomed. Otherwise a panel without a place at this size (the
// rotation map below ~160×46) is shown zoomed, and tabbing on to a panel
// with a place returns to the dashboard.
func (m *Model) tabTo(id panelID) {
	m.focus = id
	if m.zoom && !m.autoZoom {
		return
	}
	placed := m.placed(id)
	m.zoom, m.autoZoom = !placed, !placed
}

// placed reports whether panel id has a place in the unzoomed layout at
// the current size (true before the size is known).
func (m Model) placed(id panelID) bool {
	if m.w < tinyW || m.h < tinyH {
		return true
	}
	m.zoom = false
	return m.arrange(m.w, m.h).shown(id)
}

// View hands over the screen composed in Update and declares the terminal
// state.
func (m Model) View() tea.View {
	v := tea.NewView(m.screen)
	v.AltScreen = true
	v.WindowTitle = "capwatch"
	return v
}

// canSwitchPair reports whether the pair key does something.
func (m Model) canSwitchPair() bool { return len(m.opts.Pairs) > 1 && m.opts.OnPair != nil }

// nextPair asks for the pair after the one shown (or after the one asked
// for, when a switch is under way).
func (m *Model) nextPair() tea.Cmd {
	cur := m.wantPair
	if cur == (engine.PairChoice{}) && m.snap != nil {
		cur = engine.PairChoice{Small: m.snap.Pair.Small, Large: m.snap.Pair.Large}
	}
	i := 0
	for j, p := range m.opts.Pairs {
		if p == cur {
			i = j + 1
			break
		}
	}
	pc := m.opts.Pairs[i%len(m.opts.Pairs)]
	m.wantPair = pc
	on := m.opts.OnPair
	return func() tea.Msg {
		on(pc)
		return nil
	}
}
