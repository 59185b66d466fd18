package engine

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// BreadthModel is the member universe behind Snapshot.Breadth
// (engine/breadth.Universe implements it; this package cannot import that
// one, which imports it). The engine drives it from its own goroutine: the
// small leg's closed daily bars and its forming bar, the members' histories
// (Input.Members) and their live quotes (quotes for members that are not
// watched symbols).
type BreadthModel interface {
	// IsMember reports whether sym is in the members list.
	IsMember(sym string) bool
	// SetMembers replaces the members list (a list fetched after the
	// start): members kept keep their history, the others are dropped.
	SetMembers(universe string, members []string)
	// Leg sets the small leg's closed daily bars (oldest first).
	Leg(closed []Bar)
	// Forming sets the small leg's forming daily bar: its trading date
	// (zero: none) and live price.
	Forming(date time.Time, price float64)
	// MemberQuote records a member's live price on a trading date.
	MemberQuote(sym string, date time.Time, price float64) bool
	// Member replaces a member's daily history.
	Member(sym string, bars []Bar) error
	// Breadth returns the current values (nil while nothing is loaded).
	Breadth() *Breadth
	// FlagInputs returns the breadth flags' inputs on the forming bar; ok is
	// false when the members' quotes do not cover it (the closed values in
	// Breadth().History then stand).
	FlagInputs() (above, thrust, ok bool)
	// Split splits the study's events by breadth at each event.
	Split(a *Analogs) *AnalogBreadth
	// AboveThreshold is the breadth_above_sma50 threshold (percent).
	AboveThreshold() float64
}

// ConfirmModel is the confirmation strip behind Snapshot.Confirmations
// (engine/breadth.Strip implements it).
type ConfirmModel interface {
	// Symbols lists the symbols its items need (they must be watched).
	Symbols() []string
	// Closed rebuilds the items from the symbols' closed daily bars and the
	// observation series (by id).
	Closed(daily func(sym string) []Bar, series map[string][]Observation)
	// Eval returns the items, on the forming bar where live has one.
	Eval(live func(sym string) (date time.Time, price float64, ok bool)) []Confirmation
}

// Observation is one value of a daily series (e.g. FRED's DGS2).
type Observation struct {
	Time  time.Time // midnight New York of the date
	Value float64
}

// BreadthLoad is the progress of the members' history load (the status
// line's "breadth: 812/1,962 members").
type BreadthLoad struct {
	Members int  `json:"members"` // the list's equities
	Loaded  int  `json:"loaded"`  // members whose history was asked for and came back (with or without bars)
	Failed  int  `json:"failed"`  // of those, members whose history failed
	Done    bool `json:"done"`    // the load finished (Loaded = Members)
	// Note says what limits the breadth (e.g. "end of day: no member
	// quotes"); "" when nothing does.
	Note string `json:"note"`
	// Error is why the load failed, in whole or in part (the members list
	// could not be fetched, the latest failed batch of histories, or the
	// load could not start because the pair's history failed: "members
	// list: cannot reach iShares: …"); "" when nothing failed.
	Error string `json:"error"`
	// Starts is the first date of the members' data (YYYY-MM-DD) when it
	// begins after the history loaded (a replay started before the
	// members' files begin); "" otherwise.
	Starts string `json:"starts"`
	// FailedMembers names the first MaxNamedMembers of the Failed members,
	// in load order, each with why ("replay: no file data/EEE.csv"); JSON
	// [] when none.
	FailedMembers []SymbolError `json:"failed_members"`
	// SkippedMembers counts the loaded members whose history had rows
	// skipped (a missing or non-positive price, a malformed row);
	// MemberSkips names the first MaxNamedMembers of them with their rows
	// ("2 rows skipped from data/CCC.csv, first line 3: missing open").
	SkippedMembers int            `json:"skipped_members"`
	MemberSkips    []SymbolNotice `json:"member_skips"`
}

// MaxNamedMembers is how many members with a problem a BreadthLoad names
// (of each kind): the count says how many there are, the names where to
// look, without a line for each of 2,000 members.
const MaxNamedMembers = 10

// AddFailed counts a member whose history failed, naming it (with why)
// while fewer than MaxNamedMembers are named.
func (l *BreadthLoad) AddFailed(sym, why string) {
	l.Failed++
	if len(l.FailedMembers) < MaxNamedMembers {
		l.FailedMembers = append(l.FailedMembers, SymbolError{Symbol: sym, Message: why})
	}
}

// AddSkipped counts a member whose history had rows skipped, naming it
// (with its rows) while fewer than MaxNamedMembers are named.
func (l *BreadthLoad) AddSkipped(sym string, k SkippedRows) {
	if k.Count <= 0 {
		return
	}
	l.SkippedMembers++
	if len(l.MemberSkips) < MaxNamedMembers {
		l.MemberSkips = append(l.MemberSkips, SymbolNotice{Symbol: sym, Message: skippedText(k)})
	}
}

// FailedLines are the named failed members, "SYM: why", and "… and N
// more" for those counted but not named (none: no lines).
func (l BreadthLoad) FailedLines() []string {
	out := make([]string, 0, len(l.FailedMembers)+1)
	for _, f := range l.FailedMembers {
		out = append(out, f.Symbol+": "+f.Message)
	}
	if n := l.Failed - len(l.FailedMembers); n > 0 && len(out) > 0 {
		out = append(out, fmt.Sprintf("… and %d more", n))
	}
	return out
}

// SkippedLines are the named members with skipped rows, "SYM: 2 rows
// skipped from …", and "… and N more" (none: no lines).
func (l BreadthLoad) SkippedLines() []string {
	out := make([]string, 0, len(l.MemberSkips)+1)
	for _, k := range l.MemberSkips {
		out = append(out, k.Symbol+": "+k.Message)
	}
	if n := l.SkippedMembers - len(l.MemberSkips); n > 0 && len(out) > 0 {
		out = append(out, fmt.Sprintf("… and %d more", n))
	}
	return out
}

// ResetMembers clears the counts and names of a load (a new load starts).
func (l *BreadthLoad) ResetMembers() {
	l.Loaded, l.Failed, l.Done = 0, 0, false
	l.FailedMembers, l.SkippedMembers, l.MemberSkips = nil, 0, nil
}

// Clip returns a copy of l whose lists cannot be appended to in place (a
// copy handed to the engine while the loader goes on adding names).
func (l BreadthLoad) Clip() BreadthLoad {
	l.FailedMembers, l.MemberSkips = slices.Clip(l.FailedMembers), slices.Clip(l.MemberSkips)
	return l
}

// SetBreadth installs the member universe (nil removes it).
func (e *Engine) SetBreadth(m BreadthModel) {
	e.bm = m
	e.legKey, e.flagHist = legKey{}, histKey{}
	e.syncBreadthLeg()
	e.syncBreadthForming()
	e.syncBreadthFlags()
}

// SetConfirm installs the confirmation strip (nil removes it).
func (e *Engine) SetConfirm(m ConfirmModel) {
	e.cm = m
	e.confirmClosed()
}

// legKey identifies the small leg's closed bars handed to the model (a
// reload or a revision resets it: see settle).
type legKey struct {
	n    int
	last Bar
}

// syncBreadthLeg hands the small leg's closed bars to the model when they
// changed.
func (e *Engine) syncBreadthLeg() {
	if e.bm == nil {
		return
	}
	d := e.bleg.daily
	k := legKey{n: len(d)}
	if len(d) > 0 {
		k.last = d[len(d)-1]
	}
	if k == e.legKey {
		return
	}
	e.legKey = k
	e.bm.Leg(d)
}

// syncBreadthClosed hands the small leg's closed bars to the model in the
// middle of a batch (before the next date's member quotes), a revision
// included; settle does the rest of a close's work once per batch.
func (e *Engine) syncBreadthClosed() {
	if e.bleg.rebuilt {
		e.legKey = legKey{} // settle clears rebuilt
	}
	e.syncBreadthLeg()
}

// syncBreadthForming hands the small leg's forming bar to the model.
func (e *Engine) syncBreadthForming() {
	if e.bm == nil {
		return
	}
	s := e.bleg
	if s.hasForm {
		e.bm.Forming(s.forming.Time, s.forming.Close)
	} else {
		e.bm.Forming(time.Time{}, 0)
	}
}

// MemberList is a breadth universe's members list as loaded (Input).
type MemberList struct {
	Universe string   // "iwm", "ijr" or the members file's path
	Members  []string // canonical tickers
}

// applyMembers applies an Input's members list, histories and load
// progress.
func (e *Engine) applyMembers(in Input) {
	if in.MembersLoad != nil {
		e.bload = *in.MembersLoad
		e.bload.Note = sanitize(e.bload.Note, 120)
		e.bload.Error = sanitize(e.bload.Error, 200)
		e.bload.Starts = sanitize(e.bload.Starts, 10)
		// A load that ended without a member (the list or the pair's
		// history failed) leaves the next one partial until it is done.
		e.bloaded = e.bloaded || e.bload.Done && e.bload.Loaded > 0
		e.bpartial = !e.bloaded
	}
	if e.bm != nil && in.MemberList != nil {
		e.bm.SetMembers(sanitize(in.MemberList.Universe, 200), in.MemberList.Members)
	}
	if e.bm == nil || len(in.Members) == 0 {
		return
	}
	keys := make([]string, 0, len(in.Members))
	for k := range in.Members {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, sym := range keys {
		bars := in.Members[sym]
		for i := range bars {
			bars[i].Time = e.dateKey(bars[i].Time)
		}
		_ = e.bm.Member(sym, bars) // bad bars are dropped; the member stays
	}
}

// memberQuote routes a quote for a member that is not a watched symbol to
// the breadth model; false when sym is not a member.
func (e *Engine) memberQuote(q *Quote) bool {
	if e.bm == nil || !e.bm.IsMember(q.Symbol) {
		return false
	}
	if validPrice(q.Price) && !q.Time.IsZero() {
		e.bm.MemberQuote(q.Symbol, e.cal.TradingDate(q.Time), q.Price)
	}
	return true
}

// confirmClosed rebuilds the confirmation items from the closed bars.
func (e *Engine) confirmClosed() {
	if e.cm == nil {
		return
	}
	e.cm.Closed(func(sym string) []Bar {
		if i, ok := e.index[sym]; ok {
			return e.syms[i].daily
		}
		return nil
	}, e.series)
}

// confirmations evaluates the strip on the live bars.
func (e *Engine) confirmations() []Confirmation {
	if e.cm == nil {
		return nil
	}
	cs := e.cm.Eval(func(sym string) (time.Time, float64, bool) {
		i, ok := e.index[sym]
		if !ok || !e.syms[i].hasForm {
			return time.Time{}, 0, false
		}
		f := e.syms[i].forming
		return f.Time, f.Close, true
	})
	if len(e.errs) > 0 || len(e.serErrs) > 0 {
		for i := range cs {
			cs[i].Missing = e.confirmMissing(cs[i])
		}
	}
	return cs
}

// confirmMissing is why an item has no value, from its legs' errors or
// its series' ("no file: QQQ", "no data: HYG", "no file: DGS2"); "" when
// it has one or nothing it needs failed.
func (e *Engine) confirmMissing(c Confirmation) string {
	if c.Value.Valid {
		return ""
	}
	var files, other []string
	if c.Kind == ConfirmKindYield {
		switch msg, ok := e.serErrs[c.Series]; {
		case !ok:
		case strings.Contains(msg, "no file "):
			files = append(files, c.Series)
		default:
			other = append(other, c.Series)
		}
	}
	for _, leg := range strings.Split(c.Label, "/") {
		if c.Kind == ConfirmKindYield {
			break
		}
		x, ok := e.errs[leg]
		switch {
		case !ok:
		case strings.Contains(x.message(), "no file "):
			files = append(files, leg)
		default:
			other = append(other, leg)
		}
	}
	switch {
	case len(other) > 0:
		return "no data: " + strings.Join(append(files, other...), ", ")
	case len(files) > 0:
		return "no file: " + strings.Join(files, ", ")
	}
	return ""
}

// breadthPartial reports whether the breadth is partial: the members'
// first load is still running, so the values cover only the members loaded
// so far. Its flags are then not evaluated (neither shown as a state nor
// recorded) until the whole list is in: a share of a third of the index is
// not the index's breadth.
func (e *Engine) breadthPartial() bool { return e.bm != nil && e.bpartial }

// breadthSnapshot returns the breadth and the load progress for a snapshot
// (the breadth marked Partial while the first load runs).
func (e *Engine) breadthSnapshot() (*Breadth, *BreadthLoad) {
	if e.bm == nil {
		return nil, nil
	}
	l := e.bload
	b := e.bm.Breadth()
	if b != nil && e.breadthPartial() {
		c := *b
		c.Partial = true
		b = &c
	}
	return b, &l
}

// splitKey is what an analogs split was computed from.
type splitKey struct {
	analogs *Analogs
	hist    *BreadthPoint // the history's first point: a new history is a new array
	n       int
}

// analogsWithBreadth returns the study with its events split by breadth
// (a copy: the study's own result is shared with earlier snapshots), the
// study itself without a universe. The split is recomputed only when the
// study or the breadth history changed.
func (e *Engine) analogsWithBreadth(b *Breadth) *Analogs {
	if e.analogs == nil || e.bm == nil || e.breadthPartial() {
		return e.analogs // a partial breadth splits nothing
	}
	k := splitKey{analogs: e.analogs}
	if b != nil && len(b.History) > 0 {
		k.hist, k.n = &b.History[0], len(b.History)
	}
	if k != e.splitKey || e.split == nil {
		a := *e.analogs
		a.Breadth = e.bm.Split(e.analogs)
		e.split, e.splitKey = &a, k
	}
	return e.split
}

// memberIntraday takes the breadth members' minute bars of an Input (a
// streaming feed's bars for them, whole days or updates): each member's
// latest close is its live price. It runs after the watched symbols' bars
// and quotes, so the small leg's forming bar (the date the quotes count
// for) is known.
func (e *Engine) memberIntraday(bars map[string][]Bar, updates []Bar) {
	if e.bm == nil || len(bars) == 0 && len(updates) == 0 {
		return
	}
	synced := false
	for sym, in := range bars {
		e.memberBars(sym, in, &synced)
	}
	for i := 0; i < len(updates); {
		j := i + 1
		for j < len(updates) && updates[j].Symbol == updates[i].Symbol {
			j++
		}
		e.memberBars(updates[i].Symbol, updates[i:j], &synced)
		i = j
	}
	if synced {
		e.computeBreadthFlags()
	}
}

// memberBars takes the newest of a member's bars as its live price (not a
// member's, or a watched symbol's: nothing).
func (e *Engine) memberBars(sym string, in []Bar, synced *bool) {
	if _, watched := e.index[sym]; watched || len(in) == 0 || !e.bm.IsMember(sym) {
		return
	}
	if !*synced {
		e.syncBreadthForming()
		*synced = true
	}
	b := in[len(in)-1]
	for _, x := range in[:len(in)-1] {
		if x.Time.After(b.Time) {
			b = x
		}
	}
	if validPrice(b.Close) && !b.Time.IsZero() {
		e.bm.MemberQuote(sym, e.cal.TradingDate(b.Time), b.Close)
	}
}

// breadthCursor is a replay's walk over the breadth history: the history
// (oldest first) and the next point to look at.
type breadthCursor struct {
	hist []BreadthPoint
	i    int
	date string // the date being looked up, formatted once per bar
	// lastThrust is the date of the latest thrust up to the date looked
	// up ("" if none).
	lastThrust string
}

// breadthCursor starts a walk over the model's closed breadth history
// (none while the breadth is partial: the flags wait).
func (e *Engine) breadthCursor() breadthCursor {
	if e.bm == nil || e.breadthPartial() {
		return breadthCursor{}
	}
	if b := e.bm.Breadth(); b != nil {
		return breadthCursor{hist: b.History}
	}
	return breadthCursor{}
}

// breadthFlagsAt is the breadth flags' committed inputs on the pair's date
// d (off when the history has no point for it) with the values they compare
// (% above the 50-day average, the Zweig EMA); calls come with increasing d.
func (e *Engine) breadthFlagsAt(d time.Time, c *breadthCursor) (above, thrust bool, pct, zweig Num) {
	if len(c.hist) == 0 {
		return false, false, Num{}, Num{}
	}
	var buf [10]byte
	key := d.AppendFormat(buf[:0], "2006-01-02") // no allocation in the replay
	for c.i < len(c.hist) && c.hist[c.i].Date < string(key) {
		if c.hist[c.i].Thrust {
			c.lastThrust = c.hist[c.i].Date
		}
		c.i++
	}
	if c.i < len(c.hist) && c.hist[c.i].Date == string(key) {
		p := &c.hist[c.i]
		if p.Thrust {
			c.lastThrust = p.Date
		}
		return p.AboveOn, p.ThrustRecent, p.PctAboveSMA50, p.ZweigEMA10
	}
	return false, false, Num{}, Num{}
}

// breadthThresholds are the breadth flags' thresholds (absent without a
// universe).
func (e *Engine) breadthThresholds() (above, thrust Num) {
	if e.bm == nil {
		return Num{}, Num{}
	}
	return Some(e.bm.AboveThreshold()), Some(breadthThrustHigh)
}

// computeBreadthFlags refreshes the live breadth flags: forming when the
// members' quotes cover today's bar and the condition holds on it.
func (e *Engine) computeBreadthFlags() {
	if e.bm == nil {
		return
	}
	if e.breadthPartial() { // not evaluated until every member is loaded
		thr := Some(e.breadthThreshold())
		e.flags[fBreadthAbove].set(flagRun{}, Num{}, thr, false, time.Time{}, false)
		e.flags[fBreadthThrust].set(flagRun{}, Num{}, Some(breadthThrustHigh), false, time.Time{}, false)
		return
	}
	var pct, zw Num
	var date time.Time
	forming := false
	if b := e.bm.Breadth(); b != nil {
		pct, zw = b.PctAboveSMA50, b.ZweigEMA10
		if b.Forming {
			if t, err := time.ParseInLocation("2006-01-02", b.AsOf, e.loc); err == nil {
				date, forming = t, true
			}
		}
	}
	above, thrust, ok := e.bm.FlagInputs()
	forming = forming && ok
	thr := Some(e.breadthThreshold())
	e.flags[fBreadthAbove].set(e.runs[fBreadthAbove], pct, thr, forming, date, above)
	e.flags[fBreadthThrust].set(e.runs[fBreadthThrust], zw, Some(breadthThrustHigh), forming, date, thrust)
}

// breadthThrustHigh is the Zweig EMA a thrust must exceed (shown as the
// breadth_thrust flag's threshold).
const breadthThrustHigh = 0.615

// breadthThreshold is the breadth_above_sma50 threshold (percent).
func (e *Engine) breadthThreshold() float64 { return e.bm.AboveThreshold() }

// histKey identifies a breadth history the flag runs were replayed on.
type histKey struct {
	first   *BreadthPoint
	n       int
	partial bool // replayed while the breadth was partial (the flags waited)
}

// syncBreadthFlags replays the flag runs when the breadth history changed
// (members loaded, a day closed) and refreshes the live breadth flags.
func (e *Engine) syncBreadthFlags() {
	if e.bm == nil {
		return
	}
	k := histKey{partial: e.breadthPartial()}
	if b := e.bm.Breadth(); b != nil && len(b.History) > 0 {
		k.first, k.n = &b.History[0], len(b.History)
	}
	if k != e.flagHist {
		e.flagHist = k
		e.recomputeFlagRuns()
		e.computePairFlags()
		e.computeBreadthFlag()
	}
	e.computeBreadthFlags()
}
