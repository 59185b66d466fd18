// Package breadth renders the breadth panel from plain data: the member
// universe's breadth (engine.Breadth), its load progress and the
// confirmation strip. It knows nothing of the dashboard's model; the tui
// root hands it a snapshot's parts and a size.
//
// What it shows, most important first (lines are dropped from the end as
// the panel shrinks; zoomed it adds sparklines and one line per
// confirmation):
//
//   - coverage and age: members with history, the date the values are for,
//     live (members' quotes) or end of day with the age of that close, the
//     load's progress while it runs;
//   - % of members above their 50- and 200-day averages;
//   - new 52-week highs and lows, advancers/decliners and the A/D line;
//   - the Zweig breadth thrust EMA and the last thrust;
//   - equal-weight against cap-weight 21-day returns;
//   - the confirmation strip's score and items;
//   - the survivorship note (today's members only).
package breadth

import (
	"fmt"
	"math"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
	ebreadth "github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/termsafe"
	"github.com/capwatch/capwatch/tui/draw"
)

// Styles are the panel's styles, built by NewStyles.
type Styles struct {
	Label lipgloss.Style // measure names
	Value lipgloss.Style // plain figures
	Pos   lipgloss.Style // confirms, above thresholds
	Neg   lipgloss.Style // diverges
	Warn  lipgloss.Style // stale, loading
	Muted lipgloss.Style // notes, unknowns
}

// NewStyles builds the styles for a dark or light background and a palette
// ("colorblind": blue/orange); noColor drops every colour.
func NewStyles(isDark, colorblind, noColor bool) Styles {
	plain := lipgloss.NewStyle()
	if noColor {
		return Styles{Label: plain, Value: plain, Pos: plain.Bold(true), Neg: plain, Warn: plain.Bold(true), Muted: plain}
	}
	ld := lipgloss.LightDark(isDark)
	pos, neg := ld(lipgloss.Color("28"), lipgloss.Color("41")), ld(lipgloss.Color("160"), lipgloss.Color("203"))
	if colorblind {
		pos, neg = ld(lipgloss.Color("25"), lipgloss.Color("75")), ld(lipgloss.Color("166"), lipgloss.Color("208"))
	}
	return Styles{
		Label: plain.Foreground(ld(lipgloss.Color("240"), lipgloss.Color("248"))),
		Value: plain.Foreground(ld(lipgloss.Color("235"), lipgloss.Color("252"))),
		Pos:   plain.Foreground(pos),
		Neg:   plain.Foreground(neg),
		Warn:  plain.Foreground(ld(lipgloss.Color("130"), lipgloss.Color("214"))).Bold(true),
		Muted: plain.Foreground(ld(lipgloss.Color("242"), lipgloss.Color("244"))),
	}
}

// Input is what the panel shows.
type Input struct {
	Breadth *engine.Breadth
	Load    *engine.BreadthLoad
	Confirm []engine.Confirmation
	Small   string    // the main pair's small leg (the cap-weighted return's name)
	Now     time.Time // the feed's clock, for the age of an end-of-day value
	Zoomed  bool      // the whole screen: sparklines and one line per confirmation
}

// noDataWhy is the strip's word when no item has data (ebreadth.NoScoreWhy,
// which the text snapshot says too).
func noDataWhy(in Input) string { return ebreadth.NoScoreWhy(in.Confirm) }

// Title is the panel's title for in.
func Title(in Input) string {
	u := ""
	if in.Breadth != nil {
		u = in.Breadth.Universe
	}
	switch strings.ToLower(u) {
	case "iwm":
		return "Breadth · Russell 2000 members"
	case "ijr":
		return "Breadth · S&P 600 members"
	case "":
		return "Breadth"
	}
	return "Breadth · " + clean(u, 24)
}

func clean(s string, n int) string { return termsafe.Line(s, n) }

// group formats n with thousands separators (1,962).
func group(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Progress is the load's progress as the status line says it
// ("breadth: 812/1,962 members"), "" when the load is done or absent.
func Progress(l *engine.BreadthLoad) string {
	if l == nil || l.Done || l.Members == 0 {
		return ""
	}
	return fmt.Sprintf("breadth: %s/%s members", group(l.Loaded), group(l.Members))
}

// Waiting is what the breadth flags show instead of a value while the
// members' first load runs ("loading 812/1,962"): their state waits for
// the whole list. "" when they are evaluated.
func Waiting(b *engine.Breadth, l *engine.BreadthLoad) string {
	if l == nil || l.Done || !(b == nil || b.Partial) {
		return ""
	}
	return fmt.Sprintf("loading %s/%s", group(l.Loaded), group(l.Members))
}

// Failed is why the members' load failed ("" when it did not).
func Failed(l *engine.BreadthLoad) string {
	if l == nil {
		return ""
	}
	return clean(l.Error, 200)
}

// empty is the panel's message while it has no values (b nil).
func empty(l *engine.BreadthLoad) (msg string, bad bool) {
	switch {
	case l.Error != "" && (l.Done || l.Members == 0):
		return "✖ " + clean(l.Error, 200), true
	case l.Done && l.Starts != "":
		return "no member data before " + clean(l.Starts, 10), false
	case l.Done:
		return fmt.Sprintf("no member history (%s of %s members failed)", group(l.Failed), group(l.Members)), true
	case l.Members == 0:
		return "loading the members list…", false
	}
	return fmt.Sprintf("loading members %s/%s…", group(l.Loaded), group(l.Members)), false
}

// age is how long ago the session of date (YYYY-MM-DD) closed, "" when
// unknown or in the future.
func age(date string, now time.Time) string {
	d, err := time.ParseInLocation("2006-01-02", date, calendar.Location())
	if err != nil || now.IsZero() {
		return ""
	}
	_, cl, ok := calendar.NYSE().Session(d)
	if !ok || now.Before(cl) {
		return ""
	}
	a := now.Sub(cl)
	switch {
	case a < time.Hour:
		return fmt.Sprintf("%dm old", int(a/time.Minute))
	case a < 48*time.Hour:
		return fmt.Sprintf("%dh old", int(a/time.Hour))
	}
	return fmt.Sprintf("%dd old", int(a/(24*time.Hour)))
}

func pct(n engine.Num) string {
	if !n.Valid {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", n.V)
}

func signedPct(n engine.Num) string {
	if !n.Valid {
		return "—"
	}
	if math.Abs(n.V) < 0.05 {
		return "0.0%"
	}
	return fmt.Sprintf("%+.1f%%", n.V)
}

// mark is a confirmation's glyph (its meaning without colour) and style.
func mark(c engine.Confirmation, st Styles) string {
	switch c.State {
	case engine.ConfirmConfirms:
		return st.Pos.Render("✓")
	case engine.ConfirmDiverges:
		return st.Neg.Render("✗")
	}
	return st.Muted.Render("?")
}

// Score is the strip's "n/k confirm" (k counts the items with a known
// state; engine/breadth.Score); "" without items or when no item has data.
func Score(cs []engine.Confirmation) string {
	n, k := ebreadth.Score(cs)
	if k == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d confirm", n, k)
}

// shortLabel is a confirmation's label in the strip ("2y" for the yield).
func shortLabel(c engine.Confirmation) string {
	l := clean(c.Label, 12)
	if c.Kind == engine.ConfirmKindYield && c.ID == "dgs2" {
		return "2y"
	}
	return l
}

// Render returns the panel's content lines for a width×height area. When
// not every line fits, the most important ones stay (in their order):
// coverage, % above the averages, the confirmation score, highs/lows and
// A/D, equal- vs cap-weight, Zweig, the survivorship note; one line is the
// compact summary.
func Render(in Input, width, height int, st Styles) []string {
	if width <= 0 || height <= 0 {
		return nil
	}
	if height == 1 {
		return []string{compact(in, width, st)}
	}
	type line struct {
		prio int
		s    string
	}
	var lines []line
	add := func(prio int, s string) { lines = append(lines, line{prio, ansi.Truncate(s, width, "…")}) }
	b, l := in.Breadth, in.Load
	lbl := func(s string) string { return st.Label.Render(s) }
	val := func(s string) string { return st.Value.Render(s) }

	switch {
	case b == nil && l == nil:
		add(0, st.Muted.Render("no members list: breadth is off"))
	case b == nil:
		msg, bad := empty(l)
		sty := st.Warn
		if bad {
			sty = st.Neg
		}
		// The cause in full: wrapped over the lines it needs.
		for _, w := range strings.Split(ansi.Wrap(msg, width, " /"), "\n") {
			add(0, sty.Render(w))
		}
	default:
		add(0, coverage(in, width, st))
		if e := Failed(l); e != "" {
			add(1, st.Neg.Render("✖ "+e))
		}
		add(1, lbl("above 50d ")+val(pct(b.PctAboveSMA50))+lbl("  200d ")+val(pct(b.PctAboveSMA200))+
			st.Muted.Render(fmt.Sprintf("  of %s/%s", group(b.NSMA50), group(b.NSMA200))))
		add(3, lbl("52w highs ")+st.Pos.Render(group(b.NewHighs52w))+lbl(" lows ")+st.Neg.Render(group(b.NewLows52w))+
			lbl("  adv/dec ")+val(group(b.Advancers)+"/"+group(b.Decliners))+lbl("  A/D line ")+val(fmt.Sprintf("%+d", b.ADLine)))
		z := lbl("Zweig EMA ")
		if b.ZweigEMA10.Valid {
			z += val(fmt.Sprintf("%.3f", b.ZweigEMA10.V))
		} else {
			z += st.Muted.Render("—")
		}
		if b.LastThrust != nil {
			z += lbl("  last thrust ") + val(clean(*b.LastThrust, 10))
		} else {
			z += st.Muted.Render("  no thrust in the history")
		}
		add(5, z)
		// The members' mean against their index's own return: the leg the
		// breadth follows (the pair's small leg at the start), which the
		// pair key does not change.
		leg := b.Leg
		if leg == "" {
			leg = in.Small
		}
		ew := lbl("21d equal-weight ") + val(signedPct(b.EWReturn21dPct)) + lbl(" vs "+clean(leg, 8)+" ") + val(signedPct(b.CWReturn21dPct))
		if b.EWReturn21dPct.Valid && b.CWReturn21dPct.Valid {
			if d := b.EWReturn21dPct.V - b.CWReturn21dPct.V; d >= 0 {
				ew += st.Pos.Render("  broad")
			} else {
				ew += st.Neg.Render("  narrow")
			}
		}
		add(4, ew)
	}
	if len(in.Confirm) > 0 {
		add(2, strip(in.Confirm, noDataWhy(in), width, st))
	}
	if b != nil {
		note := "today's members only: past breadth is survivorship-biased"
		if ansi.StringWidth(note) > width {
			note = "today's members (survivorship bias)"
		}
		add(6, st.Muted.Render(note))
	}
	if in.Zoomed {
		for _, z := range zoomLines(in, width, st) {
			add(7, z)
		}
	}
	// Keep the height most important lines, in order.
	cut := 8
	for cut > 0 {
		n := 0
		for _, x := range lines {
			if x.prio < cut {
				n++
			}
		}
		if n <= height {
			break
		}
		cut--
	}
	out := make([]string, 0, height)
	for _, x := range lines {
		if x.prio < cut && len(out) < height {
			out = append(out, x.s)
		}
	}
	return out
}

// coverage is the first line: members with history, the date, live or end
// of day with its age, and the load's progress while it runs; shorter forms
// when it does not fit in width.
func coverage(in Input, width int, st Styles) string {
	b, l := in.Breadth, in.Load
	date := clean(b.AsOf, 10)
	short := date
	if t, err := time.Parse("2006-01-02", b.AsOf); err == nil {
		short = t.Format("Jan 02")
	}
	cov := st.Value.Render(group(b.Covered)) + st.Label.Render("/"+group(b.Members))
	var when, whenShort string
	if b.Forming {
		when = st.Pos.Render("live") + st.Label.Render(fmt.Sprintf(" %s (%s quoting)", date, group(b.WithBar)))
		whenShort = st.Pos.Render("live") + st.Label.Render(" "+short)
	} else {
		when = st.Label.Render("end of day " + date)
		whenShort = st.Label.Render("eod " + short)
		if a := age(b.AsOf, in.Now); a != "" {
			when += st.Muted.Render(", " + a)
			whenShort += st.Muted.Render(" " + strings.TrimSuffix(a, " old"))
		}
	}
	var extra []string
	if p := Progress(l); p != "" {
		extra = append(extra, st.Warn.Render("loading "+strings.TrimPrefix(p, "breadth: ")))
	} else if l != nil && l.Failed > 0 {
		extra = append(extra, st.Muted.Render(fmt.Sprintf("%s without data", group(l.Failed))))
	}
	if l != nil && l.Note != "" {
		extra = append(extra, st.Muted.Render(clean(l.Note, 60)))
	}
	sep := st.Label.Render(" · ")
	forms := []string{
		cov + st.Label.Render(" members") + sep + when,
		cov + sep + when,
		cov + sep + whenShort,
	}
	for i := range forms {
		for _, x := range extra {
			if ansi.StringWidth(forms[i]+sep+x) <= width {
				forms[i] += sep + x
			}
		}
	}
	for _, f := range forms {
		if ansi.StringWidth(f) <= width {
			return f
		}
	}
	return forms[len(forms)-1]
}

// strip is the confirmation line: the score and each item by what it is
// (its pair "IJR/SPY", "HYG/LQD", "2y") with its mark, as many as fit,
// then how many more ("+2 more"): a leg alone is ambiguous (IWM is in
// IWM/QQQ and in IWC/IWM).
func strip(cs []engine.Confirmation, why string, width int, st Styles) string {
	sc := Score(cs)
	if sc == "" {
		sc = "confirm (" + why + ")"
	}
	out := st.Label.Render(sc + ":")
	for i, c := range cs {
		item := " " + shortLabel(c) + mark(c, st)
		more := ""
		if rest := len(cs) - i - 1; rest > 0 {
			more = st.Muted.Render(fmt.Sprintf(" +%d more", rest))
		}
		if ansi.StringWidth(out+item+more) > width {
			// Not every item fits: the ones that do and how many more.
			return out + st.Muted.Render(fmt.Sprintf(" +%d more", len(cs)-i))
		}
		out += item
	}
	return out
}

// compact is the whole panel on one line.
func compact(in Input, width int, st Styles) string {
	b := in.Breadth
	var s string
	switch {
	case b == nil && in.Load != nil:
		msg, bad := empty(in.Load)
		sty := st.Warn
		if bad {
			sty = st.Neg
		}
		s = sty.Render(msg)
	case b == nil:
		s = st.Muted.Render("breadth off")
	default:
		if p := Progress(in.Load); p != "" {
			// Part of the members so far: said first, so the counts are
			// not read as the universe's (they change as the rest loads).
			s = st.Warn.Render("loading "+strings.TrimPrefix(p, "breadth: ")) + st.Label.Render(" · so far ")
		}
		s += st.Label.Render(">50d ") + st.Value.Render(pct(b.PctAboveSMA50)) + st.Label.Render(" A/D ") +
			st.Value.Render(group(b.Advancers)+"/"+group(b.Decliners))
		if !b.Forming {
			s += st.Muted.Render(" eod")
		}
	}
	if sc := Score(in.Confirm); sc != "" {
		s += st.Label.Render(" · " + sc)
	}
	return ansi.Truncate(s, width, "…")
}

// zoomLines are the zoomed panel's extra lines: the history as sparklines
// and one line per confirmation.
func zoomLines(in Input, width int, st Styles) []string {
	var out []string
	if b := in.Breadth; b != nil && len(b.History) > 1 {
		w := max(width-18, 8)
		h := b.History
		if len(h) > 252 {
			h = h[len(h)-252:]
		}
		p50 := make([]float64, len(h))
		p200 := make([]float64, len(h))
		ad := make([]float64, len(h))
		zw := make([]float64, len(h))
		for i, p := range h {
			p50[i], p200[i], zw[i] = numOr(p.PctAboveSMA50), numOr(p.PctAboveSMA200), numOr(p.ZweigEMA10)
			ad[i] = float64(p.ADLine)
		}
		from := h[0].Date
		out = append(out, "",
			st.Label.Render(fmt.Sprintf("since %s (closed days)", from)),
			st.Label.Render(fit("% above 50d", 16))+" "+st.Value.Render(spark(p50, w)),
			st.Label.Render(fit("% above 200d", 16))+" "+st.Value.Render(spark(p200, w)),
			st.Label.Render(fit("A/D line", 16))+" "+st.Value.Render(spark(ad, w)),
			st.Label.Render(fit("Zweig EMA", 16))+" "+st.Value.Render(spark(zw, w)))
		var thrusts []string
		for _, p := range h {
			if p.Thrust {
				thrusts = append(thrusts, p.Date)
			}
		}
		if len(thrusts) > 0 {
			out = append(out, st.Label.Render("thrusts: ")+st.Value.Render(strings.Join(thrusts, ", ")))
		}
	}
	if len(in.Confirm) > 0 {
		out = append(out, "", st.Label.Render("confirmation (pairs and credit: ratio vs its 50-day average; 2y yield: vs 21 days ago)"))
		for _, c := range in.Confirm {
			line := mark(c, st) + " " + st.Value.Render(fit(clean(c.Label, 12), 12)) + " "
			switch {
			case !c.Value.Valid && c.Missing != "":
				line += st.Muted.Render(clean(c.Missing, 40))
			case !c.Value.Valid:
				line += st.Muted.Render("no data")
			case c.Kind == engine.ConfirmKindYield:
				line += st.Value.Render(fmt.Sprintf("%.2f%%", c.Value.V))
				if c.Reference.Valid {
					line += st.Label.Render(fmt.Sprintf(" vs %.2f%% 21 days ago", c.Reference.V))
				}
			default:
				line += st.Value.Render(fmt.Sprintf("%.4f", c.Value.V))
				if c.Reference.Valid {
					line += st.Label.Render(fmt.Sprintf(" vs 50d %.4f", c.Reference.V))
				}
			}
			if c.AsOf != "" {
				when := c.AsOf
				if c.Forming {
					when += " live"
				}
				line += st.Muted.Render(" · " + clean(when, 16))
			}
			out = append(out, line)
		}
	}
	return out
}

func numOr(n engine.Num) float64 {
	if !n.Valid {
		return math.NaN()
	}
	return n.V
}

func fit(s string, w int) string {
	if n := ansi.StringWidth(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return ansi.Truncate(s, w, "")
}

// spark draws vals (NaN skipped) in at most w cells, the last value of each
// bucket; "—" when there is nothing to draw.
func spark(vals []float64, w int) string {
	if s := draw.Sparkline(vals, w, math.NaN()); s != "" {
		return s
	}
	return "—"
}

// SplitLines are the "Now what?" lines on breadth at past events: the 6-month
// outcome of the events breadth confirmed (pct_above_sma50 at or above the
// threshold) and of the others, each with its n; or that the members'
// history is too short. historyFrom is the members' history start ("" if
// unknown). Nil without a split.
func SplitLines(s *engine.AnalogBreadth, historyFrom string, width int, st Styles) []string {
	if s == nil || width <= 0 {
		return nil
	}
	fit := func(l string) string { return ansi.Truncate(l, width, "…") }
	if s.HistoryTooShort {
		msg := "Breadth at past breakouts: the members' history is too short"
		if historyFrom != "" {
			msg += " (it starts " + clean(historyFrom, 10) + ")"
		}
		return []string{fit(st.Muted.Render(msg))}
	}
	const h6 = 2 // the 6-month horizon, as the sentence above
	group := func(name string, gs []engine.AnalogGroupStats) string {
		if len(gs) <= h6 {
			return ""
		}
		g := gs[h6]
		s := st.Label.Render(name) + st.Value.Render(fmt.Sprintf(" n=%d", g.N))
		if g.N == 0 || !g.RelHitRate.Valid {
			return s + st.Muted.Render(" · no 6-month outcome yet")
		}
		s += st.Label.Render(" · led 6 mo later ") + st.Value.Render(fmt.Sprintf("%.0f%%", g.RelHitRate.V*100))
		if g.RelMedianPct.Valid {
			s += st.Label.Render(" · median ") + st.Value.Render(fmt.Sprintf("%+.1f%%", g.RelMedianPct.V)) // the % change of the ratio, as the study (and `capwatch analogs`) has it
		}
		return s
	}
	out := []string{
		fit(group(fmt.Sprintf("breadth confirmed (≥%.0f%% above 50d):", s.Threshold), s.Confirmed)),
		fit(group("breadth not confirmed:", s.NotConfirmed)),
	}
	if n := tooRecent(s, h6); n > 0 {
		out = append(out, fit(st.Muted.Render(fmt.Sprintf("%d more with breadth too recent for a 6-month outcome", n))))
	}
	if s.Uncovered > 0 {
		out = append(out, fit(st.Muted.Render(fmt.Sprintf("%d earlier breakouts precede the members' history (today's members only)", s.Uncovered))))
	}
	return out
}

// tooRecent is how many breakouts with breadth on their date have no
// outcome at horizon h yet: the groups' n count outcomes, Covered counts
// breakouts, so "n=5 · below: n=0 · 17 earlier" did not add up to 23 past
// breakouts when the 6th covered one was a month old (QA-3 F9f). With it
// the line's counts add up to Covered + Uncovered, every breakout.
func tooRecent(s *engine.AnalogBreadth, h int) int {
	n := s.Covered
	for _, gs := range [][]engine.AnalogGroupStats{s.Confirmed, s.NotConfirmed} {
		if len(gs) > h {
			n -= gs[h].N
		}
	}
	return max(n, 0)
}

// SplitLine is SplitLines in one line, for a panel without room for more:
// "breadth ≥60%: n=5 (40% led 6 mo) · below: n=12 (42% led 6 mo) · 17
// earlier"; nil without a split.
func SplitLine(s *engine.AnalogBreadth, width int, st Styles) []string {
	if s == nil || width <= 0 {
		return nil
	}
	if s.HistoryTooShort {
		return []string{ansi.Truncate(st.Muted.Render("breadth at past breakouts: members' history too short"), width, "…")}
	}
	const h6 = 2
	part := func(gs []engine.AnalogGroupStats) string {
		if len(gs) <= h6 {
			return ""
		}
		g := gs[h6]
		out := fmt.Sprintf("n=%d", g.N)
		if g.N > 0 && g.RelHitRate.Valid {
			out += fmt.Sprintf(" (%.0f%% led 6 mo)", g.RelHitRate.V*100)
		}
		return out
	}
	l := st.Label.Render(fmt.Sprintf("breadth ≥%.0f%%: ", s.Threshold)) + st.Value.Render(part(s.Confirmed)) +
		st.Label.Render(" · below: ") + st.Value.Render(part(s.NotConfirmed))
	if n := tooRecent(s, h6); n > 0 {
		l += st.Muted.Render(fmt.Sprintf(" · %d too recent", n))
	}
	if s.Uncovered > 0 {
		l += st.Muted.Render(fmt.Sprintf(" · %d earlier", s.Uncovered))
	}
	return []string{ansi.Truncate(l, width, "…")}
}
