package tui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/tui/breadth"
	"github.com/capwatch/capwatch/tui/nowwhat"
	"github.com/charmbracelet/x/ansi"
)

// Minimum sizes of the layouts: below tinyW×tinyH the dashboard asks for a
// larger pane; from compactW columns the panels sit in two columns; from
// fullW×fullH they are boxed.
const (
	tinyW, tinyH = 60, 15
	compactW     = 80
	fullW, fullH = 120, 32
)

// layout is where the panels are: columns of stacked slots, chosen in
// Update for the terminal size, the zoom and the data's row counts.
type layout struct {
	cols     []column
	bordered bool // panels are boxed
	keys     bool // the key line is shown under the panels
}

// shown reports whether panel id has a place in the layout.
func (l layout) shown(id panelID) bool {
	for _, c := range l.cols {
		for _, s := range c.slots {
			if s.id == id && s.h > 0 {
				return true
			}
		}
	}
	return false
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

// relayout places the panels for the current state, renders the ones whose
// content or place changed and composes the screen. It runs at the end of
// every Update.
func (m *Model) relayout() {
	m.lay, m.screen = layout{}, ""
	m.today = m.opts.Wall.Now().In(m.opts.Location)
	w, h := m.w, m.h
	if w <= 0 || h <= 0 {
		return
	}
	if w < tinyW || h < tinyH {
		m.screen = strings.Join(tooSmall(w, h), "\n")
		return
	}
	stale, ok := m.staleAfter(), m.feedOK()
	m.each(func(_ panelID, p panel) {
		if c, is := p.(clocked); is {
			c.setNow(m.now, stale, ok)
		}
		if n, is := p.(interface{ setNewest(*engine.Snapshot) }); is {
			n.setNewest(m.pending)
		}
	})
	if m.autoZoom && m.placed(m.focus) {
		m.zoom, m.autoZoom = false, false // the pane grew: the panel has its place now
	}
	m.lay = m.arrange(w, h)
	if !m.lay.shown(m.focus) && !m.zoom {
		m.focus = m.nextShown() // the focused panel has no place at this size
	}
	if !m.showHelp {
		for _, c := range m.lay.cols {
			for _, s := range c.slots {
				if s.id == panelNone || s.h <= 0 || m.panels[s.id] == nil {
					continue
				}
				if z, ok := m.panels[s.id].(interface{ setZoomed(bool) }); ok {
					z.setZoomed(m.zoom)
				}
				b := m.panels[s.id].base()
				b.place(c.w, s.h, m.lay.bordered, m.focus == s.id)
				b.render()
			}
		}
	}
	m.screen = m.compose(w, h-1-btoi(m.lay.keys))
}

// tooSmall is the screen of a pane below tinyW×tinyH: the size needed, in
// the longest form that fits the pane whole (wrapped at spaces over its
// lines, never cut), down to "60×15"; h lines of w cells.
func tooSmall(w, h int) []string {
	need := fmt.Sprintf("%d×%d", tinyW, tinyH)
	forms := []string{
		fmt.Sprintf("capwatch: enlarge the pane to at least %s (now %d×%d)", need, w, h),
		"capwatch: enlarge the pane to at least " + need,
		"capwatch needs at least " + need,
		"capwatch needs " + need,
		"need " + need,
		"≥" + need,
		need,
	}
	for _, f := range forms {
		lines := strings.Split(ansi.Wordwrap(f, w, ""), "\n")
		if len(lines) > h {
			continue
		}
		fits := true
		for _, l := range lines {
			fits = fits && ansi.StringWidth(l) <= w
		}
		if fits {
			return fitLines(lines, w, h)
		}
	}
	return fitLines([]string{need}, w, h) // cut by fit: not even "60×15" fits
}

// compose joins the status line, the panels' cached lines (or the help
// screen) and the key line into exactly m.h lines of m.w cells.
func (m *Model) compose(w, bh int) string {
	lines := make([]string, 0, m.h)
	lines = append(lines, fit(m.statusLine(w), w))
	if m.showHelp {
		lines = append(lines, m.helpScreen(w, bh)...)
	} else {
		lines = append(lines, m.body(w, bh)...)
	}
	if m.lay.keys {
		lines = append(lines, fit(m.keyLine(w), w))
	}
	return strings.Join(lines, "\n")
}

// helpScreen lists, in a scrollable frame (helpView), a one-line count of
// the data's problems, every key (the root's, then each panel's under its
// name, then the help's own scroll keys, blocks side by side while they
// fit), the problems themselves (each symbol error and notice, wrapped)
// and the glossary. The keys come first so quit is never pushed off the
// first page, not even by 28 symbol errors.
func (m *Model) helpScreen(w, h int) []string {
	hv := m.help
	hv.SetWidth(0) // blocks are placed here; the help bubble must not drop columns
	type group struct {
		title string
		keys  []key.Binding
	}
	groups := []group{{"dashboard", m.keys.Global()}}
	m.each(func(id panelID, p panel) {
		if b := p.Bindings(); len(b) > 0 {
			groups = append(groups, group{panelNames[id], b})
		}
	})
	groups = append(groups, group{"this help", m.keys.HelpScroll()})
	inner := w - 2
	bordered := h >= 3
	vw, vh := inner, h-2 // the help's viewport
	if !bordered || w < 4 {
		vw, vh = w, h-1
	}
	const gap = 4
	var body []string
	var row [][]string
	rowW := 0
	flush := func() {
		n := 0
		for _, b := range row {
			n = max(n, len(b))
		}
		for i := range n {
			var line strings.Builder
			for j, b := range row {
				if j > 0 {
					line.WriteString(strings.Repeat(" ", gap))
				}
				cell := ""
				if i < len(b) {
					cell = b[i]
				}
				if j < len(row)-1 {
					cell = fit(cell, blockW(b))
				}
				line.WriteString(cell)
			}
			body = append(body, line.String())
		}
		row, rowW = nil, 0
	}
	for _, g := range groups {
		keys := make([]key.Binding, 0, len(g.keys))
		for _, b := range g.keys {
			if b.Enabled() { // e.g. the pair key without pairs to cycle
				keys = append(keys, allKeys(b))
			}
		}
		block := append([]string{m.st.Muted.Render(g.title)}, strings.Split(hv.FullHelpView([][]key.Binding{keys}), "\n")...)
		bw := blockW(block)
		if len(row) > 0 && rowW+gap+bw > inner {
			flush()
			body = append(body, "")
		}
		if len(row) > 0 {
			rowW += gap
		}
		row, rowW = append(row, block), rowW+bw
	}
	flush()
	body = append([]string{m.st.Muted.Render("Keys (? or esc closes this help)"), ""}, body...)
	// What is wrong with the data: counted on the first line, listed under
	// the keys, wrapped so every file and line is readable in a small pane.
	if sum := m.problemCount(max(vw, 1)); sum != "" {
		body = append([]string{sum}, body...)
	}
	body = append(body, m.dataProblems(inner)...)
	body = append(body, "", m.st.Muted.Render("Reading the dashboard"))
	for _, l := range glossaryLines(inner) {
		body = append(body, m.st.Text.Render(l))
	}
	m.helpView.SetWidth(max(vw, 1))
	m.helpView.SetHeight(max(vh, 1))
	m.helpView.SetContentLines(body)
	return frame(m.st, m.helpTitle(), strings.Split(m.helpView.View(), "\n"), w, h, bordered, true)
}

// problemCount is the help screen's first line when the data has
// problems: how many symbol errors and notices are listed under the keys
// ("" when none), in the longest form that fits w cells whole, so the keys
// that reach the list stay on the line: "✖ 3 symbol errors, 2 notices, 2
// members without data, 1 with rows skipped: listed under the keys (↓/j,
// pgdn/space, G)", then shorter hints ("…: under the keys (↓/j, G)", "… ↓/j
// G"), then shorter counts ("✖ 3 errors, 2 notices, 2 members no data, 1
// skipped"), then the counts cut with … before the hint.
func (m *Model) problemCount(w int) string {
	if m.snap == nil {
		return ""
	}
	hints := []string{": listed under the keys (↓/j, pgdn/space, G)", ": under the keys (↓/j, G)", " ↓/j G"}
	long, short := memberProblemCount(m.snap.BreadthLoad, false), memberProblemCount(m.snap.BreadthLoad, true)
	var counts []string // the counts, longest first
	sty := m.st.Bad
	e, n := len(m.snap.Errors), len(m.snap.Notices)
	switch {
	case e+n == 0 && breadth.Failed(m.snap.BreadthLoad) != "":
		hints[0], hints[1] = ": the cause is under the keys (↓/j, pgdn/space, G)", ": the cause is under the keys (↓/j, G)"
		counts = []string{"✖ breadth not loaded"}
	case e+n == 0 && long == "":
		return ""
	case e == 0 && n == 0:
		counts, sty = []string{"⚠ " + long, "⚠ " + short}, m.st.Warn
	default:
		if e == 0 {
			sty = m.st.Warn
		}
		counts = []string{problemWords(e, n, false), problemWords(e, n, true)}
		if long != "" {
			counts[0] += ", " + long
			counts[1] += ", " + short
		}
	}
	for _, c := range counts {
		for _, h := range hints {
			if ansi.StringWidth(c+h) <= w {
				return sty.Render(c) + m.st.Muted.Render(h)
			}
		}
	}
	h := hints[len(hints)-1]
	c := ansi.Truncate(counts[len(counts)-1], max(w-ansi.StringWidth(h), 2), "…")
	return sty.Render(c) + m.st.Muted.Render(h)
}

// problemWords counts e symbol errors and n notices: "✖ 2 symbol errors, 1
// notice" (short: "✖ 2 errors, 1 notice"); ⚠ without errors.
func problemWords(e, n int, short bool) string {
	errWord := "symbol error"
	if short {
		errWord = "error"
	}
	switch {
	case e == 0:
		return "⚠ " + plural(n, "notice")
	case n == 0:
		return "✖ " + plural(e, errWord)
	}
	return "✖ " + plural(e, errWord) + ", " + plural(n, "notice")
}

// glossaryIndent is the width of the glossary's first column.
const glossaryIndent = 10

// blockW is the width of the widest line of a block.
func blockW(lines []string) int {
	w := 0
	for _, l := range lines {
		w = max(w, ansi.StringWidth(l))
	}
	return w
}

// dataProblems lists the snapshot's symbol errors and notices for the help
// screen, each wrapped to w cells (none: no lines).
func (m Model) dataProblems(w int) []string {
	if m.snap == nil {
		return nil
	}
	var out []string
	add := func(title string, sty lipgloss.Style, lines []string) {
		if len(lines) == 0 {
			return
		}
		out = append(out, "", m.st.Muted.Render(title))
		for _, l := range lines {
			for _, wl := range strings.Split(ansi.Wrap(l, max(w, 20), " /"), "\n") {
				out = append(out, sty.Render(wl))
			}
		}
	}
	var errs, notes []string
	for _, g := range groupErrors(m.snap.Errors) { // a shared cause once, with its symbols
		errs = append(errs, "✖ "+g.full())
	}
	for _, n := range m.snap.Notices {
		notes = append(notes, "⚠ "+noticeText(n))
	}
	add("Symbols without usable data", m.st.Bad, errs)
	add("Notices about the data", m.st.Warn, notes)
	if e := breadth.Failed(m.snap.BreadthLoad); e != "" {
		add("Breadth", m.st.Bad, []string{"✖ " + e})
	}
	if l := m.snap.BreadthLoad; l != nil {
		var failed, skipped []string
		for _, x := range l.FailedLines() {
			failed = append(failed, "✖ "+x)
		}
		for _, x := range l.SkippedLines() {
			skipped = append(skipped, "⚠ "+x)
		}
		add(fmt.Sprintf("Breadth: %d of %d members without data", l.Failed, l.Members), m.st.Bad, failed)
		add(fmt.Sprintf("Breadth: %s with rows skipped", plural(l.SkippedMembers, "member")), m.st.Warn, skipped)
	}
	return out
}

// memberProblemCount is the breadth members' problems for the help
// screen's first line ("2 members without data, 1 with rows skipped";
// short: "2 members no data, 1 skipped"), "" when none is named.
func memberProblemCount(l *engine.BreadthLoad, short bool) string {
	if l == nil {
		return ""
	}
	noData, skipped := " without data", "with rows skipped"
	if short {
		noData, skipped = " no data", "skipped"
	}
	var parts []string
	if len(l.FailedMembers) > 0 {
		parts = append(parts, plural(l.Failed, "member")+noData)
	}
	if len(l.MemberSkips) > 0 {
		w := skipped
		if len(parts) == 0 {
			w = plural(l.SkippedMembers, "member") + " " + w
		} else {
			w = fmt.Sprint(l.SkippedMembers) + " " + w
		}
		parts = append(parts, w)
	}
	return strings.Join(parts, ", ")
}

// glossaryEntry is a term of the glossary and its paragraphs, each one
// unbroken text: the help screen wraps it once, to the pane.
type glossaryEntry struct {
	term  string
	paras []string
}

// glossary explains the columns and marks; the help screen lists it under
// the keys.
func glossary() []glossaryEntry {
	return []glossaryEntry{
		{"ratio", []string{"small-cap ÷ large-cap price: rising means small caps lead"}},
		{"1D chart", []string{"09:30 at the left, 16:00 at the right; ┄ is yesterday's close"}},
		{"today", []string{"each quote's day on the same clock, filling left to right"}},
		{"age", []string{"on the feed's clock: wall time live; the demo's simulated time (DEMO ×600: " +
			"600 s a second) and the replayed day in replay. ⚠ STALE: no new data for " +
			"twice the poll interval of wall time (the demo: 10 s at any speed ≥ 1)"}},
		{"rvol", []string{"volume ÷ its 20-day average, pace-adjusted during the session " +
			"(today so far vs an average day by this time of day);",
			"≥0.1 = partial volume (one venue's, e.g. Alpaca IEX): a lower bound"}},
		{"flags", []string{"● confirmed on a closed day · ◑ fading: held at the close, not live",
			"◐ forming on today's live bar only · ○ off",
			"value vs threshold; since (from) = the first day of the current run;",
			"vol partial: the volume surge is held at the last close (one venue's volume)",
			"tab to the flags panel and z (zoom) shows what each flag means"}},
		{"rotation", []string{"weekly rs-ratio (across) vs rs-momentum (up), axes at 100 (JdK-style):",
			"▲ leading · ▼ weakening · ▽ lagging · △ improving; tails run clockwise"}},
	}
}

// glossaryW is the widest the glossary is set, for lines a reader can follow.
const glossaryW = 100

// glossaryLines is the glossary set in w cells (at most glossaryW): each
// paragraph wrapped once, greedily at spaces (never inside "pace-adjusted"),
// its lines after the term's indented (flush when w is too narrow).
func glossaryLines(w int) []string {
	w = max(min(w, glossaryW), 1)
	ind := glossaryIndent
	if w <= ind+10 {
		ind = 0
	}
	pad := strings.Repeat(" ", ind)
	var out []string
	for _, e := range glossary() {
		for i, p := range e.paras {
			line, words := pad, 0
			if i == 0 {
				line, words = e.term+strings.Repeat(" ", max(ind-ansi.StringWidth(e.term), 1)), 1
			}
			for _, word := range strings.Fields(p) {
				for _, piece := range strings.Split(ansi.Hardwrap(word, max(w-ind, 1), false), "\n") {
					if words > 0 && ansi.StringWidth(line)+1+ansi.StringWidth(piece) > w {
						out = append(out, line)
						line, words = pad, 0
					}
					if !strings.HasSuffix(line, " ") {
						line += " "
					}
					line += piece
					words++
				}
			}
			out = append(out, line)
		}
	}
	return out
}

// arrange chooses the layout for a w×h screen (the status line included).
func (m Model) arrange(w, h int) layout {
	nFlags, nOn, nSec := 9, 0, 9
	if m.snap != nil {
		nFlags, nSec = max(len(m.snap.Flags), 1), max(len(m.snap.Sectors), 1)
		for _, f := range m.snap.Flags {
			if f.State != engine.FlagOff {
				nOn++
			}
		}
	}
	_, nowWhat := m.panels[panelNowWhat].(*nowWhatPanel)
	switch {
	case m.zoom:
		return layout{cols: []column{{w, []slot{{m.focus, h - 2}}}}, bordered: w >= fullW && h >= fullH, keys: true}
	case w >= fullW && h >= fullH:
		bh := h - 2
		lw := w - min(max(w*45/100, 58), 110) // the left column keeps ≥60 inner cells for the Now what? table
		fh := min(nFlags+2, bh/3)
		nh := 0
		if nowWhat {
			// 12 rows fit the sentence and the horizon table; the chart keeps
			// at least 14 rows.
			nh = min(14, max(bh/4, 12))
			if m.snap != nil && m.snap.Analogs != nil && m.snap.Analogs.Breadth != nil {
				nh += 2 // the events split by breadth: a line under the table (the risk line keeps its own)
			}
			if bh-fh-nh < 14 {
				nh = max(bh-fh-14, 3)
			}
		}
		sh := min(nSec+6, bh/2)
		brh := 0
		if m.panels[panelBreadth] != nil {
			// 7 lines and the box; the quotes keep at least 6 rows.
			brh = max(min(9, bh-sh-6), 0)
			if brh < 3 {
				brh = 0
			}
		}
		// The rotation map takes rows from the quotes only where its graph
		// is readable beside its table (a column of rotationMinW, at least
		// rotationMinRows) and the quotes keep rotationQuotes rows (7
		// symbols); elsewhere z shows it.
		rh := 0
		if _, ok := m.panels[panelRotation].(*rotationPanel); ok && w-lw >= rotationMinW {
			if r := min(rotationRows, bh-sh-brh-rotationQuotes); r >= rotationMinRows {
				rh = r
			}
		}
		return layout{cols: []column{
			{lw, []slot{{panelChart, bh - fh - nh}, {panelFlags, fh}, {panelNowWhat, nh}}},
			{w - lw, []slot{{panelSectors, sh}, {panelBreadth, brh}, {panelRotation, rh}, {panelQuotes, bh - sh - brh - rh}}},
		}, bordered: true, keys: true}
	}
	// Unboxed: the panels earn their rows step by step, most important
	// first: first each panel's least useful height (and the key line),
	// then more rows for some. A step that does not fit is skipped, and
	// once a panel (or the key line) does not fit, no later one is added:
	// as the pane shrinks, the panels go one at a time, last first, and a
	// smaller pane never shows a panel a larger one does not. Each column's
	// grow panel takes the rows left.
	flagsOn, flagsAll, secAll := max(nOn, 1)+1, nFlags+1, nSec+3
	var cols []column
	var steps []layoutStep
	if w >= compactW {
		lw := w * 55 / 100
		cols = []column{
			{lw, []slot{{panelChart, 0}, {panelFlags, 0}, {panelNowWhat, 0}}},
			{1, []slot{{panelNone, 0}}},
			{w - lw - 1, []slot{{panelSectors, 0}, {panelBreadth, 0}, {panelQuotes, 0}}},
		}
		steps = []layoutStep{
			{panelChart, 4}, {panelFlags, flagsOn}, {panelQuotes, 4}, {panelKeys, 1}, {panelSectors, 5}, {panelNowWhat, 3},
			{panelBreadth, 2}, {panelChart, 8}, {panelFlags, flagsAll - 2}, {panelFlags, flagsAll}, {panelSectors, secAll}, {panelQuotes, 8},
			{panelSectors, secAll + 1}, {panelChart, 14}, {panelBreadth, 8},
		}
		if lw >= nowwhat.MinWidth+2 { // room for the horizon table
			steps = append(steps, layoutStep{panelNowWhat, 12})
		}
	} else {
		cols = []column{{w, []slot{{panelChart, 0}, {panelFlags, 0}, {panelQuotes, 0}, {panelNowWhat, 0}, {panelBreadth, 0}, {panelSectors, 0}}}}
		steps = []layoutStep{
			{panelChart, 4}, {panelFlags, flagsOn}, {panelQuotes, 4}, {panelKeys, 1}, {panelNowWhat, 3}, {panelBreadth, 2},
			{panelSectors, 5}, {panelFlags, flagsAll}, {panelSectors, secAll}, {panelChart, 8}, {panelQuotes, 8}, {panelBreadth, 4},
		}
	}
	keys := allocate(cols, steps, h-1, func(id panelID) bool { return m.panels[id] != nil })
	return layout{cols: cols, keys: keys}
}

// The rotation map's place in the boxed layout: a right column of at least
// rotationMinW cells, rotationMinRows to rotationRows rows (its graph
// beside its table). Smaller panes show it only zoomed.
const (
	rotationMinW    = 72
	rotationMinRows = 14
	rotationRows    = 18
	rotationQuotes  = 10
)

// panelKeys stands for the key line in a layoutStep.
const panelKeys = panelNone + 1

// layoutStep raises panel id to h rows (panelKeys: adds the key line, a row
// of every column).
type layoutStep struct {
	id panelID
	h  int
}

// growOrder are the panels that take a column's rows left over, first
// shown first: the quotes (more symbols), else the chart (a taller plot).
var growOrder = [...]panelID{panelQuotes, panelChart}

// allocate sets the slot heights of cols for a body of rows lines by the
// steps (see arrange), gives each column's rows left over to its grow panel
// (growOrder, else its first panel shown) and stretches separators over the
// body. It reports whether the key line is shown.
func allocate(cols []column, steps []layoutStep, rows int, registered func(panelID) bool) (keys bool) {
	where := map[panelID][2]int{} // column, slot
	for ci, c := range cols {
		for si, s := range c.slots {
			where[s.id] = [2]int{ci, si}
		}
	}
	used := make([]int, len(cols))
	skipped := map[panelID]bool{}
	closed := false // something new did not fit: nothing new is added after it
	for _, st := range steps {
		if st.id == panelKeys {
			if closed {
				continue
			}
			fits := true
			for ci := range cols {
				fits = fits && used[ci]+1 <= rows
			}
			if !fits {
				closed = true
				continue
			}
			keys = true
			for ci := range cols {
				used[ci]++
			}
			continue
		}
		at, ok := where[st.id]
		if !ok || skipped[st.id] || !registered(st.id) {
			continue
		}
		s := &cols[at[0]].slots[at[1]]
		if s.h == 0 && closed {
			continue
		}
		if extra := st.h - s.h; extra > 0 {
			if used[at[0]]+extra > rows {
				skipped[st.id] = true
				closed = closed || s.h == 0
				continue
			}
			s.h, used[at[0]] = st.h, used[at[0]]+extra
		}
	}
	body := rows - btoi(keys)
	for ci := range cols {
		c := &cols[ci]
		if len(c.slots) == 1 && c.slots[0].id == panelNone {
			c.slots[0].h = body
			continue
		}
		grow := -1
	find:
		for _, id := range growOrder {
			for si, s := range c.slots {
				if s.id == id && s.h > 0 {
					grow = si
					break find
				}
			}
		}
		for si := len(c.slots) - 1; grow < 0 && si >= 0; si-- {
			if c.slots[si].h > 0 {
				grow = si
			}
		}
		if grow >= 0 {
			c.slots[grow].h += body - (used[ci] - btoi(keys))
		}
	}
	return keys
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// body joins the placed panels' cached lines row by row.
func (m *Model) body(w, bh int) []string {
	cols := m.lay.cols
	blocks := make([][]string, len(cols))
	for i, c := range cols {
		var col []string
		for _, s := range c.slots {
			if s.h <= 0 {
				continue
			}
			if s.id == panelNone {
				col = append(col, m.separator(c.w, s.h)...)
				continue
			}
			if m.panels[s.id] == nil {
				continue
			}
			col = append(col, m.panels[s.id].base().lines...)
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

// separator is a vertical rule w cells wide and h lines high.
func (m *Model) separator(w, h int) []string {
	sep := m.st.Border.Render(strings.Repeat("│", w))
	out := make([]string, h)
	for i := range out {
		out[i] = sep
	}
	return out
}

// keyLine is the short help fitted to w cells: the bindings of ShortHelp
// (HelpLine under the help screen), dropping the least important (from the
// end) until the line fits; the first key (help, or line down) and the last
// (quit) are never dropped.
func (m *Model) keyLine(w int) string {
	if m.keyLineW == w && m.keyLineHelp == m.showHelp && m.keyLineText != "" {
		return m.keyLineText
	}
	h := m.help
	h.SetWidth(0) // no "…": the line is fitted here
	all := m.keys.ShortHelp()
	if m.showHelp {
		all = m.keys.HelpLine()
	}
	keep := append([]key.Binding(nil), all...)
	line := h.ShortHelpView(keep)
	for ansi.StringWidth(line) > w && len(keep) > 2 {
		keep = append(keep[:len(keep)-2], keep[len(keep)-1]) // the last before quit
		line = h.ShortHelpView(keep)
	}
	m.keyLineW, m.keyLineHelp, m.keyLineText = w, m.showHelp, line
	return line
}
