package tui

import (
	"fmt"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/numfmt"
	"github.com/charmbracelet/x/ansi"
)

// quoteSort is the sort column of the quotes table.
type quoteSort int

const (
	sortWatchlist quoteSort = iota
	sortChange
	sortRVOL
	sortSymbol
	sortCount
)

func (s quoteSort) String() string {
	return [...]string{"watchlist", "change", "rvol", "symbol"}[s]
}

// quotesPanel is the watchlist: last, change, a sparkline of the day, RVOL
// and the age of each quote, then the symbols' errors.
type quotesPanel struct {
	panelBase
	keys *keyMap
	loc  *time.Location

	now    time.Time
	stale  time.Duration    // a quote older than this may be stale (0: never; see Stale)
	feedOK bool             // the feed is healthy (see Stale)
	newest *engine.Snapshot // the data waiting while paused (see setNewest)
	cal    *calendar.Calendar
	sort   quoteSort
	// zoomed: the panel has the pane (z), so the errors and notices are
	// listed whole, wrapped, before the table's last rows.
	zoomed bool
}

// setZoomed tells the panel whether it is zoomed (set by the layout).
func (p *quotesPanel) setZoomed(z bool) {
	if z != p.zoomed {
		p.zoomed, p.dirty = z, true
	}
}

func newQuotesPanel(st *Styles, keys *keyMap, loc *time.Location, cal *calendar.Calendar) *quotesPanel {
	p := &quotesPanel{keys: keys, loc: loc, cal: cal, feedOK: true}
	p.panelBase = newBase(st, p.draw)
	return p
}

// setNow updates the clock used for ages; the panel re-renders only when
// the displayed second changes.
func (p *quotesPanel) setNow(now time.Time, stale time.Duration, feedOK bool) {
	if now.Unix() != p.now.Unix() || stale != p.stale || feedOK != p.feedOK {
		p.now, p.stale, p.feedOK, p.dirty = now, stale, feedOK, true
	}
}

// setNewest gives the panel the newest data received while paused (nil
// when none waits): a symbol is stale by its newest data, not its shown
// one (the feed is not stale while the display is paused).
func (p *quotesPanel) setNewest(s *engine.Snapshot) {
	if s != p.newest {
		p.newest, p.dirty = s, true
	}
}

// newestTime is the time of a symbol's newest data: the shown one's, or
// the waiting snapshot's when later.
func (p *quotesPanel) newestTime(s engine.SymbolSnapshot) time.Time {
	t := s.DataTime
	if p.newest != nil {
		for _, n := range p.newest.Symbols {
			if n.Symbol == s.Symbol && n.DataTime.After(t) {
				return n.DataTime
			}
		}
	}
	return t
}

// Bindings is the sort key.
func (p *quotesPanel) Bindings() []key.Binding { return []key.Binding{p.keys.QuoteSort} }

// Update cycles the sort column.
func (p *quotesPanel) Update(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, p.keys.QuoteSort) {
		p.sort = (p.sort + 1) % sortCount
		p.dirty = true
	}
	return nil
}

// draw is the panel's title (the sort order) and content (cw×ch).
func (p *quotesPanel) draw(cw, ch int) (string, []string) {
	return "Quotes by " + p.sort.String(), p.body(cw, ch)
}

// sorted returns the symbols in the current sort order (a copy).
func (p *quotesPanel) sorted() []engine.SymbolSnapshot {
	syms := make([]engine.SymbolSnapshot, 0, len(p.snap.Symbols))
	for _, s := range p.snap.Symbols {
		if s.Role != engine.RoleConfirm { // shown by the confirmation strip
			syms = append(syms, s)
		}
	}
	desc := func(a, b engine.Num) bool {
		av, aok := a.Get()
		bv, bok := b.Get()
		if aok != bok {
			return aok
		}
		return av > bv
	}
	switch p.sort {
	case sortChange:
		sort.SliceStable(syms, func(i, j int) bool { return desc(syms[i].ChangePct, syms[j].ChangePct) })
	case sortRVOL:
		sort.SliceStable(syms, func(i, j int) bool { return desc(p.rvol(syms[i]), p.rvol(syms[j])) })
	case sortSymbol:
		sort.SliceStable(syms, func(i, j int) bool { return syms[i].Symbol < syms[j].Symbol })
	}
	return syms
}

func (p *quotesPanel) body(cw, ch int) []string {
	if p.snap == nil {
		return []string{p.st.Muted.Render("no data yet")}
	}
	if len(p.snap.Symbols) == 0 {
		return []string{p.st.Muted.Render("no quotes")}
	}
	st := p.st
	symW, lastW, chgW, rvolW, ageW := 6, 9, 9, 5, 7
	if cw < 50 { // compact: tighter columns so the sparkline still fits
		symW, lastW, chgW, ageW = 5, 8, 8, 6
	}
	fixed := symW + lastW + chgW + ageW + 1
	showRVOL := cw >= fixed+rvolW+1+8
	if showRVOL {
		fixed += rvolW + 1
	}
	// The day's sparkline runs on the session clock: 39 cells are ten
	// minutes each; it fills left to right as the day goes on.
	sparkW := min(cw-fixed-1, sessionMinutes/10)
	showSpark := sparkW >= 5
	elapsed := p.elapsed()
	hdr := fit("sym", symW) + fmt.Sprintf("%*s", lastW, "last") + fmt.Sprintf("%*s", chgW, "chg")
	if showSpark {
		hdr += " " + fit("today", sparkW)
	}
	if showRVOL {
		hdr += fmt.Sprintf(" %*s", rvolW, "rvol")
	}
	hdr += fmt.Sprintf(" %*s", ageW-1, "age")
	out := []string{st.Muted.Render(hdr)}
	errs := symbolErrors(p.snap.Errors)
	for _, s := range p.sorted() {
		msg, failed := errs[s.Symbol]
		line := st.inkBold.Paint(fit(s.Symbol, symW))
		if failed { // "✖" in the symbol's cell: the list below says why
			line = st.inkBold.Paint(fit(s.Symbol, symW-2)) + st.Bad.Render("✖") + " "
		}
		_, hasLast := s.Last.Get()
		if failed && !hasLast { // nothing to show: the error in short
			short := "error"
			if msg == "no data" {
				short = "no data"
			}
			line += st.Bad.Render(fmt.Sprintf("%*s", lastW+chgW, short))
			if showSpark {
				line += strings.Repeat(" ", sparkW+1)
			}
			if showRVOL {
				line += fmt.Sprintf(" %*s", rvolW, "—")
			}
			line += " " + fmt.Sprintf("%*s", ageW-1, "—")
			out = append(out, line)
			continue
		}
		last := "—"
		if v, ok := s.Last.Get(); ok {
			last = fmtNum(v)
		}
		line += fmt.Sprintf("%*s", lastW, last)
		if c, ok := s.ChangePct.Get(); ok {
			c = numfmt.Round(c, 2)
			line += st.signInk(c).Paint(fmt.Sprintf("%*s", chgW, numfmt.Arrow(c, 2)+fmtPct(s.ChangePct, 2)))
		} else {
			line += fmt.Sprintf("%*s", chgW, "—")
		}
		if showSpark {
			ref := math.NaN()
			if v, ok := s.PrevClose.Get(); ok {
				ref = v
			}
			sp := sessionSpark(daySeries(s), ref, elapsed, sessionMinutes, sparkW)
			sty := st.inkText
			if c, ok := s.ChangePct.Get(); ok {
				sty = st.signInk(numfmt.Round(c, 2))
			}
			line += " " + sty.Paint(fit(sp, sparkW))
		}
		if showRVOL {
			line += fmt.Sprintf(" %*s", rvolW, p.rvolText(s, rvolW))
		}
		line += " " + p.age(s, ageW-1)
		out = append(out, line)
	}
	rows := ch
	problems, groups := p.problemItems(cw)
	if len(problems) > 0 && ch > 3 {
		rows-- // the errors and notices keep at least a line under the table
	}
	if p.zoomed && len(problems) > 0 {
		// Zoomed, the list comes first: the table gives up rows down to
		// its header, two symbols and "… N more (s sorts)".
		need := 0
		for _, it := range problems {
			need += len(it)
		}
		rows = min(rows, max(ch-need, min(len(out), 4)))
	}
	partial := showRVOL && ch > 4 && anyPartial(p.snap.Symbols)
	if partial {
		rows-- // the line that says what ≥ means
	}
	if len(out) > rows && rows > 1 {
		hidden := len(out) - rows + 1
		out = append(out[:rows-1], st.Muted.Render(fmt.Sprintf("… %d more (s sorts)", hidden)))
	}
	if partial {
		out = append(out, st.Warn.Render("≥ rvol: partial volume (one venue's, not consolidated), a lower bound"))
	}
	return append(out, p.errorLines(problems, groups, ch-len(out), cw)...)
}

// rvolText is the rvol cell (w cells): "1.3", "—" when unknown, and "≥0.0"
// when the volume behind it is partial (one venue's: a lower bound, not
// to be read against the consolidated average).
func (p *quotesPanel) rvolText(s engine.SymbolSnapshot, w int) string {
	v, ok := p.rvol(s).Get()
	if !ok {
		return "—"
	}
	mark := ""
	if s.RVOLPartial {
		mark = "≥"
	}
	t := mark + fmt.Sprintf("%.1f", v)
	if ansi.StringWidth(t) > w {
		t = mark + fmt.Sprintf("%.0f", v)
	}
	return t
}

// anyPartial reports whether a symbol's RVOL is on partial volume.
func anyPartial(syms []engine.SymbolSnapshot) bool {
	for i := range syms {
		if syms[i].RVOLPartial {
			return true
		}
	}
	return false
}

// problemItems are the snapshot's symbol errors, one item per cause
// ("✖ QQQ: no such symbol"; symbols that fail the same way share one:
// "✖ 23 symbols: Yahoo returned an HTML page (consent/block), not data"),
// watchlist or not, then its notices ("⚠ IWM: 4 rows skipped from …"),
// each as its lines: one (cut to the panel by the frame), or, zoomed, the
// cause with every symbol named, wrapped to w cells so every file and
// line is readable. groups are the errors' causes (for moreLine).
func (p *quotesPanel) problemItems(w int) (items [][]string, groups []errGroup) {
	groups = groupErrors(p.snap.Errors)
	add := func(text string, sty func(...string) string) {
		if !p.zoomed {
			items = append(items, []string{sty(text)})
			return
		}
		var lines []string
		for _, l := range strings.Split(ansi.Wrap(text, max(w, 20), " /,"), "\n") {
			lines = append(lines, sty(l))
		}
		items = append(items, lines)
	}
	for _, g := range groups {
		text := g.line()
		if p.zoomed {
			text = g.full()
		}
		add("✖ "+text, p.st.Bad.Render)
	}
	for _, n := range p.snap.Notices {
		add("⚠ "+noticeText(n), p.st.Warn.Render)
	}
	return items, groups
}

// errorLines lays the problem items out in at most room lines of w cells
// under the table: when they do not all fit, the last line says how many
// more there are (z zooms the panel, ? lists them all).
func (p *quotesPanel) errorLines(items [][]string, groups []errGroup, room, w int) []string {
	if len(items) == 0 || room <= 0 {
		return nil
	}
	var out []string
	for i, it := range items {
		need := len(it)
		if i < len(items)-1 {
			need++ // a line for the count of the rest, should the next not fit
		}
		if len(out)+need > room {
			return append(out, p.moreLine(groups, i, w))
		}
		out = append(out, it...)
	}
	return out
}

// moreLine says how many symbol errors (of the groups from the i-th on)
// and notices are not shown, and which keys list them (shortened to fit w
// cells).
func (p *quotesPanel) moreLine(groups []errGroup, i, w int) string {
	e := 0
	for _, g := range groups[min(i, len(groups)):] {
		e += len(g.syms)
	}
	nn := len(p.snap.Notices) - max(i-len(groups), 0)
	var text string
	sty := p.st.Muted
	switch {
	case i == 0 && e == 0:
		text, sty = "⚠ "+plural(nn, "notice"), p.st.Warn
	case i == 0 && nn == 0:
		text, sty = fmt.Sprintf("✖ %d symbol errors", e), p.st.Bad
	case i == 0:
		text, sty = fmt.Sprintf("✖ %d symbol errors, %s", e, plural(nn, "notice")), p.st.Bad
	case e == 0:
		text = fmt.Sprintf("… %d more %s", nn, pluralWord(nn, "notice"))
	case nn == 0:
		text = fmt.Sprintf("… %d more errors", e)
	default:
		text = fmt.Sprintf("… %d more errors, %s", e, plural(nn, "notice"))
	}
	keys := ""
	forms := []string{" (z zooms, ? lists)", " (? lists)"}
	if p.zoomed {
		forms = forms[1:]
	}
	for _, k := range forms {
		if ansi.StringWidth(text+k) <= w {
			keys = k
			break
		}
	}
	return sty.Render(text) + p.st.Muted.Render(keys)
}

// errGroup is the symbols whose errors say the same thing, in the order
// of their first error: a cause shared by many symbols (a consent page, a
// refused connection) is said once, not once per symbol.
type errGroup struct {
	msg  string
	syms []string
}

// groupErrors groups errs by message, in the order of first appearance.
// Messages that differ only in the symbol's own file (a replay directory
// without 19 members' files: "replay: no file DIR/DIA.csv", …) are one
// group, said with the directory: "19 symbols: replay: no file in DIR"
// (QA-3 F9c); a group of one keeps its message as it is.
func groupErrors(errs []engine.SymbolError) []errGroup {
	var out []errGroup
	at := map[string]int{}
	first := map[int]string{} // a group's first message as it is
	for _, e := range errs {
		key := fileless(e.Message, e.Symbol)
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			first[i] = e.Message
			out = append(out, errGroup{msg: key})
		}
		out[i].syms = append(out[i].syms, e.Symbol)
	}
	for i := range out {
		if len(out[i].syms) == 1 {
			out[i].msg = first[i]
		}
	}
	return out
}

// fileless is msg with the path of sym's own file (a word ending in
// "/SYM.csv", any case and extension) said as its directory: "replay: no
// file /d/DIA.csv" → "replay: no file in /d"; msg as it is without one.
func fileless(msg, sym string) string {
	if sym == "" {
		return msg
	}
	words := strings.Fields(msg)
	for i, w := range words {
		path := strings.TrimRight(w, ":,;")
		dir, base := filepath.Split(path)
		if dir == "" || !strings.EqualFold(strings.TrimSuffix(base, filepath.Ext(base)), sym) {
			continue
		}
		words[i] = "in " + filepath.Clean(dir) + w[len(path):]
		return strings.Join(words, " ")
	}
	return msg
}

// line is the group in one line: "QQQ: no such symbol" for one symbol,
// "3 symbols: no such symbol" for more (the count first, so a line cut to
// the panel's width still says how many; the help screen names them).
func (g errGroup) line() string {
	if len(g.syms) == 1 {
		return g.syms[0] + ": " + g.msg
	}
	return fmt.Sprintf("%d symbols: %s", len(g.syms), g.msg)
}

// full is the group with every symbol named, for the help screen: "no such
// symbol — 3 symbols: QQQ, XLK, PSCT".
func (g errGroup) full() string {
	if len(g.syms) == 1 {
		return g.line()
	}
	return fmt.Sprintf("%s — %d symbols: %s", g.msg, len(g.syms), strings.Join(g.syms, ", "))
}

// plural is "1 notice" or "N notices".
func plural(n int, word string) string { return fmt.Sprintf("%d %s", n, pluralWord(n, word)) }

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// noticeText is a symbol notice as "SYMBOL: message", sanitised.
func noticeText(n engine.SymbolNotice) string {
	return n.Symbol + ": " + n.Message
}

// errorText is a symbol error as "SYMBOL: message", sanitised.
func errorText(e engine.SymbolError) string {
	return e.Symbol + ": " + e.Message
}

// symbolErrors maps each failing symbol to its (first) message.
func symbolErrors(errs []engine.SymbolError) map[string]string {
	if len(errs) == 0 {
		return nil
	}
	m := make(map[string]string, len(errs))
	for _, e := range errs {
		if _, dup := m[e.Symbol]; !dup {
			m[e.Symbol] = e.Message
		}
	}
	return m
}

// daySeries is a symbol's day for its sparkline: the closes of today's
// closed minutes and, while a minute is forming, its price (Last). The
// engine shares Intraday between snapshots, so the forming price goes into
// a copy, never into the engine's array.
func daySeries(s engine.SymbolSnapshot) []float64 {
	v, ok := s.Last.Get()
	if !s.IntradayForming || !ok {
		return s.Intraday
	}
	n := len(s.Intraday)
	return append(s.Intraday[:n:n], v)
}

// rvol is the relative volume shown: during the regular session the
// pace-adjusted RVOLPace (today's volume so far against what an average day
// has traded by this time), absent in its first minutes rather than a
// part-day RVOL20 near zero; outside the session the full-day RVOL20.
func (p *quotesPanel) rvol(s engine.SymbolSnapshot) engine.Num {
	if p.snap.Session.State == "open" {
		return s.RVOLPace
	}
	return s.RVOL20
}

// elapsed is how many minutes of the regular session the snapshot covers:
// from 09:30 to its data time (0 before the open, all 390 after the close).
func (p *quotesPanel) elapsed() int {
	t := p.snap.AsOf
	if t.IsZero() {
		return 0
	}
	t = t.In(p.loc)
	open := time.Date(t.Year(), t.Month(), t.Day(), 9, 30, 0, 0, p.loc)
	return min(max(int(t.Sub(open)/time.Minute)+1, 0), sessionMinutes)
}

// age renders how old a symbol's data is, marked "!" when stale.
func (p *quotesPanel) age(s engine.SymbolSnapshot, w int) string {
	if s.DataTime.IsZero() {
		return fmt.Sprintf("%*s", w, "—")
	}
	d := p.now.Sub(s.DataTime)
	txt := fmtAge(d)
	stale := s.Stale || Stale(p.newestTime(s), p.now, p.stale, p.cal, p.feedOK)
	if stale {
		return p.st.inkWarn.Paint(fmt.Sprintf("%*s", w, txt+"!"))
	}
	if s.Delayed {
		txt += "d"
	}
	return p.st.inkMuted.Paint(fmt.Sprintf("%*s", w, txt))
}
