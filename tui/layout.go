package tui

import "strings"

// Minimum sizes of the layouts.
const (
	tinyW, tinyH       = 60, 15
	compactW, compactH = 80, 24
	fullW, fullH       = 120, 32
)

// layout is where the panels are: columns of stacked slots, chosen in
// Update for the terminal size, the zoom and the data's row counts.
type layout struct {
	cols     []column
	bordered bool // panels are boxed
	tiny     bool // the single-column layout (no key line, compact panels)
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
	w, h := m.w, m.h
	if w <= 0 || h <= 0 {
		return
	}
	if w < tinyW || h < tinyH {
		m.screen = fit("capwatch: enlarge the pane (at least 60×15)", w)
		return
	}
	stale, ok := m.staleAfter(), m.feedOK()
	m.each(func(_ panelID, p panel) {
		if c, is := p.(clocked); is {
			c.setNow(m.now, stale, ok)
		}
	})
	tiny := w < compactW || h < compactH
	bh := h - 2
	if tiny {
		bh = h - 1
	}
	if !m.showHelp {
		m.lay = m.arrange(w, bh, tiny)
		for _, c := range m.lay.cols {
			for _, s := range c.slots {
				if s.id == panelNone || s.h <= 0 || m.panels[s.id] == nil {
					continue
				}
				b := m.panels[s.id].base()
				b.place(c.w, s.h, m.lay.bordered, m.focus == s.id && !tiny, tiny)
				b.render()
			}
		}
	}
	m.screen = m.compose(w, bh, tiny)
}

// compose joins the status line, the panels' cached lines (or the help
// screen) and the key line into exactly m.h lines of m.w cells.
func (m *Model) compose(w, bh int, tiny bool) string {
	lines := make([]string, 0, m.h)
	lines = append(lines, fit(m.statusLine(w), w))
	if m.showHelp {
		lines = append(lines, m.helpScreen(w, bh)...)
	} else {
		lines = append(lines, m.body(w, bh)...)
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

// arrange places the panels for a w×bh body.
func (m Model) arrange(w, bh int, tiny bool) layout {
	nFlags, nSec := 9, 9
	if m.snap != nil {
		nFlags, nSec = max(len(m.snap.Flags), 1), max(len(m.snap.Sectors), 1)
	}
	_, nowWhat := m.panels[panelNowWhat].(*nowWhatPanel)
	switch {
	case m.zoom && !tiny:
		return layout{cols: []column{{w, []slot{{m.focus, bh}}}}, bordered: w >= fullW && m.h >= fullH}
	case tiny:
		ch := 4
		return layout{cols: []column{{w, []slot{{panelChart, ch}, {panelFlags, bh - ch}}}}, tiny: true}
	case w >= fullW && m.h >= fullH:
		lw := w - min(max(w*45/100, 58), 110) // the left column keeps ≥60 inner cells for the Now what? table
		fh := min(nFlags+2, bh/3)
		nh := 0
		if nowWhat {
			// 12 rows fit the sentence and the horizon table; the chart keeps
			// at least 14 rows.
			nh = min(14, max(bh/4, 12))
			if bh-fh-nh < 14 {
				nh = max(bh-fh-14, 3)
			}
		}
		sh := min(nSec+6, bh/2)
		return layout{cols: []column{
			{lw, []slot{{panelChart, bh - fh - nh}, {panelFlags, fh}, {panelNowWhat, nh}}},
			{w - lw, []slot{{panelSectors, sh}, {panelQuotes, bh - sh}}},
		}, bordered: true}
	}
	lw := w * 55 / 100
	fh := min(nFlags+1, bh/2)
	nh := 0
	if nowWhat {
		nh = 3
	}
	sh := min(nSec+3, bh/2)
	return layout{cols: []column{
		{lw, []slot{{panelChart, bh - fh - nh}, {panelFlags, fh}, {panelNowWhat, nh}}},
		{1, []slot{{panelNone, bh}}},
		{w - lw - 1, []slot{{panelSectors, sh}, {panelQuotes, bh - sh}}},
	}}
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
