// Package nowwhat renders capwatch's "Now what?" panel: what followed past
// breakouts of the small/large ratio like today's (engine.Analogs), and the
// risk that comes with small caps (engine.Risk).
//
// Everything here is a pure function of its inputs: no bubbletea model, no
// I/O. The panel speaks in past base rates with their sample size and never
// presents them as a forecast.
package nowwhat

import (
	"fmt"
	"math"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/numfmt"
)

// Minimum pane size for the full panel; smaller panes get the sentence only.
const (
	MinWidth  = 60
	MinHeight = 8
)

// maxEvents is how many recent breakouts the full panel lists at most.
const maxEvents = 5

// Styles are the panel's styles, built by NewStyles.
type Styles struct {
	Sentence lipgloss.Style // the plain-language sentence
	Header   lipgloss.Style // table headers
	Label    lipgloss.Style // row labels and event dates
	Pos      lipgloss.Style // positive outcomes
	Neg      lipgloss.Style // negative outcomes
	Muted    lipgloss.Style // nulls, the risk line
}

// NewStyles builds the panel styles for a dark or light background; noColor
// drops every colour (attributes such as bold stay).
func NewStyles(isDark, noColor bool) Styles {
	plain := lipgloss.NewStyle()
	if noColor {
		return Styles{Sentence: plain, Header: plain.Bold(true), Label: plain, Pos: plain, Neg: plain, Muted: plain}
	}
	ld := lipgloss.LightDark(isDark)
	return Styles{
		Sentence: plain,
		Header:   plain.Bold(true).Foreground(ld(lipgloss.Color("#5c5c5c"), lipgloss.Color("#a8a8a8"))),
		Label:    plain.Foreground(ld(lipgloss.Color("#3a3a3a"), lipgloss.Color("#c6c6c6"))),
		Pos:      plain.Foreground(ld(lipgloss.Color("#2f6f3f"), lipgloss.Color("#87c095"))),
		Neg:      plain.Foreground(ld(lipgloss.Color("#9a3a3a"), lipgloss.Color("#e0908a"))),
		Muted:    plain.Foreground(ld(lipgloss.Color("#767676"), lipgloss.Color("#8a8a8a"))),
	}
}

// smallNames and largeNames give plain names to well-known pair legs.
func legName(sym string, small bool) (string, bool) {
	if small {
		switch sym {
		case "IWM", "IJR", "VTWO", "VB", "SCHA":
			return "small caps", true
		}
		return sym, false
	}
	switch sym {
	case "SPY", "VOO", "IVV", "SPLG":
		return "the S&P 500", true
	case "QQQ":
		return "the Nasdaq 100", true
	case "DIA":
		return "the Dow", true
	}
	return sym, false
}

// sanitize caps a symbol or date at 15 runes ("?" when empty). The strings
// are terminal-safe already (feeds.Sanitized at the feed → engine boundary,
// the config for symbols); this only keeps the layout.
func sanitize(s string) string {
	if s == "" {
		return "?"
	}
	if r := []rune(s); len(r) > 15 {
		return string(r[:15])
	}
	return s
}

// horizonWords names a horizon for prose: "1m" → "1 month".
func horizonWords(h engine.HorizonStats) string {
	switch h.Horizon {
	case "1m":
		return "1 month"
	case "3m":
		return "3 months"
	case "6m":
		return "6 months"
	case "12m":
		return "12 months"
	}
	return fmt.Sprintf("%d trading days", h.Bars)
}

// horizonShort is a table label: "1m" → "1 mo".
func horizonShort(name string) string {
	if n := strings.TrimSuffix(name, "m"); n != name {
		return n + " mo"
	}
	return sanitize(name)
}

// sinceYear is " since 2004" from history_from, or "" when unknown.
func sinceYear(a *engine.Analogs) string {
	if len(a.HistoryFrom) >= 4 {
		y := a.HistoryFrom[:4]
		if strings.Trim(y, "0123456789") == "" {
			return " since " + y
		}
	}
	return " in the record"
}

// pickHorizon is the 6-month horizon when it has samples, else the longest
// horizon with samples; ok=false when no horizon has any.
func pickHorizon(a *engine.Analogs) (engine.HorizonStats, bool) {
	for _, h := range a.Horizons {
		if h.Horizon == "6m" && h.N > 0 {
			return h, true
		}
	}
	for i := len(a.Horizons) - 1; i >= 0; i-- {
		if a.Horizons[i].N > 0 {
			return a.Horizons[i], true
		}
	}
	return engine.HorizonStats{}, false
}

// breakouts is the number of past breakouts the study found: the count
// every view says (snapshot, analogs, the dashboard). A horizon has fewer
// outcomes when the latest breakouts are too recent for it.
func breakouts(a *engine.Analogs) int {
	n := len(a.Events)
	for _, h := range a.Horizons {
		n = max(n, h.N)
	}
	return n
}

// withOutcomes is "" when every breakout has an outcome at h, else
// " (25 with a 6-month outcome so far)" (long) or " (25 with 6 mo)".
func withOutcomes(a *engine.Analogs, h engine.HorizonStats, long bool) string {
	if h.N >= breakouts(a) {
		return ""
	}
	if long {
		return fmt.Sprintf(" (%d with a %s outcome so far)", h.N, strings.Replace(horizonWords(h), " months", "-month", 1))
	}
	return fmt.Sprintf(" (%d with %s)", h.N, horizonShort(h.Horizon))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Sentence is the panel's one plain sentence about what followed past
// breakouts like today's, e.g. "After 21 breakouts like this since 2004 (18
// with a 6-month outcome so far), small caps kept leading 6 months later 56%
// of the time (median IWM/SPY +1.4%), against 47% on any day; the S&P 500 rose
// 78% of the time, against 71% on any day (past base rates, not a
// forecast)." It always states the number of breakouts (the same count as
// `capwatch snapshot` and `analogs`), and the sample of the horizon when it
// is smaller. pairSmall and
// pairLarge are the pair's symbols; well-known ones are named in words.
func Sentence(a *engine.Analogs, pairSmall, pairLarge string) string {
	if a == nil {
		return "Not enough history yet for the breakout study (it needs more than 200 daily bars of both legs)."
	}
	small, knownSmall := legName(sanitize(pairSmall), true)
	large, knownLarge := legName(sanitize(pairLarge), false)
	since := sinceYear(a)
	h, ok := pickHorizon(a)
	if !ok {
		if k := len(a.Events); k > 0 {
			return fmt.Sprintf("%d %s like this%s, too recent for any outcome yet (n=0).",
				k, plural(k, "breakout", "breakouts"), since)
		}
		return fmt.Sprintf("No breakout like this in the record%s (n=0).", strings.TrimPrefix(since, " in the record"))
	}
	lead := small + " kept leading"
	if !knownSmall || !knownLarge {
		lead += " " + large
	}
	var b strings.Builder
	n := breakouts(a)
	fmt.Fprintf(&b, "After %d %s like this%s%s, %s %s later", n, plural(n, "breakout", "breakouts"), since,
		withOutcomes(a, h, true), lead, horizonWords(h))
	if v, ok := h.RelHitRate.Get(); ok {
		fmt.Fprintf(&b, " %s of the time", fmtRate(v))
	}
	paren := false // the sentence so far ends with a parenthesis
	if v, ok := h.RelMedianPct.Get(); ok {
		fmt.Fprintf(&b, " (median %s)", ratioMove(pairSmall, pairLarge, v))
		paren = true
	}
	if bv, ok := h.BaseRelHitRate.Get(); ok {
		fmt.Fprintf(&b, ", against %s on any day", fmtRate(bv))
		paren = false
	}
	if v, ok := h.LargeHitRate.Get(); ok {
		paren = false
		fmt.Fprintf(&b, "; %s rose %s of the time", large, fmtRate(v))
		if bv, ok := h.BaseLargeHitRate.Get(); ok {
			fmt.Fprintf(&b, ", against %s on any day", fmtRate(bv))
		}
	}
	if paren { // no "(…) (…)"
		b.WriteString("; past base rates, not a forecast.")
	} else {
		b.WriteString(" (past base rates, not a forecast).")
	}
	return b.String()
}

// shortSentences are shorter forms of Sentence for a pane of a line or
// two, longest first: the sample size, the leading rate and median at the
// chosen horizon, and (while it fits) that these are past rates. None when
// no horizon has outcomes (Sentence is short then).
func shortSentences(a *engine.Analogs, pairSmall, pairLarge string) []string {
	if a == nil {
		return []string{"Not enough history yet for the breakout study."}
	}
	h, ok := pickHorizon(a)
	if !ok {
		return nil
	}
	small, knownSmall := legName(sanitize(pairSmall), true)
	if !knownSmall {
		small += "/" + sanitize(pairLarge)
	}
	rate, med, base := "", "", ""
	if v, ok := h.RelHitRate.Get(); ok {
		rate = " " + fmtRate(v) + " of the time"
	}
	if v, ok := h.RelMedianPct.Get(); ok {
		med = " (median " + ratioMove(pairSmall, pairLarge, v) + ")"
	}
	if v, ok := h.BaseRelHitRate.Get(); ok {
		base = ", any day " + fmtRate(v)
	}
	n := breakouts(a)
	core := fmt.Sprintf("%d past %s%s%s: %s still led %s later%s%s%s", n, plural(n, "breakout", "breakouts"),
		sinceYear(a), withOutcomes(a, h, false), small, horizonShort(h.Horizon), rate, med, base)
	bare := fmt.Sprintf("%d past %s%s: %s led %s later%s%s", n, plural(n, "breakout", "breakouts"),
		withOutcomes(a, h, false), small, horizonShort(h.Horizon), rate, base)
	return []string{core + "; past rates, not a forecast.", core + ".", bare + "; past rates, not a forecast.", bare + "."}
}

// fmtRate renders a 0–1 share as a whole percentage.
func fmtRate(v float64) string { return fmt.Sprintf("%.0f%%", math.Round(v*100)) }

// fmtSigned renders v with one decimal, an explicit sign (none when it
// rounds to zero) and a true minus.
func fmtSigned(v float64) string {
	return strings.Replace(numfmt.Signed(v, 1), "-", "−", 1)
}

// fmtPct is fmtSigned with its unit: a percentage change ("+1.4%"), of the
// small/large ratio or of a leg.
func fmtPct(v float64) string { return fmtSigned(v) + "%" }

// ratioMove names a change of the small/large ratio with its unit, the
// study's rel (engine/study: the % change of the ratio, as `capwatch
// analogs` prints it): "IWM/SPY +1.4%", as the latest breakout's line says
// it. Not percentage points: the ratio's change is not small's return
// minus large's.
func ratioMove(small, large string, v float64) string {
	return sanitize(small) + "/" + sanitize(large) + " " + fmtPct(v)
}

// fmtDollars renders a dollar amount compactly: $5.2B, $31B, $850M.
func fmtDollars(v float64) string {
	units := []struct {
		div  float64
		unit string
	}{{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "K"}}
	for _, u := range units {
		if math.Abs(v) >= u.div {
			x := v / u.div
			if math.Abs(x) < 9.95 {
				return fmt.Sprintf("$%.1f%s", x, u.unit)
			}
			return fmt.Sprintf("$%.0f%s", x, u.unit)
		}
	}
	return fmt.Sprintf("$%.0f", v)
}

// wrap word-wraps plain text to width columns (long words are cut).
func wrap(s string, width int) []string {
	if width <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, width, ""), "\n")
}

// fit cuts lines to at most width columns and height lines; when lines are
// dropped, the last kept line ends with "…".
func fit(lines []string, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	cut := len(lines) > height
	if cut {
		lines = lines[:height]
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = ansi.Truncate(l, width, "…")
	}
	if cut {
		last := out[len(out)-1]
		if ansi.StringWidth(last) >= width {
			last = ansi.Truncate(last, width-1, "")
		}
		out[len(out)-1] = last + "…"
	}
	return strings.Join(out, "\n")
}

// Render draws the panel in at most width×height cells: the sentence
// (wrapped), then a table per horizon (n, kept leading %, median and p25–p75
// of the % change of the small/large ratio, large leg up %, large leg up on any day),
// the last few breakouts with their outcomes, and the risk line. Panes
// narrower than MinWidth or shorter than MinHeight get the sentence only.
// small and large are the pair's symbols.
func Render(a *engine.Analogs, r *engine.Risk, small, large string, width, height int, st Styles) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	small, large = sanitize(small), sanitize(large)
	sentence := wrap(Sentence(a, small, large), width)
	for i := range sentence {
		sentence[i] = st.Sentence.Render(sentence[i])
	}
	if width < MinWidth || height < MinHeight {
		if len(sentence) > height { // a shorter sentence that fits whole
			for _, short := range shortSentences(a, small, large) {
				if l := wrap(short, width); len(l) <= height {
					sentence = l
					for i := range sentence {
						sentence[i] = st.Sentence.Render(sentence[i])
					}
					break
				}
			}
		}
		return fit(sentence, width, height)
	}

	var table, events []string
	if a != nil && len(a.Horizons) > 0 {
		table = horizonTable(a, large, width, st)
	}
	if len(table) > 0 && len(sentence)+1+len(table) > height {
		// The table holds the figures: a shorter sentence that lets it in
		// (one that still says these are past rates, not a forecast).
		for _, short := range shortSentences(a, small, large) {
			if l := wrap(short, width); strings.HasSuffix(short, "not a forecast.") && len(l)+1+len(table) <= height {
				sentence = l
				for i := range sentence {
					sentence[i] = st.Sentence.Render(sentence[i])
				}
				break
			}
		}
	}
	lines := append([]string(nil), sentence...)
	riskLines := riskLine(r, small, large, width, st)

	// Budget: sentence, table, risk, then as many recent events as fit.
	used := len(lines)
	add := func(block []string) {
		if len(block) == 0 || used+1+len(block) > height {
			return
		}
		lines = append(lines, "")
		lines = append(lines, block...)
		used += 1 + len(block)
	}
	add(table)
	room := height - used - 3 // blank, latest-breakout line, events header
	if len(riskLines) > 0 {
		room -= 1 + len(riskLines) // blank + risk
	}
	if a != nil && len(a.Events) > 0 && room > 0 {
		events = append(events, latestLine(a, small, large, st))
		events = append(events, eventTable(a.Events[max(0, len(a.Events)-min(room, maxEvents)):], large, width, st)...)
		add(events)
	}
	add(riskLines)
	return fit(lines, width, height)
}

// cell is one table cell: plain text (for widths) and its style.
type cell struct {
	text  string
	style lipgloss.Style
	left  bool
}

// renderTable lays out rows of cells with two spaces between columns,
// dropping columns from the right until the table fits width.
func renderTable(rows [][]cell, width int) []string {
	if len(rows) == 0 {
		return nil
	}
	ncol := len(rows[0])
	widths := make([]int, ncol)
	for _, row := range rows {
		for c, x := range row {
			widths[c] = max(widths[c], ansi.StringWidth(x.text))
		}
	}
	for ncol > 1 {
		total := 0
		for c := range ncol {
			total += widths[c]
		}
		if total+2*(ncol-1) <= width {
			break
		}
		ncol--
	}
	out := make([]string, 0, len(rows))
	for _, row := range rows {
		var b strings.Builder
		for c := range ncol {
			if c > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", widths[c]-ansi.StringWidth(row[c].text))
			text := row[c].text
			if text != "" {
				text = row[c].style.Render(text)
			}
			if row[c].left {
				b.WriteString(text)
				if c < ncol-1 {
					b.WriteString(pad)
				}
			} else {
				b.WriteString(pad)
				b.WriteString(text)
			}
		}
		out = append(out, b.String())
	}
	return out
}

func numCell(n engine.Num, format func(float64) string, st Styles) cell {
	v, ok := n.Get()
	if !ok {
		return cell{text: "—", style: st.Muted}
	}
	s := st.Label
	switch numfmt.Dir(v, 1) { // as shown: a value that rounds to zero is neutral
	case 1:
		s = st.Pos
	case -1:
		s = st.Neg
	}
	return cell{text: format(v), style: s}
}

func rateCell(n engine.Num, st Styles) cell {
	v, ok := n.Get()
	if !ok {
		return cell{text: "—", style: st.Muted}
	}
	return cell{text: fmtRate(v), style: st.Label}
}

// horizonTable is the per-horizon table with its header row: each hit
// rate is followed by its base rate on any day.
func horizonTable(a *engine.Analogs, large string, width int, st Styles) []string {
	h := func(s string) cell { return cell{text: s, style: st.Header} }
	rows := [][]cell{{
		{text: "", style: st.Header, left: true}, h("n"), h("leading"), h("any day"), h("median"), h("p25…p75"),
		h(large + " up"), h("any day"),
	}}
	for _, hs := range a.Horizons {
		iqr := cell{text: "—", style: st.Muted}
		if p25, ok := hs.RelP25Pct.Get(); ok {
			if p75, ok := hs.RelP75Pct.Get(); ok {
				iqr = cell{text: fmtSigned(p25) + "…" + fmtSigned(p75) + "%", style: st.Label}
			}
		}
		rows = append(rows, []cell{
			{text: horizonShort(hs.Horizon), style: st.Label, left: true},
			{text: fmt.Sprint(hs.N), style: st.Label},
			rateCell(hs.RelHitRate, st),
			rateCell(hs.BaseRelHitRate, st),
			numCell(hs.RelMedianPct, fmtPct, st),
			iqr,
			rateCell(hs.LargeHitRate, st),
			rateCell(hs.BaseLargeHitRate, st),
		})
	}
	return renderTable(rows, width)
}

// latestLine is "Latest breakout 2026-09-14, 52 closes since; IWM/SPY
// +2.3% to the last close." The count is the study's: closed daily bars
// after the event's, up to the last close (not trading days to today,
// which is one more while today's bar is still forming), so it says
// "closes", and the move is to that same close.
func latestLine(a *engine.Analogs, small, large string, st Styles) string {
	if a.LastEvent == nil {
		return ""
	}
	s := "Latest breakout " + sanitize(*a.LastEvent)
	n := -1
	if a.BarsSinceLastEvent != nil {
		n = *a.BarsSinceLastEvent
		switch n {
		case 0:
			s += ", at the last close"
		default:
			s += fmt.Sprintf(", %d %s since", n, plural(n, "close", "closes"))
		}
	}
	if v, ok := a.RelSinceLastEventPct.Get(); ok && n != 0 {
		s += fmt.Sprintf("; %s/%s %s%% to the last close", small, large, fmtSigned(v))
	}
	return st.Label.Render(s + ".")
}

// eventTable lists breakouts (newest last) with the relative move at each
// horizon and the large leg's 6-month move.
func eventTable(evs []engine.AnalogEvent, large string, width int, st Styles) []string {
	h := func(s string) cell { return cell{text: s, style: st.Header} }
	rows := [][]cell{{
		{text: "breakouts", style: st.Header, left: true}, h("1 mo"), h("3 mo"), h("6 mo"), h("12 mo"), h(large + " 6 mo"),
	}}
	for _, ev := range evs {
		rows = append(rows, []cell{
			{text: sanitize(ev.Date), style: st.Label, left: true},
			numCell(ev.RelPct.M1, fmtPct, st),
			numCell(ev.RelPct.M3, fmtPct, st),
			numCell(ev.RelPct.M6, fmtPct, st),
			numCell(ev.RelPct.M12, fmtPct, st),
			numCell(ev.LargePct.M6, fmtPct, st),
		})
	}
	return renderTable(rows, width)
}

// riskLine is "IWM volatility ×1.4 of SPY · β 1.2 · drawdown −8.1% vs −2.3% ·
// $ volume 20d $5.2B vs $31B", wrapped at the separators to width.
func riskLine(r *engine.Risk, small, large string, width int, st Styles) []string {
	if r == nil {
		return nil
	}
	var parts []string
	if v, ok := r.VolRatio.Get(); ok {
		parts = append(parts, fmt.Sprintf("%s volatility ×%.1f of %s", small, v, large))
	}
	if v, ok := r.Beta63.Get(); ok {
		parts = append(parts, fmt.Sprintf("β %.1f", v))
	}
	if s, ok := r.SmallDrawdownPct.Get(); ok {
		if l, ok := r.LargeDrawdownPct.Get(); ok {
			pct := func(v float64) string { return strings.TrimPrefix(fmtSigned(v), "+") + "%" }
			parts = append(parts, fmt.Sprintf("drawdown %s vs %s", pct(s), pct(l)))
		}
	}
	if s, ok := r.SmallDollarVolume20.Get(); ok {
		if l, ok := r.LargeDollarVolume20.Get(); ok {
			parts = append(parts, fmt.Sprintf("$ volume 20d %s vs %s", fmtDollars(s), fmtDollars(l)))
		}
	}
	var lines []string
	cur := ""
	for _, p := range parts {
		switch {
		case cur == "":
			cur = p
		case ansi.StringWidth(cur+" · "+p) <= width:
			cur += " · " + p
		default:
			lines = append(lines, cur)
			cur = p
		}
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	for i := range lines {
		lines[i] = st.Muted.Render(lines[i])
	}
	return lines
}
