package tui

import (
	"fmt"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/numfmt"
	"github.com/capwatch/capwatch/tui/breadth"
	"github.com/charmbracelet/x/ansi"
)

// flagsPanel lists the breakout flags: state (glyph and word, so confirmed,
// fading and forming differ without colour), since date, value vs threshold
// (a fading flag also the value it held at the close), meaning. When not
// all flags fit it lists only the ones that are on.
type flagsPanel struct {
	panelBase
	// meaningsHidden: the last render had no room for the meanings.
	meaningsHidden bool
	zoomed         bool // set by the layout
}

// setZoomed tells the panel whether it is zoomed (set by the layout): z
// explains only on the unzoomed panel; zoomed, the spare rows hold the
// meanings.
func (p *flagsPanel) setZoomed(z bool) {
	if z != p.zoomed {
		p.zoomed, p.dirty = z, true
	}
}

func newFlagsPanel(st *Styles) *flagsPanel {
	p := &flagsPanel{}
	p.panelBase = newBase(st, p.draw)
	return p
}

// SetSnapshot re-renders only when something the panel shows changed (the
// flags' states, dates, texts or displayed values), not on every snapshot.
func (p *flagsPanel) SetSnapshot(s *engine.Snapshot) {
	if p.snap == nil || s == nil || !sameFlagView(p.snap.Flags, s.Flags) ||
		breadth.Waiting(p.snap.Breadth, p.snap.BreadthLoad) != breadth.Waiting(s.Breadth, s.BreadthLoad) {
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
		if x.ID != y.ID || x.State != y.State || x.Since != y.Since || x.Text != y.Text || x.Value.Valid != y.Value.Valid || x.Partial != y.Partial {
			return false
		}
		if x.Value.Valid && x.Value.V != y.Value.V && flagValue(x.ID, x.Value.V, true) != flagValue(y.ID, y.Value.V, true) {
			return false
		}
		if x.Threshold.Valid != y.Threshold.Valid || x.Threshold.Valid && x.Threshold.V != y.Threshold.V &&
			flagValue(x.ID, x.Threshold.V, false) != flagValue(y.ID, y.Threshold.V, false) {
			return false
		}
		if x.CloseValue.Valid != y.CloseValue.Valid || x.CloseValue.Valid && x.CloseValue.V != y.CloseValue.V &&
			flagValue(x.ID, x.CloseValue.V, true) != flagValue(y.ID, y.CloseValue.V, true) {
			return false
		}
	}
	return true
}

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
	case engine.FlagBreadthAboveSMA50:
		return "Members > 50-day"
	case engine.FlagBreadthThrust:
		return "Breadth thrust"
	}
	return id
}

// stateMark is the glyph and word of a flag state (nodata: an off flag
// that could not be judged, engine.Flag.NoData).
func (p *flagsPanel) stateMark(s engine.FlagState, nodata bool) string {
	if nodata {
		return p.st.Off.Render("○ no data  ")
	}
	switch s {
	case engine.FlagConfirmed:
		return p.st.Confirmed.Render("● confirmed")
	case engine.FlagFading:
		return p.st.Forming.Render("◑ fading   ")
	case engine.FlagForming:
		return p.st.Forming.Render("◐ forming  ")
	}
	return p.st.Off.Render("○ off      ")
}

// draw is the panel's title (the counts by state) and content (cw×ch).
func (p *flagsPanel) draw(cw, ch int) (string, []string) {
	forms := []string{"Breakout flags"} // the title, longest first
	if p.snap != nil {
		// One count for every view (engine.CountFlags: the text snapshot
		// and `capwatch status` say the same): confirmed of the flags
		// judged, the ones without data apart. In words, and with the
		// list's glyphs (● confirmed, ◑ fading, ◐ forming) where the words
		// do not fit.
		c := engine.CountFlags(p.snap.Flags)
		words, glyphs := c.String(), ""
		if c.Judged() > 0 {
			glyphs = fmt.Sprintf("%d/%d ●", c.Confirmed, c.Judged())
		}
		for _, g := range []struct {
			n    int
			mark string
		}{{c.Fading, "◑"}, {c.Forming, "◐"}, {c.NoData, "no data"}} {
			if g.n > 0 {
				if glyphs != "" {
					glyphs += ", "
				}
				glyphs += fmt.Sprintf("%d %s", g.n, g.mark)
			}
		}
		forms = []string{"Breakout flags " + words, "Breakout flags " + glyphs, "Flags " + glyphs}
	}
	body := p.body(cw, ch)
	room := p.titleRoom()
	// The zoomed panel has room for the meanings: say so, in the longest
	// title that leaves room for it ("Breakout flags 0/11 ●, 4 ◐ · z
	// explains" in the 44 columns of an 80-column pane).
	if hint := " · z explains"; p.focus && !p.zoomed && p.meaningsHidden {
		for _, t := range forms {
			if ansi.StringWidth(t+hint) <= room {
				return t + hint, body
			}
		}
	}
	for _, t := range forms {
		if ansi.StringWidth(t) <= room {
			return t, body
		}
	}
	return forms[len(forms)-1], body // cut with … by the frame
}

// titleRoom is how many cells of the title the frame shows whole: it adds
// "▶ " when focused and, bordered, "╭─ " … " ─╮".
func (p *flagsPanel) titleRoom() int {
	room := p.w
	if p.boxed() {
		room -= 6
	}
	if p.focus {
		room -= 2
	}
	return room
}

func (p *flagsPanel) body(cw, ch int) []string {
	p.meaningsHidden = false
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	flags := p.snap.Flags
	if len(flags) == 0 {
		return []string{p.st.Muted.Render("no flags computed yet")}
	}
	// When not all fit: every flag that is on, and as many off ones as the
	// rows left allow (from the top), in display order.
	activeOnly := len(flags) > ch
	shown := flags
	var hidden []engine.Flag // the off flags not listed
	if activeOnly {
		room := ch - 1 // the "… n more" line
		on := 0
		for _, f := range flags {
			if f.State != engine.FlagOff {
				on++
			}
		}
		offRoom := room - on
		shown = make([]engine.Flag, 0, len(flags))
		for _, f := range flags {
			if f.State != engine.FlagOff {
				shown = append(shown, f)
			} else if offRoom > 0 {
				shown = append(shown, f)
				offRoom--
			} else {
				hidden = append(hidden, f)
			}
		}
	}
	rows := p.rows(shown)
	// When the panel has a spare row per flag and the meanings do not fit
	// whole on the flags' lines, each meaning goes on a second, indented line.
	lay := chooseLayout(rows, cw, true)
	twoLine := !activeOnly && ch >= 2*len(shown) && !(lay.meaning && lay.fullMeanings(rows, cw))
	var meanings [][]string
	if twoLine {
		lay = chooseLayout(rows, cw, false)
		meanings = meaningLines(rows, cw, ch)
	}
	p.meaningsHidden = !twoLine && !lay.meaning
	out := make([]string, 0, 2*len(rows))
	for i, r := range rows {
		out = append(out, p.line(r, lay, cw))
		if twoLine {
			for _, l := range meanings[i] {
				out = append(out, p.st.Muted.Render(l))
			}
		}
	}
	if p.zoomed && !twoLine && !activeOnly && !(lay.meaning && lay.fullMeanings(rows, cw)) {
		out = append(out, p.spareMeanings(rows, cw, ch-len(out))...)
	}
	if activeOnly && len(out) == 0 {
		out = append(out, p.st.Off.Render("○ no breakout flags on"))
	}
	if activeOnly && len(shown) < len(flags) && len(out) < ch {
		out = append(out, p.st.Muted.Render(hiddenText(hidden, cw)))
	}
	if len(out) > ch && ch > 0 { // too many for the space: say how many are hidden
		hidden := len(out) - ch + 1
		out = append(out[:ch-1], p.st.Muted.Render(fmt.Sprintf("… %d more", hidden)))
	}
	return out
}

// hiddenText says how many flags are not listed and in which states, as
// the title counts them (QA-3 F3: "… 3 more off" under a title counting
// them as no data): "… 3 more off", "… 3 more no data", "… 3 more: 1 off,
// 2 no data" (or "… 3 more" when that does not fit cw). Only off flags are
// ever hidden (see body).
func hiddenText(hidden []engine.Flag, cw int) string {
	off, nodata := 0, 0
	for i := range hidden {
		if hidden[i].NoData() {
			nodata++
		} else {
			off++
		}
	}
	n := len(hidden)
	switch {
	case nodata == 0:
		return fmt.Sprintf("… %d more off", n)
	case off == 0:
		return fmt.Sprintf("… %d more no data", n)
	}
	if s := fmt.Sprintf("… %d more: %d off, %d no data", n, off, nodata); ansi.StringWidth(s) <= cw {
		return s
	}
	return fmt.Sprintf("… %d more", n)
}

// spareMeanings fills the zoomed panel's spare rows (n) under the flags
// when there is no row per meaning (11 flags in 20 rows at 80×23): a blank
// line, then each flag's label and whole meaning, wrapped, the flags that
// are on first, as many as fit (the last one cut to a line).
func (p *flagsPanel) spareMeanings(rows []flagRow, cw, n int) []string {
	if n < 2 {
		return nil
	}
	out := []string{""}
	for _, on := range []bool{true, false} {
		for _, r := range rows {
			if (r.state != engine.FlagOff) != on || r.meaning == "" || len(out) >= n {
				continue
			}
			text := r.label + ": " + r.meaning
			lines := strings.Split(ansi.Wrap(text, max(cw, 1), ""), "\n")
			if len(out)+len(lines) > n {
				lines = []string{ansi.Truncate(text, cw, "…")}
			}
			for _, l := range lines {
				out = append(out, p.st.Muted.Render(l))
			}
		}
	}
	return out
}

// meaningLines lays each flag's meaning out under its line: indented under
// the label and wrapped, or indented by two when that is what makes them all
// fit in ch rows, else cut to one line each.
func meaningLines(rows []flagRow, cw, ch int) [][]string {
	out := make([][]string, len(rows))
	for _, indent := range []int{stateW + 1, 2} {
		pad := strings.Repeat(" ", indent)
		total := len(rows)
		for i, r := range rows {
			out[i] = strings.Split(ansi.Wrap(r.meaning, max(cw-indent, 1), ""), "\n")
			for j := range out[i] {
				out[i][j] = pad + out[i][j]
			}
			total += len(out[i])
		}
		if total <= ch {
			return out
		}
	}
	for i, r := range rows {
		out[i] = []string{"  " + r.meaning} // cut to the width by the frame
	}
	return out
}

// flagRow is one flag's display texts (sanitised, unstyled).
type flagRow struct {
	state        engine.FlagState
	nodata       bool // off, but not judged (engine.Flag.NoData)
	label, value string
	short        string    // a shorter form of a long value ("1/9 pairs"); "" when none
	close        string    // a fading flag's value at the last close ("close 0.3847"), else ""
	since        [3]string // ISO, "Oct 29", "10/29" forms; "" when off or undated
	meaning      string
	partial      bool // on partial volume: value "vol partial" (in the label when the value is not shown)
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
		r := flagRow{state: f.State, nodata: flags[i].NoData(), label: flagLabel(f.ID), meaning: f.Text, partial: f.Partial}
		r.value, r.short = p.valueTexts(f)
		if v, ok := f.CloseValue.Get(); ok && f.State == engine.FlagFading && f.Value.Valid {
			r.close = "close " + flagValue(f.ID, v, true)
		}
		if f.Since != "" && f.State != engine.FlagOff {
			r.since = sinceTexts(f.Since, asOf)
		}
		out[i] = r
	}
	return out
}

// valueText is "value vs threshold" in the flag's unit, on the live bar. A
// confirmed flag whose live value is not defined yet (the paced volume in
// the first minutes of the session) shows the value and threshold of the
// last close, which it held at.
//
// A flag on partial volume (small_volume_surge while the day's volume is
// one venue's only) says "vol partial": it is not evaluated live and keeps
// the state of the last close.
func (p *flagsPanel) valueText(f engine.Flag) string {
	v, _ := p.valueTexts(f)
	return v
}

// valueTexts is valueText and, for a long one, a short form the layout
// takes before it drops the values ("" when none): "1/9 pairs" for "1/9
// pairs, needs 5", "1.79×, down day" for "1.79× vs 1.50×, down day".
func (p *flagsPanel) valueTexts(f engine.Flag) (string, string) {
	v := p.valueLong(f)
	if f.ID == engine.FlagSectorBreadth {
		if short, _, ok := strings.Cut(v, ", needs "); ok {
			return v, short
		}
	}
	if f.ID == engine.FlagSmallVolumeSurge {
		if x, rest, ok := strings.Cut(v, " vs "); ok {
			if _, note, ok := strings.Cut(rest, ", "); ok {
				return v, x + ", " + note
			}
		}
	}
	return v, ""
}

// coverageText is the engine's coverage note on sector_breadth ("only 1
// of 9 sector pairs with data, needs 5") as "1/9 pairs, needs 5"; a note in
// other words is shown as it is.
func coverageText(note string) string {
	var n, of, need int
	if _, err := fmt.Sscanf(note, "only %d of %d sector pairs with data, needs %d", &n, &of, &need); err != nil {
		return note
	}
	return fmt.Sprintf("%d/%d pairs, needs %d", n, of, need)
}

func (p *flagsPanel) valueLong(f engine.Flag) string {
	if f.Partial {
		return "vol partial"
	}
	if (f.ID == engine.FlagBreadthAboveSMA50 || f.ID == engine.FlagBreadthThrust) && p.snap != nil {
		// Not evaluated on part of the members: say how far the load is.
		if w := breadth.Waiting(p.snap.Breadth, p.snap.BreadthLoad); w != "" {
			return w
		}
	}
	if f.ID == engine.FlagBreadthThrust && f.State != engine.FlagOff {
		// Held for a thrust within 20 bars, not for today's Zweig EMA:
		// name the thrust ("thrust Nov 18").
		if d, ok := strings.CutPrefix(f.Note, "thrust "); ok {
			return "thrust " + p.shortDate(d)
		}
	}
	if f.ID == engine.FlagSectorBreadth && !f.Value.Valid && f.Note != "" {
		// Not judged on too few sector pairs: the engine's note says how
		// many have data ("only 1 of 9 sector pairs with data, needs 5"),
		// shown as "1/9 pairs, needs 5".
		return coverageText(f.Note)
	}
	// An unknown threshold is "—", never a level of 0.
	thr := "—"
	if t, ok := f.Threshold.Get(); ok {
		thr = flagValue(f.ID, t, false)
	}
	if v, ok := f.Value.Get(); ok {
		return withNote(f.ID, flagValue(f.ID, v, true)+" vs "+thr, f.Note)
	}
	if f.State.Held() {
		if v, ok := f.CloseValue.Get(); ok {
			if t, ok := f.CloseThreshold.Get(); ok {
				thr = flagValue(f.ID, t, false)
			}
			return withNote(f.ID, flagValue(f.ID, v, true)+" vs "+thr, f.CloseNote)
		}
		return "≥" + thr + " at close"
	}
	if !f.Threshold.Valid {
		return "—" // neither the value nor the level it is compared with is known yet
	}
	return "— vs " + thr
}

// shortDate is a YYYY-MM-DD date as "Nov 18" in the data's year, else as
// it is.
func (p *flagsPanel) shortDate(date string) string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil || p.snap == nil || d.Year() != p.snap.AsOf.Year() {
		return date
	}
	return d.Format("Jan 02")
}

// withNote adds the engine's note on the volume surge (Flag.Note, or
// CloseNote beside the close's value) to its value text: "1.79× vs 1.50×,
// down day" when the surge is off (or fading) on a down day although the
// volume alone would pass. The note is the engine's, as in the JSON and the
// signal log, never re-derived here: on a down day with too little volume
// there is none. (The other flags' notes are shown in their own words
// above: the thrust's date, the sector pairs' coverage.)
func withNote(id, txt, note string) string {
	if id == engine.FlagSmallVolumeSurge && note != "" {
		return txt + ", " + note
	}
	return txt
}

// Forms of the since date, longest first.
const (
	sinceISO   = iota // "since 2026-10-29"
	sinceMonth        // "since Oct 29" in the data's year, else "since Sep 2025"
	sinceShort        // "from Oct 29" in the data's year, else "from Sep 2025"
)

// sinceTexts formats a flag's start date (YYYY-MM-DD) in the three forms.
// The year is left out only when the date is in the year of the data
// (asOf): "since 11/24" read like 2024 for 2025-11-24, so no form is
// numeric-only. A date that does not parse is shown as it is.
func sinceTexts(date string, asOf time.Time) [3]string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		s := "since " + date
		return [3]string{s, s, s}
	}
	if !asOf.IsZero() && d.Year() == asOf.Year() {
		return [3]string{"since " + date, "since " + d.Format("Jan 02"), "from " + d.Format("Jan 02")}
	}
	return [3]string{"since " + date, "since " + d.Format("Jan 2006"), "from " + d.Format("Jan 2006")}
}

// flagLayout says which columns a flag line has and how wide they are.
type flagLayout struct {
	labelW, valueW, sinceW int
	closeW                 int  // the close column (fading flags' value at the close); 0: none
	gap                    int  // spaces between columns (2 when there is room, else 1)
	sinceForm              int  // sinceISO, sinceMonth or sinceShort
	value                  bool // show the value column
	short                  bool // the values' short forms (flagRow.short)
	meaning                bool // the meaning fills the rest of the line
}

// width is the line's width without the meaning.
func (l flagLayout) width() int {
	w := stateW + 1 + l.labelW
	if l.value {
		w += l.gap + l.valueW
	}
	if l.closeW > 0 {
		w += l.gap + l.closeW
	}
	if l.sinceW > 0 {
		w += l.gap + l.sinceW
	}
	return w
}

// fullMeanings reports whether every meaning fits whole after the columns.
func (l flagLayout) fullMeanings(rows []flagRow, cw int) bool {
	room := cw - l.width() - 2
	for _, r := range rows {
		if ansi.StringWidth(r.meaning) > room {
			return false
		}
	}
	return true
}

// minMeaning is the least room worth giving the meaning on a flag's line
// (it is cut with "…" to the room left).
const minMeaning = 24

// chooseLayout picks the richest layout that fits cw cells: state, label,
// value vs threshold, a fading flag's value at the close, since date,
// meaning; then without the meaning, with shorter dates, without the close
// value, with the short forms of long values ("1/9 pairs" for "1/9 pairs,
// needs 5"), without the since date, and only then without the values:
// the values are what the flags are judged on, so one long value never
// takes every flag's number away (QA-3 F4). A row with no since date and
// no close value (an off flag) lets its value run on into those columns.
func chooseLayout(rows []flagRow, cw int, meaning bool) flagLayout {
	base := flagLayout{gap: 1}
	var sinceW [3]int
	closeW := 0
	for _, r := range rows {
		base.labelW = max(base.labelW, ansi.StringWidth(r.label))
		closeW = max(closeW, ansi.StringWidth(r.close))
		for f, s := range r.since {
			sinceW[f] = max(sinceW[f], ansi.StringWidth(s))
		}
	}
	form := func(f int, value, short, meaning bool) flagLayout {
		l := base
		l.sinceForm, l.sinceW, l.value, l.short, l.meaning = f, sinceW[f], value, short, meaning
		return l
	}
	var cands []flagLayout
	if closeW > 0 { // a flag is fading: its close value goes before the meaning
		withClose := func(l flagLayout) flagLayout { l.closeW = closeW; return l }
		if meaning {
			cands = append(cands, withClose(form(sinceISO, true, false, true)), withClose(form(sinceMonth, true, false, true)))
		}
		cands = append(cands, withClose(form(sinceISO, true, false, false)), withClose(form(sinceMonth, true, false, false)), withClose(form(sinceShort, true, false, false)))
	}
	if meaning {
		cands = append(cands, form(sinceISO, true, false, true), form(sinceMonth, true, false, true))
	}
	cands = append(cands, form(sinceISO, true, false, false), form(sinceMonth, true, false, false), form(sinceShort, true, false, false),
		form(sinceMonth, true, true, false), form(sinceShort, true, true, false))
	noSince := base
	noSince.value = true
	noSinceShort := noSince
	noSinceShort.short = true
	cands = append(cands, noSince, noSinceShort, form(sinceMonth, false, false, false), form(sinceShort, false, false, false))
	for _, c := range cands {
		for _, gap := range []int{2, 1} { // roomy columns when they fit
			c.gap = gap
			if c.value {
				c.valueW = c.valueWidth(rows)
			}
			need := c.width()
			if c.meaning {
				need += 2 + minMeaning
			}
			if need <= cw {
				return c
			}
		}
	}
	noSince.value = false
	return noSince
}

// spill is the room a row without a since date or close value (an off
// flag) has after the value column: those columns, blank on its line.
func (l flagLayout) spill(r flagRow) int {
	if r.close != "" || r.since[l.sinceForm] != "" && l.sinceW > 0 {
		return 0
	}
	n := 0
	if l.closeW > 0 {
		n += l.gap + l.closeW
	}
	if l.sinceW > 0 {
		n += l.gap + l.sinceW
	}
	return n
}

// valueOf is the row's value text in the layout's form.
func (l flagLayout) valueOf(r flagRow) string {
	if l.short && r.short != "" {
		return r.short
	}
	return r.value
}

// valueWidth is the value column's width: the widest value, less what a
// row can spill into the blank columns after it.
func (l flagLayout) valueWidth(rows []flagRow) int {
	w := 0
	for _, r := range rows {
		w = max(w, ansi.StringWidth(l.valueOf(r))-l.spill(r))
	}
	return w
}

// line formats one flag to fit cw cells in layout l.
func (p *flagsPanel) line(r flagRow, l flagLayout, cw int) string {
	var b strings.Builder
	b.WriteString(p.stateMark(r.state, r.nodata))
	b.WriteString(" ")
	label := r.label
	if r.partial && !l.value { // the mark must show even without the value column
		label = "Surge (vol partial)"
	}
	b.WriteString(fit(label, l.labelW))
	gap := strings.Repeat(" ", l.gap)
	spill := 0
	if l.value {
		spill = l.spill(r)
		b.WriteString(gap)
		v := r.value // the long form where it fits, in a layout of short forms too
		if ansi.StringWidth(v) > l.valueW+spill {
			v = l.valueOf(r)
		}
		b.WriteString(p.st.Text.Render(fit(v, l.valueW+spill)))
	}
	if l.closeW > 0 && spill == 0 { // else the value's end is in these blank columns

		b.WriteString(gap)
		b.WriteString(p.st.Muted.Render(fit(r.close, l.closeW)))
	}
	if l.sinceW > 0 && spill == 0 {
		b.WriteString(gap)
		b.WriteString(p.st.Muted.Render(fit(r.since[l.sinceForm], l.sinceW)))
	}
	if l.meaning {
		b.WriteString("  ")
		b.WriteString(p.st.Muted.Render(ansi.Truncate(r.meaning, cw-l.width()-2, "…")))
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
			return numfmt.Signed(v, 1)
		}
		return fmt.Sprintf("%.1f pts", v)
	case engine.FlagSmallVolumeSurge:
		return fmt.Sprintf("%.2f×", v)
	case engine.FlagSectorBreadth:
		return fmt.Sprintf("%.0f%%", v*100)
	case engine.FlagBreadthAboveSMA50:
		return fmt.Sprintf("%.0f%%", v)
	case engine.FlagBreadthThrust:
		return fmt.Sprintf("%.3f", v)
	}
	return fmtNum(v)
}
