package engine

import (
	"fmt"
	"sort"
	"time"

	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/engine/ta"
	"github.com/capwatch/capwatch/internal/calendar"
)

// retBars are the bar counts of the 1d/1w/1m/3m returns.
var retBars = [4]int{1, 5, 21, 63}

// symStreams are the daily indicator streams of one symbol.
type symStreams struct {
	sma20, sma50, sma200 *ta.SMA
	ema20                *ta.EMA
	rsi14                *ta.RSI
	atr14                *ta.ATR
	bb                   *ta.BBands
	hi20                 *ta.MAX
	lo20                 *ta.MIN
	rvol20               *ta.RVOL
}

func newSymStreams() (symStreams, error) {
	var s symStreams
	var err error
	if s.sma20, err = ta.NewSMA(20); err != nil {
		return s, err
	}
	if s.sma50, err = ta.NewSMA(50); err != nil {
		return s, err
	}
	if s.sma200, err = ta.NewSMA(200); err != nil {
		return s, err
	}
	if s.ema20, err = ta.NewEMA(20); err != nil {
		return s, err
	}
	if s.rsi14, err = ta.NewRSI(14); err != nil {
		return s, err
	}
	if s.atr14, err = ta.NewATR(14); err != nil {
		return s, err
	}
	if s.bb, err = ta.NewBBands(20, 2, 2); err != nil {
		return s, err
	}
	if s.hi20, err = ta.NewMAX(20); err != nil {
		return s, err
	}
	if s.lo20, err = ta.NewMIN(20); err != nil {
		return s, err
	}
	if s.rvol20, err = ta.NewRVOL(20); err != nil {
		return s, err
	}
	return s, nil
}

func (s *symStreams) reset() {
	s.sma20.Reset()
	s.sma50.Reset()
	s.sma200.Reset()
	s.ema20.Reset()
	s.rsi14.Reset()
	s.atr14.Reset()
	s.bb.Reset()
	s.hi20.Reset()
	s.lo20.Reset()
	s.rvol20.Reset()
}

// symVals are the indicator values of one bar (absent during warm-up).
type symVals struct {
	SMA20, SMA50, SMA200, EMA20, RSI14, ATR14 Num
	BBUpper, BBMiddle, BBLower                Num
	DonHigh20, DonLow20, RVOL20               Num
}

// streamNum is a stream's output as a Num: absent during warm-up or after
// an error.
func streamNum(v float64, ok bool, err error) Num {
	if !ok || err != nil {
		return Num{}
	}
	return Some(v)
}

func bbNums(v ta.BB, ok bool, err error) (u, m, l Num) {
	if !ok || err != nil {
		return Num{}, Num{}, Num{}
	}
	return Some(v.Upper), Some(v.Middle), Some(v.Lower)
}

// update commits a closed bar to every stream.
func (s *symStreams) update(b Bar) symVals {
	var v symVals
	v.SMA20 = streamNum(s.sma20.Update(b.Close))
	v.SMA50 = streamNum(s.sma50.Update(b.Close))
	v.SMA200 = streamNum(s.sma200.Update(b.Close))
	v.EMA20 = streamNum(s.ema20.Update(b.Close))
	v.RSI14 = streamNum(s.rsi14.Update(b.Close))
	v.ATR14 = streamNum(s.atr14.Update(b.High, b.Low, b.Close))
	v.BBUpper, v.BBMiddle, v.BBLower = bbNums(s.bb.Update(b.Close))
	v.DonHigh20 = streamNum(s.hi20.Update(b.High))
	v.DonLow20 = streamNum(s.lo20.Update(b.Low))
	v.RVOL20 = streamNum(s.rvol20.Update(b.Volume))
	return v
}

// peek evaluates the forming bar without changing any stream.
func (s *symStreams) peek(b Bar) symVals {
	var v symVals
	v.SMA20 = streamNum(s.sma20.Peek(b.Close))
	v.SMA50 = streamNum(s.sma50.Peek(b.Close))
	v.SMA200 = streamNum(s.sma200.Peek(b.Close))
	v.EMA20 = streamNum(s.ema20.Peek(b.Close))
	v.RSI14 = streamNum(s.rsi14.Peek(b.Close))
	v.ATR14 = streamNum(s.atr14.Peek(b.High, b.Low, b.Close))
	v.BBUpper, v.BBMiddle, v.BBLower = bbNums(s.bb.Peek(b.Close))
	v.DonHigh20 = streamNum(s.hi20.Peek(b.High))
	v.DonLow20 = streamNum(s.lo20.Peek(b.Low))
	v.RVOL20 = streamNum(s.rvol20.Peek(b.Volume))
	return v
}

// symLive is what a snapshot shows for a symbol: the forming bar's values
// (via Peek) when there is one, else the last closed bar's.
type symLive struct {
	ok        bool      // there is at least one bar
	forming   bool      // the values are those of the forming bar
	date      time.Time // trading date of the latest bar
	last      Num
	prevClose Num
	changePct Num
	vals      symVals
	pace      Num    // RVOLPace: the forming bar's paced RVOL, or the closed bar's RVOL20
	ret       [4]Num // 1, 5, 21, 63 bars
	up        bool   // close above the previous close
	// The volume behind RVOL (volume.go): not all consolidated (partial),
	// or consolidated only up to rvolAt (zero: up to the data).
	partial bool
	rvolAt  time.Time
}

// symState is everything the engine keeps for one symbol.
//
// Every committed daily bar is kept (history is a few thousand bars). A late
// revision of a closed bar replaces it in daily and rebuilds the symbol's
// streams with Reset + replay over the stored bars (rare, O(n)), so revised
// values are exactly those of an on-time run.
type symState struct {
	sym       string
	role      Role
	sectorLeg bool // a leg of a sector pair (its quotes move sector breadth)
	rebuilt   bool // daily history reloaded or revised since the breadth model last took it

	daily []Bar // committed (closed) daily bars, oldest first
	// days and closes mirror daily (trading date, close) for the rotation
	// map, which reads whole series on each daily close.
	days    []rotation.Day
	closes  []float64
	sma50h  []Num // per committed bar
	sma200h []Num
	rvolh   []Num

	st     symStreams
	closed symVals // values after the last committed bar

	dailyB   *BarBuilder
	forming  Bar
	hasForm  bool
	formAt   time.Time // exchange time as of which the forming bar's volume is known
	cons     volCons   // how far its volume of the day is consolidated (volume.go)
	cal      *calendar.Calendar
	sessDate time.Time // trading date whose session sessOpen/sessEnd hold
	sessOpen time.Time
	sessEnd  time.Time
	sessOK   bool // sessDate is a trading day
	live     symLive
	dollar20 Num // mean close×volume of the last 20 committed bars

	intraB       *BarBuilder
	intra        []Bar // today's intraday bars (Config.Intraday), oldest first
	min1         []Bar // with 5- or 15-minute bars: the feed's 1-minute bars of today (intraday.go)
	intraForming bool  // the last intra bar is still forming
	intraDate    time.Time
	intraVer     uint64 // bumped whenever intra changes (snapshot caches)
	// pubCloses holds the closes of today's closed intraday bars for
	// snapshots. It is append-only: snapshots share it as pubCloses[:k:k],
	// so it is dropped (never written below its length) when a published
	// close is revised or a new day starts, and a new array is allocated.
	pubCloses []float64

	dataTime time.Time
	delayed  bool
	liveErr  bool // the symbol has a live error (cleared by its next valid quote)

	skipped SkippedRows // rows its history's source left out (from the last history load)
	starts  time.Time   // its data begins on this date, after the history (NY midnight; zero: not known to)
}

// commit appends a closed daily bar and advances the streams.
func (s *symState) commit(b Bar) {
	s.closed = s.st.update(b)
	s.daily = append(s.daily, b)
	s.days = append(s.days, rotation.DayOf(b.Time))
	s.closes = append(s.closes, b.Close)
	s.sma50h = append(s.sma50h, s.closed.SMA50)
	s.sma200h = append(s.sma200h, s.closed.SMA200)
	s.rvolh = append(s.rvolh, s.closed.RVOL20)
}

// rebuild resets the streams and replays every stored daily bar.
func (s *symState) rebuild() {
	bars := s.daily
	s.st.reset()
	s.closed = symVals{}
	s.daily = bars[:0]
	s.days, s.closes = s.days[:0], s.closes[:0]
	s.sma50h, s.sma200h, s.rvolh = s.sma50h[:0], s.sma200h[:0], s.rvolh[:0]
	for _, b := range bars {
		s.commit(b) // appends in place: daily aliases bars, same order and length
	}
	s.updateDollar()
}

// updateDollar recomputes the 20-bar mean dollar volume.
func (s *symState) updateDollar() {
	n := len(s.daily)
	if n < 20 {
		s.dollar20 = Num{}
		return
	}
	sum := 0.0
	for _, b := range s.daily[n-20:] {
		sum += float64(b.Close * b.Volume)
	}
	s.dollar20 = Some(sum / 20)
}

// revise replaces (or inserts) the closed bar with b's date and rebuilds.
func (s *symState) revise(b Bar) {
	i := sort.Search(len(s.daily), func(i int) bool { return !s.daily[i].Time.Before(b.Time) })
	if i < len(s.daily) && s.daily[i].Time.Equal(b.Time) {
		s.daily[i] = b
	} else {
		s.daily = append(s.daily, Bar{})
		copy(s.daily[i+1:], s.daily[i:])
		s.daily[i] = b
	}
	s.rebuild()
}

// retAt returns the N-bar percentage return of the committed bar i.
func (s *symState) retAt(i, n int) Num {
	if i-n < 0 || i >= len(s.daily) {
		return Num{}
	}
	return Some((s.daily[i].Close/s.daily[i-n].Close - 1) * 100)
}

// computeLive refreshes s.live from the forming bar (Peek) or the last
// closed bar.
func (s *symState) computeLive() {
	n := len(s.daily)
	var l symLive
	var last float64
	t := n - 1 // index of the latest bar in the closes series
	switch {
	case s.hasForm:
		l.ok, l.forming, l.date = true, true, s.forming.Time
		l.vals = s.st.peek(s.forming)
		l.pace = s.formingRVOL(&l)
		last = s.forming.Close
		t = n
	case n > 0:
		l.ok, l.date = true, s.daily[n-1].Time
		l.vals = s.closed
		l.pace = s.closed.RVOL20
		l.partial = s.closedPartial(l.date)
		last = s.daily[n-1].Close
	default:
		s.live = l
		return
	}
	l.last = Some(last)
	if t-1 >= 0 {
		prev := s.daily[t-1].Close
		l.prevClose = Some(prev)
		l.changePct = Some((last/prev - 1) * 100)
		l.up = last > prev
	}
	for k, nb := range retBars {
		if t-nb >= 0 {
			l.ret[k] = Some((last/s.daily[t-nb].Close - 1) * 100)
		}
	}
	s.live = l
}

// formingPace is RVOLPace of the forming bar whose RVOL20 is rvol, with
// its volume known as of at (absent outside the bar's session and in its
// first PaceWarmup).
func (s *symState) formingPace(rvol Num, at time.Time) Num {
	if !rvol.Valid {
		return Num{}
	}
	open, end, ok := s.session(s.forming.Time)
	if !ok {
		return Num{}
	}
	return paceOf(rvol, at, open, end)
}

// session is the regular session of trading date d (remembered for the
// last date asked: the per-quote path does not ask the calendar again).
func (s *symState) session(d time.Time) (open, end time.Time, ok bool) {
	if s.cal == nil {
		return time.Time{}, time.Time{}, false
	}
	if !s.sessDate.Equal(d) {
		s.sessOpen, s.sessEnd, s.sessOK = s.cal.Session(d)
		s.sessDate = d
	}
	return s.sessOpen, s.sessEnd, s.sessOK
}

// noteFormAt records that the forming bar's volume is known as of t.
func (s *symState) noteFormAt(t time.Time) {
	if t.After(s.formAt) {
		s.formAt = t
	}
}

// validateBars checks a daily or intraday series: strictly increasing times,
// finite positive prices, finite non-negative volume.
func validateBars(bars []Bar) error {
	for i, b := range bars {
		if !(validPrice(b.Open) && validPrice(b.High) && validPrice(b.Low) && validPrice(b.Close)) {
			return fmt.Errorf("bar %d (%s): non-positive or non-finite price", i, b.Time.Format(time.RFC3339))
		}
		if !(b.Volume >= 0 && b.Volume <= maxFloat) {
			return fmt.Errorf("bar %d (%s): invalid volume %v", i, b.Time.Format(time.RFC3339), b.Volume)
		}
		if i > 0 && !bars[i-1].Time.Before(b.Time) {
			return fmt.Errorf("bar %d (%s): not after the previous bar", i, b.Time.Format(time.RFC3339))
		}
	}
	return nil
}

const maxFloat = 1.7976931348623157e308

func validPrice(x float64) bool { return x > 0 && x <= maxFloat }
