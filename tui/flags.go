package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/charmbracelet/x/ansi"
)

// flagsPanel lists the breakout flags: state (glyph and word, so confirmed and
// forming differ without colour), since date, value vs threshold, meaning.
type flagsPanel struct {
	st *Styles

	snap            *engine.Snapshot
	w, h            int
	bordered, focus bool
	activeOnly      bool // tiny layout: only confirmed and forming flags
	// atClose holds each flag's latest value seen outside the regular
	// session (on a closed daily bar), shown for a confirmed flag whose live
	// value is not defined yet.
	atClose map[string]float64

	dirty bool
	lines []string
}

func newFlagsPanel(st *Styles) *flagsPanel {
	return &flagsPanel{st: st, dirty: true, atClose: map[string]float64{}}
}

func (p *flagsPanel) SetSize(w, h int) {
	if w != p.w || h != p.h {
		p.w, p.h, p.dirty = w, h, true
	}
}

func (p *flagsPanel) setFrame(bordered, focus, activeOnly bool) {
	if bordered != p.bordered || focus != p.focus || activeOnly != p.activeOnly {
		p.bordered, p.focus, p.activeOnly, p.dirty = bordered, focus, activeOnly, true
	}
}

// SetSnapshot re-renders only when something the panel shows changed (the
// flags' states, dates, texts or displayed values), not on every snapshot.
func (p *flagsPanel) SetSnapshot(s *engine.Snapshot) {
	if p.snap == nil || s == nil || !sameFlagView(p.snap.Flags, s.Flags) {
		p.dirty = true
	}
	if s != nil && s.Session.State != "" && s.Session.State != "open" {
		for _, f := range s.Flags {
			if v, ok := f.Value.Get(); ok {
				p.atClose[f.ID] = v
			}
		}
	}
	p.snap = s
}

// sameFlagView reports whether two flag lists look the same in the panel:
// same flags, states, dates and texts, and values and thresholds that format
// to the same text. The engine shares an unchanged list between snapshots,
// which is the fast path.
func sameFlagView(a, b []engine.Flag) bool {
	if len(a) != len(b) {
		return false
	}
	if len(a) == 0 || &a[0] == &b[0] {
		return true
	}
	for i := range a {
		x, y := &a[i], &b[i]
		if x.ID != y.ID || x.State != y.State || x.Since != y.Since || x.Text != y.Text || x.Value.Valid != y.Value.Valid {
			return false
		}
		if x.Value.Valid && x.Value.V != y.Value.V && flagValue(x.ID, x.Value.V, true) != flagValue(y.ID, y.Value.V, true) {
			return false
		}
		if x.Threshold != y.Threshold && flagValue(x.ID, x.Threshold, false) != flagValue(y.ID, y.Threshold, false) {
			return false
		}
	}
	return true
}
func (p *flagsPanel) restyle() { p.dirty = true }

func (p *flagsPanel) View() string { return strings.Join(p.render(), "\n") }

// flagLabel is the short display name of a flag ID.
func flagLabel(id string) string {
	switch id {
	case engine.FlagRatioAboveSMA50:
		return "Ratio > 50-day avg"
	case engine.FlagRatioAboveSMA200:
		return "Ratio > 200-day avg"
	case engine.FlagRatioNewHigh20d:
		return "Ratio 20-day high"
	case engine.FlagRatioNewHigh52w:
		return "Ratio 52-week high"
	case engine.FlagSmallAboveSMA200:
		return "Small > 200-day avg"
	case engine.FlagSmallGoldenCross:
		return "Small golden cross"
	case engine.FlagSmallLeads21d:
		return "Small leads 21d"
	case engine.FlagSmallVolumeSurge:
		return "Small volume surge"
	case engine.FlagSectorBreadth:
		return "Sector breadth"
	}
	return Sanitize(id)
}

// stateMark is the glyph and word of a flag state.
func (p *flagsPanel) stateMark(s engine.FlagState) string {
	switch s {
	case engine.FlagConfirmed:
		return p.st.Confirmed.Render("● confirmed")
	case engine.FlagForming:
		return p.st.Forming.Render("◐ forming  ")
	}
	return p.st.Off.Render("○ off      ")
}

func (p *flagsPanel) render() []string {
	if !p.dirty && len(p.lines) == p.h {
		return p.lines
	}
	p.dirty = false
	cw, ch := p.w, p.h-1
	if p.bordered && p.w >= 4 && p.h >= 3 {
		cw, ch = p.w-2, p.h-2
	}
	title := "Breakout flags"
	if p.snap != nil {
		on, forming := 0, 0
		for _, f := range p.snap.Flags {
			switch f.State {
			case engine.FlagConfirmed:
				on++
			case engine.FlagForming:
				forming++
			}
		}
		title = fmt.Sprintf("Breakout flags %d/%d confirmed", on, len(p.snap.Flags))
		if forming > 0 {
			title += fmt.Sprintf(", %d forming", forming)
		}
	}
	p.lines = frame(p.st, title, p.body(cw, ch), p.w, p.h, p.bordered, p.focus)
	return p.lines
}

func (p *flagsPanel) body(cw, ch int) []string {
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	flags := p.snap.Flags
	if len(flags) == 0 {
		return []string{p.st.Muted.Render("no flags computed yet")}
	}
	// The tiny layout lists only the flags that are on, unless all fit.
	activeOnly := p.activeOnly && len(flags) > ch
	shown := flags
	if activeOnly {
		shown = make([]engine.Flag, 0, len(flags))
		for _, f := range flags {
			if f.State != engine.FlagOff {
				shown = append(shown, f)
			}
		}
	}
	rows := p.rows(shown)
	// When the panel has a spare row per flag and the meanings do not fit
	// whole on the flags' lines, each meaning goes on a second, indented line.
	lay := chooseLayout(rows, cw, true)
	twoLine := !activeOnly && ch >= 2*len(shown) && !(lay.meaning && lay.fullMeanings(rows, cw))
	if twoLine {
		lay = chooseLayout(rows, cw, false)
	}
	out := make([]string, 0, 2*len(rows))
	for _, r := range rows {
		out = append(out, p.line(r, lay, cw))
		if twoLine {
			out = append(out, p.st.Muted.Render(strings.Repeat(" ", stateW+1)+r.meaning))
		}
	}
	if activeOnly && len(out) == 0 {
		out = append(out, p.st.Off.Render("○ no breakout flags on"))
	}
	if len(out) > ch && ch > 0 { // too many for the space: say how many are hidden
		hidden := len(out) - ch + 1
		out = append(out[:ch-1], p.st.Muted.Render(fmt.Sprintf("… %d more", hidden)))
	}
	return out
}

// flagRow is one flag's display texts (sanitised, unstyled).
type flagRow struct {
	state                 engine.FlagState
	label, value          string
	sinceLong, sinceShort string // "" when the flag is off or has no date
	meaning, gist         string // the full meaning, and its part after the last ": "
}

// stateW is the width of the state mark ("● confirmed").
const stateW = 11

// rows formats the flags' texts once per render.
func (p *flagsPanel) rows(flags []engine.Flag) []flagRow {
	var asOf time.Time
	if p.snap != nil {
		asOf = p.snap.AsOf
	}
	out := make([]flagRow, len(flags))
	for i, f := range flags {
		r := flagRow{state: f.State, label: flagLabel(f.ID), value: p.valueText(f), meaning: Sanitize(f.Text)}
		r.gist = r.meaning
		if k := strings.LastIndex(r.meaning, ": "); k >= 0 && k+2 < len(r.meaning) {
			r.gist = r.meaning[k+2:]
		}
		if f.Since != "" && f.State != engine.FlagOff {
			r.sinceLong, r.sinceShort = sinceTexts(Sanitize(f.Since), asOf)
		}
		out[i] = r
	}
	return out
}

// valueText is "value vs threshold" in the flag's unit. A confirmed flag
// whose live value is not defined yet (the paced volume in the first
// minutes of the session) shows the value it was confirmed on at the last
// close when the panel saw it, or says the threshold was met at the close.
func (p *flagsPanel) valueText(f engine.Flag) string {
	thr := flagValue(f.ID, f.Threshold, false)
	if v, ok := f.Value.Get(); ok {
		return flagValue(f.ID, v, true) + " vs " + thr
	}
	if f.State == engine.FlagConfirmed {
		if v, ok := p.atClose[f.ID]; ok {
			return flagValue(f.ID, v, true) + " vs " + thr
		}
		return "≥" + thr + " at close"
	}
	return "— vs " + thr
}

// sinceTexts formats a flag's start date (YYYY-MM-DD): "since Oct 29"
// (within about ten months of asOf, so the year is clear) or "since Sep
// 2025", and the compact "since 10/29" or "since 2025". A date that does
// not parse is shown as it is.
func sinceTexts(date string, asOf time.Time) (long, short string) {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return "since " + date, "since " + date
	}
	if asOf.IsZero() || asOf.Sub(d) < 300*24*time.Hour {
		return "since " + d.Format("Jan 02"), "since " + d.Format("1/02")
	}
	return "since " + d.Format("Jan 2006"), "since " + d.Format("2006")
}

// flagLayout says which columns a flag line has and how wide they are.
type flagLayout struct {
	labelW, valueW, sinceW int
	gap                    int  // spaces between columns (2 when there is room, else 1)
	value, short           bool // show the value column; compact since dates
	meaning                bool // the meaning (or its gist) fills the rest of the line
}

// width is the line's width without the meaning.
func (l flagLayout) width() int {
	w := stateW + 1 + l.labelW
	if l.value {
		w += l.gap + l.valueW
	}
	if l.sinceW > 0 {
		w += l.gap + l.sinceW
	}
	return w
}

// fullMeanings reports whether every full meaning fits after the columns.
func (l flagLayout) fullMeanings(rows []flagRow, cw int) bool {
	room := cw - l.width() - 2
	for _, r := range rows {
		if ansi.StringWidth(r.meaning) > room {
			return false
		}
	}
	return true
}

// chooseLayout picks the richest layout that fits cw cells: state, label,
// value vs threshold, since date, meaning (whole, or its gist when every
// gist fits whole); then without the meaning, with
// compact dates, without the value (the since date matters more on narrow
// panels), without the since date.
func chooseLayout(rows []flagRow, cw int, meaning bool) flagLayout {
	base := flagLayout{gap: 1}
	var sinceLong, sinceShort, gistW int
	for _, r := range rows {
		gistW = max(gistW, ansi.StringWidth(r.gist))
		base.labelW = max(base.labelW, ansi.StringWidth(r.label))
		base.valueW = max(base.valueW, ansi.StringWidth(r.value))
		sinceLong = max(sinceLong, ansi.StringWidth(r.sinceLong))
		sinceShort = max(sinceShort, ansi.StringWidth(r.sinceShort))
	}
	long, short := base, base
	long.sinceW = sinceLong
	short.sinceW, short.short = sinceShort, true
	var cands []flagLayout
	withMeaning := func(l flagLayout) flagLayout { l.value, l.meaning = true, true; return l }
	withValue := func(l flagLayout) flagLayout { l.value = true; return l }
	noSince := base
	if meaning {
		cands = append(cands, withMeaning(long), withMeaning(short))
	}
	cands = append(cands, withValue(long), withValue(short), long, short, withValue(noSince))
	for _, c := range cands {
		for _, gap := range []int{2, 1} { // roomy columns when they fit
			c.gap = gap
			need := c.width()
			if c.meaning { // only when every gist fits whole
				need += 2 + gistW
			}
			if need <= cw {
				return c
			}
		}
	}
	return noSince
}

// line formats one flag to fit cw cells in layout l.
func (p *flagsPanel) line(r flagRow, l flagLayout, cw int) string {
	var b strings.Builder
	b.WriteString(p.stateMark(r.state))
	b.WriteString(" ")
	b.WriteString(fit(r.label, l.labelW))
	gap := strings.Repeat(" ", l.gap)
	if l.value {
		b.WriteString(gap)
		b.WriteString(p.st.Text.Render(fit(r.value, l.valueW)))
	}
	if l.sinceW > 0 {
		since := r.sinceLong
		if l.short {
			since = r.sinceShort
		}
		b.WriteString(gap)
		b.WriteString(p.st.Muted.Render(fit(since, l.sinceW)))
	}
	if l.meaning {
		room := cw - l.width() - 2
		m := r.meaning
		if ansi.StringWidth(m) > room {
			m = r.gist
		}
		b.WriteString("  ")
		b.WriteString(p.st.Muted.Render(m))
	}
	return b.String()
}

// flagValue formats a flag's value or threshold in the flag's unit: the
// ratio and prices as numbers, the 21-day lead in percentage points, the
// volume surge as a multiple, sector breadth as a share of sectors.
func flagValue(id string, v float64, signed bool) string {
	switch id {
	case engine.FlagSmallLeads21d:
		if signed { // the unit once, on the threshold: "+1.2 vs 2.0 pts"
			return fmt.Sprintf("%+.1f", v)
		}
		return fmt.Sprintf("%.1f pts", v)
	case engine.FlagSmallVolumeSurge:
		return fmt.Sprintf("%.2f×", v)
	case engine.FlagSectorBreadth:
		return fmt.Sprintf("%.0f%%", v*100)
	}
	return fmtNum(v)
}
