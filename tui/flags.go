package tui

import (
	"fmt"
	"strings"

	"github.com/capwatch/capwatch/engine"
)

// flagsPanel lists the breakout flags: state (glyph and word, so confirmed and
// forming differ without colour), since date, value vs threshold, meaning.
type flagsPanel struct {
	st *Styles

	snap            *engine.Snapshot
	w, h            int
	bordered, focus bool
	activeOnly      bool // tiny layout: only confirmed and forming flags

	dirty bool
	lines []string
}

func newFlagsPanel(st *Styles) *flagsPanel { return &flagsPanel{st: st, dirty: true} }

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
	// Narrow panels drop the meaning from the line; when there is height for
	// it, the meaning goes on a second, indented line instead.
	twoLine := cw < 90 && !activeOnly && ch >= 2*len(flags)
	var out []string
	for _, f := range flags {
		if activeOnly && f.State == engine.FlagOff {
			continue
		}
		out = append(out, p.line(f, cw))
		if twoLine {
			out = append(out, p.st.Muted.Render("            "+Sanitize(f.Text)))
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

// line formats one flag to fit cw cells, dropping columns as space shrinks.
func (p *flagsPanel) line(f engine.Flag, cw int) string {
	const labelW = 20
	s := p.stateMark(f.State) + " " + fit(flagLabel(f.ID), labelW)
	if cw < 52 {
		return s
	}
	val := "—"
	if v, ok := f.Value.Get(); ok {
		val = flagValue(f.ID, v, true)
	}
	vt := fit(val+" vs "+flagValue(f.ID, f.Threshold, false), 19)
	s += " " + p.st.Text.Render(vt)
	if cw < 66 {
		return s
	}
	if p.anySince() { // a since column only when some flag has a date
		since := strings.Repeat(" ", 16)
		if f.Since != "" && f.State != engine.FlagOff {
			since = "since " + fit(Sanitize(f.Since), 10)
		}
		s += " " + p.st.Muted.Render(since)
	}
	if cw < 90 {
		return s
	}
	return s + "  " + p.st.Muted.Render(Sanitize(f.Text))
}

// anySince reports whether a flag that is on has a start date.
func (p *flagsPanel) anySince() bool {
	for _, f := range p.snap.Flags {
		if f.Since != "" && f.State != engine.FlagOff {
			return true
		}
	}
	return false
}

// flagValue formats a flag's value or threshold in the flag's unit: the
// ratio and prices as numbers, the 21-day lead in percentage points, the
// volume surge as a multiple, sector breadth as a share of sectors.
func flagValue(id string, v float64, signed bool) string {
	switch id {
	case engine.FlagSmallLeads21d:
		if signed {
			return fmt.Sprintf("%+.1f pts", v)
		}
		return fmt.Sprintf("%.1f pts", v)
	case engine.FlagSmallVolumeSurge:
		return fmt.Sprintf("%.2f×", v)
	case engine.FlagSectorBreadth:
		return fmt.Sprintf("%.0f%%", v*100)
	}
	return fmtNum(v)
}
