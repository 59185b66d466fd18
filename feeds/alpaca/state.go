package alpaca

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/calendar"
)

// symState is one symbol's live state.
type symState struct {
	sym       string
	day       []engine.Bar // the current session's 1-minute bars, oldest first
	dayOpen   time.Time    // that session's open
	sip       time.Time    // bars starting before this are consolidated (SIP)
	vol       float64      // sum of day's volumes
	trade     engine.Quote // the newest trade
	hasTrade  bool
	barsDirty bool
	// pend holds the bars added or replaced since the last batch (sent
	// as updates); whole is set when a bar was removed: the next batch
	// sends the whole day instead.
	pend     []engine.Bar
	whole    bool
	tradeNew bool
	queued   bool // in state.dirty
}

// state is the stream's view of the market, shared by the connection's
// reader, the session loop and the batch sender. Everything is guarded by mu.
type state struct {
	mu    sync.Mutex
	cal   *calendar.Calendar
	syms  []symState
	index map[string]int
	dirty []int

	delayed bool // quotes are 15 minutes late (delayed_sip)
	sipFeed bool // the stream itself is consolidated (sip, delayed_sip)

	status      feeds.Status
	statusDirty bool
	symErrs     []engine.SymbolError // per-symbol problems (complete set)
	errsDirty   bool
	seq         uint64
	kick        chan struct{} // something to send (capacity 1)
	lastData    time.Time
	now         time.Time // the reader's clock reading for the current frame
	prov        *engine.Provenance
	history     []engine.HistorySpan
	provLabel   string
}

func newState(symbols []string, cal *calendar.Calendar, feed string) *state {
	st := &state{cal: cal, index: make(map[string]int, len(symbols)), kick: make(chan struct{}, 1)}
	for _, s := range symbols {
		if _, dup := st.index[s]; dup {
			continue
		}
		st.index[s] = len(st.syms)
		st.syms = append(st.syms, symState{sym: s})
	}
	st.delayed = feed == "delayed_sip"
	st.sipFeed = feed != "iex"
	return st
}

func (st *state) signal() {
	select {
	case st.kick <- struct{}{}:
	default:
	}
}

func (st *state) markDirty(i int) {
	if !st.syms[i].queued {
		st.syms[i].queued = true
		st.dirty = append(st.dirty, i)
	}
}

// session returns the regular session that the 1-minute bars at now
// belong to: today's once it has opened, else the last one.
func sessionAt(cal *calendar.Calendar, now time.Time) (open, close time.Time, ok bool) {
	open, close, ok = cal.Session(now)
	if ok && !now.Before(open) {
		return open, close, true
	}
	prev := cal.PrevTradingDate(now)
	return cal.Session(prev.Add(12 * time.Hour))
}

// dataInterval is how often new data is due at now (what "stale" is
// judged against): a minute bar a minute in the regular session; outside
// it nothing comes (bars outside the session are left out) until the next
// open, so the last session's data is current until then.
func dataInterval(cal *calendar.Calendar, now time.Time) time.Duration {
	if cal.StateAt(now) == calendar.Regular {
		return time.Minute
	}
	if d := cal.NextOpen(now).Sub(now); d > time.Minute {
		return d
	}
	return time.Minute
}

// trade folds a trade into the symbol's newest quote (lock held).
func (st *state) trade(m *Msg, now time.Time) {
	i, ok := st.index[string(m.Symbol)]
	if !ok || !(m.Price > 0) || m.Time.IsZero() {
		return
	}
	s := &st.syms[i]
	if s.hasTrade && m.Time.Before(s.trade.Time) {
		return // an older trade arriving late: the newest price stands
	}
	s.trade = engine.Quote{Symbol: s.sym, Price: m.Price, Time: m.Time, Received: now, Delayed: st.delayed}
	s.hasTrade, s.tradeNew = true, true
	st.markDirty(i)
}

// bar folds a streamed minute bar (lock held). Bars outside the regular
// session are left out (as the other feeds do); on the IEX feed an IEX bar
// never replaces a consolidated one.
func (st *state) bar(m *Msg) {
	i, ok := st.index[string(m.Symbol)]
	if !ok {
		return
	}
	st.upsert(i, engine.Bar{Symbol: st.syms[i].sym, Time: m.Time, Open: m.Open, High: m.High, Low: m.Low, Close: m.Close, Volume: m.Volume}, false)
}

// upsert inserts or replaces one minute bar of symbol i (lock held).
func (st *state) upsert(i int, b engine.Bar, consolidated bool) {
	if !(b.Close > 0 && b.Open > 0 && b.High > 0 && b.Low > 0 && b.Volume >= 0) || b.Time.IsZero() {
		return
	}
	open, close, ok := st.cal.Session(b.Time)
	if !ok || b.Time.Before(open) || !b.Time.Before(close) {
		return
	}
	s := &st.syms[i]
	switch {
	case open.After(s.dayOpen): // a new session: start over (the engine does on a new date)
		s.day, s.dayOpen, s.sip, s.vol = s.day[:0], open, open, 0
		s.pend, s.whole = s.pend[:0], false
	case open.Before(s.dayOpen):
		return // a bar of an older session
	}
	if !consolidated && !st.sipFeed && b.Time.Before(s.sip) {
		return
	}
	n := len(s.day)
	switch {
	case n == 0 || s.day[n-1].Time.Before(b.Time):
		s.day = append(s.day, b)
	default:
		k := sort.Search(n, func(j int) bool { return !s.day[j].Time.Before(b.Time) })
		if k < n && s.day[k].Time.Equal(b.Time) {
			if s.day[k] == b {
				return
			}
			s.vol -= s.day[k].Volume
			s.day[k] = b
		} else {
			s.day = append(s.day, engine.Bar{})
			copy(s.day[k+1:], s.day[k:])
			s.day[k] = b
		}
	}
	s.vol += b.Volume
	s.pend = append(s.pend, b)
	s.barsDirty = true
	st.markDirty(i)
}

// consolidate records that the symbol's bars before t are SIP bars (lock held).
func (st *state) consolidate(i int, open, t time.Time) {
	s := &st.syms[i]
	if open.Equal(s.dayOpen) && t.After(s.sip) {
		s.sip = t
	} else if open.After(s.dayOpen) {
		s.day, s.dayOpen, s.sip, s.vol = s.day[:0], open, t, 0
		s.pend, s.whole = s.pend[:0], false
	}
}

// dropUnconsolidated removes the symbol's bars of the session that opens
// at open from its consolidated horizon up to t that the consolidated
// bars sip (the SIP reply for those minutes) do not have (lock held):
// those minutes have no consolidated bar. Such a removal makes the next
// batch send the symbol's whole day (updates only replace or add).
func (st *state) dropUnconsolidated(i int, open, t time.Time, sip []engine.Bar) {
	s := &st.syms[i]
	if !open.Equal(s.dayOpen) {
		return
	}
	kept := s.day[:0:0]
	removed := false
	for k, b := range s.day {
		if !b.Time.Before(s.sip) && b.Time.Before(t) && !hasMinute(sip, b.Time) {
			if !removed {
				kept = append(kept, s.day[:k]...)
			}
			s.vol -= b.Volume
			removed = true
			continue
		}
		if removed {
			kept = append(kept, b)
		}
	}
	if removed {
		s.day = kept
		s.barsDirty, s.whole = true, true
		st.markDirty(i)
	}
}

// hasMinute reports whether bars has a bar starting at t.
func hasMinute(bars []engine.Bar, t time.Time) bool {
	for k := range bars {
		if bars[k].Time.Equal(t) {
			return true
		}
	}
	return false
}

// lastBar returns the newest bar time of any symbol in the session that
// opens at open (zero if none).
func (st *state) lastBar(open time.Time) time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	var t time.Time
	for i := range st.syms {
		s := &st.syms[i]
		if s.dayOpen.Equal(open) && len(s.day) > 0 && s.day[len(s.day)-1].Time.After(t) {
			t = s.day[len(s.day)-1].Time
		}
	}
	return t
}

// sipThrough returns the earliest consolidated horizon of the session that
// opens at open (every symbol's bars before it are SIP bars).
func (st *state) sipThrough(open time.Time) time.Time {
	st.mu.Lock()
	defer st.mu.Unlock()
	t := time.Time{}
	for i := range st.syms {
		s := &st.syms[i]
		h := open
		if s.dayOpen.Equal(open) {
			h = s.sip
		}
		if t.IsZero() || h.Before(t) {
			t = h
		}
	}
	return t
}

// setStatus replaces the status and asks the sender to send it.
func (st *state) setStatus(s feeds.Status) {
	st.mu.Lock()
	st.status = s
	st.statusDirty = true
	st.mu.Unlock()
	st.signal()
}

// setStatusErrs replaces the status and the per-symbol errors at once (a
// batch never carries one without the other).
func (st *state) setStatusErrs(s feeds.Status, errs []engine.SymbolError) {
	st.mu.Lock()
	st.status, st.symErrs = s, errs
	st.statusDirty, st.errsDirty = true, true
	st.mu.Unlock()
	st.signal()
}

// markStatus asks the sender to send the status again (e.g. the provenance changed).
func (st *state) markStatus() {
	st.mu.Lock()
	st.statusDirty = true
	st.mu.Unlock()
	st.signal()
}

// setSymErrs replaces the per-symbol errors.
func (st *state) setSymErrs(errs []engine.SymbolError) {
	st.mu.Lock()
	st.symErrs = errs
	st.errsDirty = true
	st.mu.Unlock()
	st.signal()
}

// provenance builds the provenance for now (lock held). On the IEX feed
// it says how far today's volume is consolidated (VolumeConsolidatedTo:
// the earliest horizon of the symbols with bars today; the session's open
// when none is), which the engine paces RVOL to.
func (st *state) provenance(now time.Time, prices string) *engine.Provenance {
	p := engine.Provenance{Prices: prices, Volume: "SIP", History: st.history}
	if !st.sipFeed {
		open, close, ok := sessionAt(st.cal, now)
		var through time.Time
		have := false
		for i := range st.syms {
			s := &st.syms[i]
			if !ok || !s.dayOpen.Equal(open) || len(s.day) == 0 {
				continue
			}
			if !have || s.sip.Before(through) {
				through, have = s.sip, true
			}
			if s.day[len(s.day)-1].Time.Before(s.sip) {
				continue
			}
			p.VolumePartial = true
		}
		switch {
		case !have:
			p.Volume = "IEX"
			p.VolumePartial = ok && now.Before(close.Add(SIPDelay))
			through = open
		case !p.VolumePartial:
			p.Volume = "SIP"
		case through.After(open):
			p.Volume = fmt.Sprintf("SIP to %s, IEX after", through.In(calendar.Location()).Format("15:04"))
		default:
			p.Volume = "IEX only"
		}
		if p.VolumePartial && ok {
			p.VolumeConsolidatedTo = through
		}
	}
	label := fmt.Sprintf("%s|%s|%v|%d|%d", p.Prices, p.Volume, p.VolumePartial, len(p.History), p.VolumeConsolidatedTo.Unix())
	if st.prov == nil || label != st.provLabel {
		st.prov, st.provLabel = &p, label
	}
	return st.prov
}

// takeBatch builds the next batch, if there is anything to send (lock
// taken here). Quotes are each symbol's newest trade since the last batch;
// Updates are the bars added or replaced since then (a minute is sent
// once, not the whole day every minute); a symbol that lost a bar (an IEX
// minute the consolidated bars do not have) sends its whole day in Bars.
func (st *state) takeBatch(now time.Time, prices string) (feeds.Batch, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.dirty) == 0 && !st.statusDirty && !st.errsDirty {
		return feeds.Batch{}, false
	}
	if st.status.Feed == "" {
		// No status yet: data that came in just before the session
		// took the subscription's answer waits for it (a batch never
		// goes out with an empty status).
		return feeds.Batch{}, false
	}
	var b feeds.Batch
	nu, nw, nq := 0, 0, 0
	for _, i := range st.dirty {
		s := &st.syms[i]
		switch {
		case !s.barsDirty:
		case s.whole:
			nw += len(s.day)
		default:
			nu += len(s.pend)
		}
		if s.tradeNew {
			nq++
		}
	}
	if nu > 0 {
		b.Updates = make([]engine.Bar, 0, nu)
	}
	if nw > 0 {
		b.Bars = make([]engine.Bar, 0, nw)
	}
	if nq > 0 {
		b.Quotes = make([]engine.Quote, 0, nq)
	}
	for _, i := range st.dirty {
		s := &st.syms[i]
		if s.tradeNew {
			q := s.trade
			q.DayVolume = s.vol
			b.Quotes = append(b.Quotes, q)
		}
		switch {
		case !s.barsDirty:
		case s.whole:
			b.Bars = append(b.Bars, s.day...)
		default:
			b.Updates = append(b.Updates, s.pend...)
		}
		if cap(s.pend) > 16 { // a back-fill's burst: not kept for the steady minute
			s.pend = nil
		}
		s.pend, s.whole = s.pend[:0], false
		s.tradeNew, s.barsDirty, s.queued = false, false, false
	}
	st.dirty = st.dirty[:0]
	st.seq++
	b.Seq = st.seq
	s := st.status
	s.Interval = dataInterval(st.cal, now)
	if !st.lastData.IsZero() && st.lastData.After(s.LastSuccess) {
		s.LastSuccess = st.lastData
	}
	s.Provenance = st.provenance(now, prices)
	b.Status = s
	b.Errors = append([]engine.SymbolError(nil), st.symErrs...)
	st.statusDirty, st.errsDirty = false, false
	return b, true
}
