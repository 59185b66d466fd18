package engine

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// PairSeries is the pair's joined daily bars (dates both legs have), oldest
// first, closed bars only. It is handed to the study hook and owned by it.
type PairSeries struct {
	Dates        []time.Time
	Small, Large []Bar
}

// Input is one unit of work for Run: everything is applied in field order
// (Now first as the engine's notion of "now", then Daily, Intraday, Quotes,
// Advance(Now), Errors), then one Snapshot is published.
//
// Per-symbol errors are kept by where they came from. Errors of an Input
// without Live are history errors: they stay until that symbol's daily
// history loads successfully. Errors of a Live Input (one live batch, a
// poll of the feed), rejected quotes and rejected intraday bars are live
// errors: a live error is cleared by the next valid quote or intraday bars
// of its symbol, and by the next Live Input of the same feed that does not
// report it (each poll reports every current per-symbol error, so the
// newest batch's set is authoritative).
type Input struct {
	Daily    map[string][]Bar
	Intraday map[string][]Bar
	Quotes   []Quote
	Now      time.Time
	Errors   []SymbolError
	Feed     string
	// Live marks one live batch of Feed: its Errors (with the quotes it
	// rejects) replace the earlier live errors of that feed.
	Live bool
	// Skipped counts the rows left out of each Daily series by its source
	// (absent: none). It belongs to Daily: a symbol whose history loads
	// gets its entry here, or none.
	Skipped map[string]SkippedRows
	// Starts gives, for symbols without history, the date their data
	// begins (a replay from before it): until their first quote they are
	// listed as notices ("data starts 2022-09-30"), not as "no data" errors.
	Starts map[string]time.Time
	// Members are breadth members' daily histories (see SetBreadth);
	// MembersLoad, if set, is the members' load progress.
	Members     map[string][]Bar
	MembersLoad *BreadthLoad
	// MemberList, if set, replaces the breadth universe's members list
	// (applied before Members).
	MemberList *MemberList
	// Series are daily observation series by id (e.g. "DGS2" for the
	// confirmation strip); each replaces the earlier one of its id.
	Series map[string][]Observation
	// SeriesErrors are the series that could not be loaded, by id (Symbol:
	// "DGS2", Message: "replay: no file DIR/DGS2.csv"): the strip's item
	// without a value says why (Confirmation.Missing). A series that loads
	// clears its error.
	SeriesErrors []SymbolError
	// Pair, if set, switches the charted pair (SetPair) before anything
	// else is applied; an invalid pair is reported as an error of its
	// small leg and changes nothing.
	Pair *PairChoice
	// Provenance, if set, replaces what the snapshots say about where the
	// data comes from (shared, never modified). It is applied before the
	// bars: what it says about consolidated volume (VolumePartial,
	// VolumeConsolidatedTo) decides how RVOL counts them (volume.go).
	Provenance *Provenance
	// IntradayUpdates are a streaming feed's new and corrected 1-minute
	// bars (UpdateIntraday), applied after Intraday: each run of one
	// symbol's bars replaces today's bars within its time range, the
	// others stay. Breadth members' bars count as their live prices.
	IntradayUpdates []Bar
	// Applied, if set, is closed by Run once this Input is applied (before
	// its Snapshot is published): a producer paces itself on it, e.g. the
	// members' load, which keeps no more than two batches of bars alive.
	Applied chan struct{}
}

// sectorState links a sector pair to its legs.
type sectorState struct {
	pair         SectorPair
	small, large *symState
}

// maxErrors bounds the per-symbol error list kept for snapshots.
const maxErrors = 64

// Engine is capwatch's market model. It is not safe for concurrent use: one
// goroutine owns it (see Run); readers use the immutable Snapshots.
type Engine struct {
	cfg   Config
	cal   *calendar.Calendar
	loc   *time.Location
	syms  []*symState
	index map[string]int

	small, large *symState
	pair         *pairState
	sectors      []sectorState

	runs [nFlags]flagRun
	// runScratch and chScratch are the flag replay's working state;
	// changes is the published list of committed changes (read-only).
	runScratch [nFlags]flagRun
	chScratch  []FlagChange
	chFrom     time.Time // changes before this date are not listed
	changes    []FlagChange
	closes     [nFlags]barClose // each flag's last closed bar, formatted once per new date
	flags      [nFlags]flagLive
	texts      [nFlags]string

	study   func(PairSeries) (*Risk, *Analogs)
	risk    *Risk
	analogs *Analogs

	rot      *rotation.Computer
	rotIn    rotation.Input
	rotation *rotation.Rotation // the last computed map (published as is)
	rotCh    []RotationChange   // its quadrant changes, dated (published as is)

	evbuf   []BarEvent
	cursors []int // scratch for the flag replay (two per sector pair)
	errs    map[string]symErr
	errOr   []string // error symbols in first-seen order
	liveGen uint64   // the Live Input being applied (0: none)
	gens    uint64   // Live Inputs seen

	seq   uint64
	feed  string
	prov  *Provenance
	cstmt consStmt // what prov says about consolidated volume (volume.go)
	now   time.Time

	aggBuf, runBuf []Bar // scratch of UpdateIntraday

	pub pubCache // what the last snapshot shared, reused while unchanged

	bleg     *symState    // the breadth universe's leg: the pair's small leg at New (it stays when the pair switches)
	bm       BreadthModel // the member universe (nil: none)
	cm       ConfirmModel // the confirmation strip (nil: none)
	legKey   legKey       // the small leg's closed bars the model has
	split    *Analogs     // the study with its breadth split (analogsWithBreadth)
	splitKey splitKey
	flagHist histKey // the breadth history the flag runs were replayed on
	bload    BreadthLoad
	// bpartial: the members' first load is running (a progress said not
	// done, none said done yet): the breadth covers only the members
	// loaded so far and its flags wait (breadthPartial).
	bpartial bool
	bloaded  bool // a load finished once
	series   map[string][]Observation
	serErrs  map[string]string // why a series could not be loaded, by id

	closedDirty bool // a daily bar was committed, revised or loaded
	pairRebuild bool // a pair leg was revised or reloaded
	pairChanged bool // the joined series changed since the study last ran
}

// New builds an engine for cfg. cal is the exchange calendar (calendar.NYSE()).
func New(cfg Config, cal *calendar.Calendar) (*Engine, error) {
	if cal == nil {
		return nil, fmt.Errorf("engine: new: nil calendar")
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("engine: new: %w", err)
	}
	if cfg.Intraday == Daily {
		cfg.Intraday = Minute1
	}
	if cfg.DailyKeep <= 0 {
		cfg.DailyKeep = 300
	}
	e := &Engine{
		cfg:   cfg,
		cal:   cal,
		loc:   calendar.Location(),
		index: map[string]int{},
		errs:  map[string]symErr{},
		evbuf: make([]BarEvent, 0, 8),
		texts: flagTexts(cfg),
	}
	roles := map[string]Role{cfg.Small: RoleSmall, cfg.Large: RoleLarge}
	for _, s := range cfg.Extras {
		if _, ok := roles[s]; !ok {
			roles[s] = RoleExtra
		}
	}
	for _, p := range cfg.Sectors {
		if _, ok := roles[p.Small]; !ok {
			roles[p.Small] = RoleSectorSmall
		}
		if _, ok := roles[p.Large]; !ok {
			roles[p.Large] = RoleSectorLarge
		}
	}
	for _, s := range cfg.Confirm {
		if _, ok := roles[s]; !ok {
			roles[s] = RoleConfirm
		}
	}
	for _, sym := range cfg.Symbols() {
		st, err := newSymStreams()
		if err != nil {
			return nil, fmt.Errorf("engine: new: streams for %s: %w", sym, err)
		}
		db, err := NewBarBuilder(sym, Daily, cal)
		if err != nil {
			return nil, fmt.Errorf("engine: new: %w", err)
		}
		ib, err := NewBarBuilder(sym, cfg.Intraday, cal)
		if err != nil {
			return nil, fmt.Errorf("engine: new: %w", err)
		}
		s := &symState{sym: sym, role: roles[sym], st: st, dailyB: db, intraB: ib, cal: cal}
		e.index[sym] = len(e.syms)
		e.syms = append(e.syms, s)
	}
	e.small, e.large = e.bySym(cfg.Small), e.bySym(cfg.Large)
	e.bleg = e.small
	p, err := newPairState(e.small, e.large)
	if err != nil {
		return nil, fmt.Errorf("engine: new: pair streams: %w", err)
	}
	e.pair = p
	for _, sp := range cfg.Sectors {
		ss := sectorState{pair: sp, small: e.bySym(sp.Small), large: e.bySym(sp.Large)}
		e.sectors = append(e.sectors, ss)
		ss.small.sectorLeg, ss.large.sectorLeg = true, true
	}
	e.cursors = make([]int, 0, 2*len(e.sectors))
	if e.rot, err = rotation.NewComputer(cfg.Rotation, cal); err != nil {
		return nil, fmt.Errorf("engine: new: %w", err)
	}
	e.rotIn = rotation.Input{Small: cfg.Small, Large: cfg.Large, Series: make(map[string]rotation.Series, len(e.syms))}
	for _, sp := range cfg.Sectors {
		e.rotIn.Sectors = append(e.rotIn.Sectors, rotation.Sector{Name: sp.Name, Small: sp.Small, Large: sp.Large})
	}
	e.refreshAll()
	return e, nil
}

func (e *Engine) bySym(sym string) *symState { return e.syms[e.index[sym]] }

// sanitize makes a feed-supplied string safe to show: escape sequences and
// control characters are dropped, white space collapses, and the length is
// bounded (in runes).
func sanitize(s string, max int) string { return termsafe.Line(s, max) }

// maxSkipReason bounds a skipped row's reason. It is above the longest
// reason feeds/csvbars gives, so none is cut mid-word (QA-4 N2: the
// stray-date reason, 71 characters, was cut mid-date at 60): "bad volume "
// (11) + a cell quoted at 40 characters, each '"' escaped, then "…"
// (2 + 80 + 1) = 94; `volume "<41 digits>"… above 1e15` = 61; the
// stray date's `date D out of order (the file runs D to D)` = 71.
const maxSkipReason = 120

// symErr is a symbol's current errors, by origin; the snapshot shows the
// live one if there is one, else the history one.
type symErr struct {
	hist     string // from a history load: cleared when the history loads
	live     string // from the live feed: cleared on recovery (see Input)
	liveGen  uint64 // the Live Input that reported live (0: none)
	liveFeed string // the feed that reported live
}

func (x symErr) message() string {
	if x.live != "" {
		return x.live
	}
	return x.hist
}

// noteErr records the latest error of a symbol (bounded), a live one if
// live, else a history one.
func (e *Engine) noteErr(sym, msg string, live bool) {
	sym, msg = sanitize(sym, 20), sanitize(msg, 200)
	if msg == "" {
		msg = "error"
	}
	x, ok := e.errs[sym]
	if !ok {
		if len(e.errOr) >= maxErrors {
			return
		}
		e.errOr = append(e.errOr, sym)
	}
	if live {
		x.live, x.liveGen, x.liveFeed = msg, e.liveGen, e.feed
		if i, ok := e.index[sym]; ok {
			e.syms[i].liveErr = true
		}
	} else {
		x.hist = msg
	}
	e.errs[sym] = x
}

// clearErr clears the live or the history error of sym (the symbol is
// dropped from the list when it has neither).
func (e *Engine) clearErr(sym string, live bool) {
	x, ok := e.errs[sym]
	if !ok {
		return
	}
	if live {
		x.live, x.liveGen, x.liveFeed = "", 0, ""
		if i, ok := e.index[sym]; ok {
			e.syms[i].liveErr = false
		}
	} else {
		x.hist = ""
	}
	if x.live != "" || x.hist != "" {
		e.errs[sym] = x
		return
	}
	delete(e.errs, sym)
	for i, s := range e.errOr {
		if s == sym {
			e.errOr = append(e.errOr[:i], e.errOr[i+1:]...)
			break
		}
	}
}

// sweepLive clears the live errors of the current feed that the Live Input
// being applied (liveGen) did not report.
func (e *Engine) sweepLive() {
	for i := 0; i < len(e.errOr); {
		sym := e.errOr[i]
		if x := e.errs[sym]; x.live != "" && x.liveFeed == e.feed && x.liveGen != e.liveGen {
			e.clearErr(sym, true)
			if _, kept := e.errs[sym]; !kept {
				continue // sym left the list: the next one moved to i
			}
		}
		i++
	}
}

// dateKey normalises a daily bar time to NY midnight of its NY date.
func (e *Engine) dateKey(t time.Time) time.Time {
	y, m, d := t.In(e.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, e.loc)
}

// LoadHistory replaces the daily history of the symbols in daily (oldest
// first per symbol) and rebuilds their streams. A series that is not sorted
// or has a non-positive price is rejected (reported, previous history kept);
// unknown symbols are reported. If the engine's "now" (the last Advance or
// Input.Now) falls before the session close of the last bar's date, that bar
// is treated as the forming bar of the day rather than a closed one.
func (e *Engine) LoadHistory(daily map[string][]Bar) []SymbolError {
	return e.loadHistory(daily, nil)
}

// loadHistory is LoadHistory; skipped gives the rows each series' source
// left out (kept with the series, replaced by the next load).
func (e *Engine) loadHistory(daily map[string][]Bar, skipped map[string]SkippedRows) []SymbolError {
	var errs []SymbolError
	report := func(sym, msg string) {
		e.noteErr(sym, msg, false)
		errs = append(errs, SymbolError{Symbol: sanitize(sym, 20), Message: sanitize(msg, 200)})
	}
	keys := make([]string, 0, len(daily))
	for k := range daily {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, sym := range keys {
		i, ok := e.index[sym]
		if !ok {
			report(sym, "history: not in the watchlist")
			continue
		}
		s := e.syms[i]
		in := daily[sym]
		if len(in) == 0 {
			continue
		}
		bars := make([]Bar, len(in), len(in)+64)
		for k, b := range in {
			b.Symbol = sym
			b.Time = e.dateKey(b.Time)
			bars[k] = b
		}
		if err := validateBars(bars); err != nil {
			report(sym, "history: "+err.Error())
			continue
		}
		var forming *Bar
		if !e.now.IsZero() {
			last := bars[len(bars)-1]
			if _, cl, ok := e.cal.Session(last.Time); ok && e.now.Before(cl) {
				forming = &last
				bars = bars[:len(bars)-1]
			}
		}
		if forming != nil {
			s.formAt = e.now // the history's partial bar is as of the engine's now
		}
		if forming == nil && s.hasForm && (len(bars) == 0 || s.forming.Time.After(bars[len(bars)-1].Time)) {
			f := s.forming // keep today's live bar
			forming = &f
		}
		s.daily = bars
		s.rebuild()
		s.hasForm = forming != nil
		if forming != nil {
			s.forming = *forming
		}
		s.dailyB.Seed(bars, forming)
		if n := len(bars); n > 0 {
			if _, cl, ok := e.cal.Session(bars[n-1].Time); ok && cl.After(s.dataTime) {
				s.dataTime = cl
			}
		}
		sk := skipped[sym]
		sk.Source, sk.Reason = sanitize(sk.Source, 200), sanitize(sk.Reason, maxSkipReason)
		s.skipped, s.starts = sk, time.Time{}
		e.clearErr(sym, false)
		e.closedDirty, s.rebuilt = true, true
		if s == e.small || s == e.large {
			e.pairRebuild = true
		}
	}
	e.settle()
	return errs
}

// ApplyQuotes folds live quotes into the bars. Invalid quotes (unknown
// symbol, non-positive or non-finite price, invalid volume, zero time) are
// rejected and reported, never applied. In steady state (no bar closing) it
// does not allocate.
//
// With a breadth universe, a batch that spans several trading dates (a
// replay's or a slow engine's backlog) is applied one date at a time: the
// watched symbols' quotes of a date, then the members' quotes of that date,
// so every closed date of the small leg has the members' closes on it
// however many dates one batch carries.
func (e *Engine) ApplyQuotes(qs []Quote) []SymbolError {
	if e.bm == nil {
		errs, _ := e.applyWatched(qs, nil)
		e.settle()
		return errs
	}
	var errs []SymbolError
	members := false
	for len(qs) > 0 {
		n := e.dayRun(qs)
		var m bool
		errs, m = e.applyWatched(qs[:n], errs)
		if m {
			// The small leg's dates closed by this date's quotes first (the
			// members' quotes of the day before become its bars), then this
			// date's member quotes.
			e.syncBreadthClosed()
			e.syncBreadthForming()
			for k := range qs[:n] {
				if _, watched := e.index[qs[k].Symbol]; !watched {
					e.memberQuote(&qs[k])
				}
			}
			members = true
		}
		qs = qs[n:]
	}
	e.settle()
	if members {
		e.computeBreadthFlags()
	}
	return errs
}

// dayRun is the length of the leading run of qs on the trading date of
// qs[0].
func (e *Engine) dayRun(qs []Quote) int {
	d := e.cal.TradingDate(qs[0].Time)
	end := e.cal.NextTradingDate(d)
	n := 1
	for n < len(qs) && !qs[n].Time.Before(d) && qs[n].Time.Before(end) {
		n++
	}
	return n
}

// applyWatched applies the watched symbols' quotes of qs (appending the
// rejected ones' errors to errs); members reports whether qs hold quotes
// for breadth members (left for the caller).
func (e *Engine) applyWatched(qs []Quote, errs []SymbolError) (_ []SymbolError, members bool) {
	for k := range qs {
		q := &qs[k]
		i, ok := e.index[q.Symbol]
		var msg string
		switch {
		case !ok && e.bm != nil && e.bm.IsMember(q.Symbol):
			members = true // after the watched symbols: the small leg's forming bar first
			continue
		case !ok:
			msg = "quote: not in the watchlist"
		case !validPrice(q.Price):
			msg = fmt.Sprintf("quote: invalid price %v", q.Price)
		case !(q.DayVolume >= 0 && q.DayVolume <= maxFloat):
			msg = fmt.Sprintf("quote: invalid volume %v", q.DayVolume)
		case q.Time.IsZero():
			msg = "quote: missing time"
		}
		if msg != "" {
			e.noteErr(q.Symbol, msg, true)
			errs = append(errs, SymbolError{Symbol: sanitize(q.Symbol, 20), Message: msg})
			continue
		}
		e.applyQuote(e.syms[i], q)
	}
	return errs, members
}

// applyQuote is the per-quote hot path.
func (e *Engine) applyQuote(s *symState, q *Quote) {
	if s.liveErr {
		e.clearErr(s.sym, true) // a valid quote: the feed recovered
	}
	if q.Time.After(s.dataTime) {
		s.dataTime = q.Time
	}
	s.delayed = q.Delayed
	ev := s.dailyB.Add(*q, e.evbuf[:0])
	for k := range ev {
		if ev[k].Kind == BarForming {
			s.noteFormAt(q.Time) // the forming bar's volume is as of this quote
		}
	}
	changed := e.handleDaily(s, ev)
	ev = s.intraB.Add(*q, ev[:0])
	e.handleIntra(s, ev)
	e.evbuf = ev[:0]
	if changed {
		e.refreshSym(s)
	}
}

// refreshSym recomputes the live values that depend on s.
func (e *Engine) refreshSym(s *symState) {
	s.computeLive()
	if s == e.small || s == e.large {
		e.pair.computeLive()
		e.computePairFlags()
	}
	if s.sectorLeg {
		e.computeBreadthFlag()
	}
}

// refreshAll recomputes every live value.
func (e *Engine) refreshAll() {
	for _, s := range e.syms {
		s.computeLive()
	}
	e.pair.computeLive()
	e.computePairFlags()
	e.computeBreadthFlag()
}

// handleDaily applies daily bar events; it reports whether anything changed.
func (e *Engine) handleDaily(s *symState, ev []BarEvent) bool {
	for k := range ev {
		b := ev[k].Bar
		switch ev[k].Kind {
		case BarForming:
			s.forming, s.hasForm = b, true
		case BarClosed:
			if s.hasForm && s.forming.Time.Equal(b.Time) {
				s.hasForm = false
			}
			s.commit(b)
			s.updateDollar()
			e.closedDirty = true
		case BarRevised:
			s.revise(b)
			e.closedDirty, s.rebuilt = true, true
			if s == e.small || s == e.large {
				e.pairRebuild = true
			}
		}
	}
	return len(ev) > 0
}

// handleIntra applies intraday bar events to today's bars. A change to a
// close that snapshots already share (pubCloses) drops pubCloses, so the
// next snapshot builds a new array and published ones never change.
func (e *Engine) handleIntra(s *symState, ev []BarEvent) {
	if len(ev) > 0 {
		s.intraVer++
	}
	for k := range ev {
		b := ev[k].Bar
		n := len(s.intra)
		switch {
		case n > 0 && s.intra[n-1].Time.Equal(b.Time):
			if n <= len(s.pubCloses) && s.pubCloses[n-1] != b.Close {
				s.pubCloses = nil
			}
			s.intra[n-1] = b
			s.intraForming = ev[k].Kind == BarForming
		case n == 0 || b.Time.After(s.intra[n-1].Time):
			d := e.cal.TradingDate(b.Time)
			if !d.Equal(s.intraDate) {
				s.intra = s.intra[:0]
				s.pubCloses = nil
				s.intraDate = d
			}
			if cap(s.intra) == 0 {
				s.intra = make([]Bar, 0, 400)
			}
			s.intra = append(s.intra, b)
			s.intraForming = ev[k].Kind == BarForming
		case b.Time.Before(s.intraDate):
			// a revision of a bar of an earlier day: not shown any more
		default: // a revision of an older bar of today
			i := sort.Search(n, func(i int) bool { return !s.intra[i].Time.Before(b.Time) })
			if i < n && s.intra[i].Time.Equal(b.Time) {
				if i < len(s.pubCloses) && s.pubCloses[i] != b.Close {
					s.pubCloses = nil
				}
				s.intra[i] = b
			} else {
				if i < len(s.pubCloses) { // the published closes after it shift
					s.pubCloses = nil
				}
				s.intra = append(s.intra, Bar{})
				copy(s.intra[i+1:], s.intra[i:])
				s.intra[i] = b
			}
		}
	}
}

// Advance closes the bars whose period ended at now (daily bars at the
// session close, 13:00 on early-close days) and records now for stale marks.
func (e *Engine) Advance(now time.Time) {
	if now.After(e.now) {
		e.now = now
	}
	for _, s := range e.syms {
		ev := s.dailyB.Advance(now, e.evbuf[:0])
		changed := e.handleDaily(s, ev)
		ev = s.intraB.Advance(now, ev[:0])
		e.handleIntra(s, ev)
		e.evbuf = ev[:0]
		if changed {
			e.refreshSym(s)
		}
	}
	e.settle()
}

// settle brings the pair, the flag history and the study up to date after
// daily bars were committed, revised or loaded (rare; never per quote in
// steady state).
func (e *Engine) settle() {
	if !e.closedDirty && !e.pairRebuild {
		return
	}
	if e.pairRebuild {
		e.pair.rebuild()
		e.pairChanged = true
	} else if e.pair.extend() {
		e.pairChanged = true
	}
	if e.pairRebuild || e.bleg.rebuilt {
		e.legKey = legKey{} // a leg was reloaded or revised: hand it over again
		e.bleg.rebuilt = false
	}
	e.closedDirty, e.pairRebuild = false, false
	e.syncBreadthLeg()
	e.confirmClosed()
	e.recomputeFlagRuns()
	e.computeRotation()
	e.refreshAll()
	if e.pairChanged {
		e.runStudy()
	}
}

// computeRotation recomputes the rotation map from every symbol's closed
// daily bars (on the settle path: a daily close, a revision or a history
// load; never per quote). The new map replaces the published one, which is
// never modified.
func (e *Engine) computeRotation() {
	for _, s := range e.syms {
		e.rotIn.Series[s.sym] = rotation.Series{Days: s.days, Closes: s.closes}
	}
	e.rotation = e.rot.Compute(e.rotIn)
	e.rotCh = e.rotationChanges(e.rotation)
}

// rotationChanges lists the quadrant changes of r's small-vs-large view,
// each dated by its own weekly close and that day's session close, oldest
// first (in the view's order within a week). Nil when there are none.
func (e *Engine) rotationChanges(r *rotation.Rotation) []RotationChange {
	n := 0
	for i := range r.SmallVsLarge {
		n += len(r.SmallVsLarge[i].Changes)
	}
	if n == 0 {
		return nil
	}
	out := make([]RotationChange, 0, n)
	for i := range r.SmallVsLarge {
		en := &r.SmallVsLarge[i]
		for _, c := range en.Changes {
			d := c.Week.In(e.loc)
			out = append(out, RotationChange{Sector: en.Sector, Asset: en.Asset, Benchmark: en.Benchmark,
				Week: c.Week, Close: e.sessionClose(d), From: c.From, To: c.To})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Week < out[j].Week })
	return out
}

// SetStudy installs the hook for the "Now what?" study. It runs after
// LoadHistory and after each closed daily bar of the pair, never per quote.
func (e *Engine) SetStudy(f func(PairSeries) (*Risk, *Analogs)) {
	e.study = f
	if len(e.pair.dates) > 0 {
		e.pairChanged = true
		e.runStudy()
	}
}

func (e *Engine) runStudy() {
	if e.study == nil {
		return
	}
	e.pairChanged = false
	p := e.pair
	ps := PairSeries{
		Dates: append([]time.Time(nil), p.dates...),
		Small: make([]Bar, len(p.dates)),
		Large: make([]Bar, len(p.dates)),
	}
	for k := range p.dates {
		ps.Small[k] = p.small.daily[p.si[k]]
		ps.Large[k] = p.large.daily[p.li[k]]
	}
	e.risk, e.analogs = e.study(ps)
}

// Run owns the engine: it applies each Input in order and publishes one
// Snapshot per Input, until ctx is done or in is closed. It returns ctx.Err().
func (e *Engine) Run(ctx context.Context, in <-chan Input, publish func(*Snapshot)) error {
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case inp, ok := <-in:
			if !ok {
				return ctx.Err()
			}
			e.apply(inp)
			if inp.Applied != nil {
				close(inp.Applied)
			}
			now := inp.Now
			if now.IsZero() {
				now = e.now
			}
			publish(e.Snapshot(now))
		}
	}
}

// apply applies one Input.
func (e *Engine) apply(in Input) {
	if in.Now.After(e.now) {
		e.now = in.Now
	}
	if in.Feed != "" {
		e.feed = sanitize(in.Feed, 32)
	}
	if in.Pair != nil {
		if err := e.SetPair(in.Pair.Small, in.Pair.Large); err != nil {
			e.noteErr(in.Pair.Small, err.Error(), true)
		}
	}
	if in.Provenance != nil {
		e.setProvenance(in.Provenance) // cleaned at the feed boundary (feeds.Sanitized)
	}
	if in.Live {
		e.gens++
		e.liveGen = e.gens
	}
	if in.Daily != nil {
		e.loadHistory(in.Daily, in.Skipped)
	}
	for sym, t := range in.Starts {
		if i, ok := e.index[sym]; ok && !t.IsZero() {
			e.syms[i].starts = e.dateKey(t)
		}
	}
	if in.Intraday != nil {
		e.LoadIntraday(in.Intraday)
	}
	if len(in.IntradayUpdates) > 0 {
		e.UpdateIntraday(in.IntradayUpdates)
	}
	if len(in.Series) > 0 {
		if e.series == nil {
			e.series = map[string][]Observation{}
		}
		for id, obs := range in.Series {
			e.series[sanitize(id, 30)] = obs
			delete(e.serErrs, sanitize(id, 30))
		}
		e.confirmClosed()
	}
	for _, se := range in.SeriesErrors {
		if e.serErrs == nil {
			e.serErrs = map[string]string{}
		}
		e.serErrs[sanitize(se.Symbol, 30)] = sanitize(se.Message, 200)
	}
	e.applyMembers(in)
	if len(in.Quotes) > 0 {
		e.ApplyQuotes(in.Quotes)
	}
	e.memberIntraday(in.Intraday, in.IntradayUpdates)
	if !in.Now.IsZero() {
		e.Advance(in.Now)
	}
	if in.Live {
		// The batch's errors that are listed already are renewed in place,
		// the others cleared, then the new ones listed (within the bound).
		for _, se := range in.Errors {
			if _, ok := e.errs[sanitize(se.Symbol, 20)]; ok {
				e.noteErr(se.Symbol, se.Message, true)
			}
		}
		e.sweepLive()
	}
	for _, se := range in.Errors {
		e.noteErr(se.Symbol, se.Message, in.Live)
	}
	e.liveGen = 0
	e.syncBreadthLeg()
	e.syncBreadthForming()
	e.syncBreadthFlags()
}
