// Package engine is capwatch's pure, incremental market model: bars, indicator
// streams, the small/large ratio, breakout flags, sectors, risk and the
// analog study. It turns quotes and bars into an immutable Snapshot.
//
// engine never imports a terminal library, a network package or os/exec
// (see deps_test.go). One goroutine owns an Engine; readers only ever see
// Snapshots, which are never mutated after they are published.
package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine/num"
	"github.com/capwatch/capwatch/engine/rotation"
)

// Timeframe is the span of one bar.
type Timeframe int

// Supported timeframes.
const (
	Daily Timeframe = iota
	Minute1
	Minute5
	Minute15
)

// Duration of an intraday timeframe (0 for Daily, whose span is a trading session).
func (tf Timeframe) Duration() time.Duration {
	switch tf {
	case Minute1:
		return time.Minute
	case Minute5:
		return 5 * time.Minute
	case Minute15:
		return 15 * time.Minute
	}
	return 0
}

func (tf Timeframe) String() string {
	switch tf {
	case Daily:
		return "1d"
	case Minute1:
		return "1m"
	case Minute5:
		return "5m"
	case Minute15:
		return "15m"
	}
	return "tf(" + strconv.Itoa(int(tf)) + ")"
}

// Quote is one live price observation, normalised by a feed.
type Quote struct {
	Symbol    string
	Price     float64
	DayVolume float64   // cumulative volume of the trading day so far
	Time      time.Time // exchange time of the trade/quote
	Received  time.Time // when capwatch received it
	Delayed   bool      // true when the source is delayed (e.g. 15 min), false when real-time
}

// Bar is one OHLCV bar. For Daily bars Time is midnight America/New_York of the
// trading date; for intraday bars it is the bar's start instant.
type Bar struct {
	Symbol string
	Time   time.Time
	Open   float64
	High   float64
	Low    float64
	Close  float64
	Volume float64
}

// Date formats a daily bar's trading date as YYYY-MM-DD.
func (b Bar) Date() string { return b.Time.Format("2006-01-02") }

// BarEventKind says what happened to a bar.
type BarEventKind int

// Bar event kinds.
const (
	BarForming BarEventKind = iota // the live, unfinished bar changed
	BarClosed                      // a bar closed (committed)
	BarRevised                     // an already-closed bar was revised by a late quote
)

func (k BarEventKind) String() string {
	switch k {
	case BarForming:
		return "forming"
	case BarClosed:
		return "closed"
	case BarRevised:
		return "revised"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// BarEvent is emitted by a bar builder.
type BarEvent struct {
	Kind      BarEventKind
	Timeframe Timeframe
	Bar       Bar
}

// Num is an optional number: Valid=false means "absent" (warm-up, not enough
// history, undefined). It marshals to JSON null when absent. Never use a zero
// to mean "missing". It is num.Num, shared with the engine's sub-packages.
type Num = num.Num

// Some returns a present Num (absent if v is not finite).
func Some(v float64) Num { return num.Some(v) }

// FlagState is the state of a breakout flag.
type FlagState int

// Flag states. Confirmed and fading both mean the flag held at the last
// close (its committed run is on); fading adds that the live, unfinished bar
// would end the run if the day closed now. Forming means the flag did not
// hold at the last close but holds on the live bar.
const (
	FlagOff       FlagState = iota
	FlagForming             // condition holds on the live, unfinished bar only
	FlagConfirmed           // condition held at the last close (and, if there is a live bar, holds there too)
	FlagFading              // condition held at the last close but not on the live bar
)

func (s FlagState) String() string {
	switch s {
	case FlagOff:
		return "off"
	case FlagForming:
		return "forming"
	case FlagConfirmed:
		return "confirmed"
	case FlagFading:
		return "fading"
	}
	return "state(" + strconv.Itoa(int(s)) + ")"
}

// Held reports whether the flag held at the last close (confirmed or fading).
func (s FlagState) Held() bool { return s == FlagConfirmed || s == FlagFading }

// MarshalText renders "off", "forming", "confirmed" or "fading".
func (s FlagState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// ParseFlagState is the inverse of String.
func ParseFlagState(s string) (FlagState, bool) {
	for _, st := range []FlagState{FlagOff, FlagForming, FlagConfirmed, FlagFading} {
		if st.String() == s {
			return st, true
		}
	}
	return FlagOff, false
}

// FlagChange is a committed change of a flag: on the closed daily bar dated
// Date the flag began to hold (On) or stopped holding. Value and Threshold
// are what was compared on that bar.
type FlagChange struct {
	Flag      string    // flag id
	Date      time.Time // the bar's trading date (New York midnight)
	Close     time.Time // the bar's session close (exchange time)
	On        bool
	Value     Num
	Threshold Num
	// Note says why the state reads as it does beside the value when the
	// comparison alone does not ("down day": small_volume_surge off with
	// its volume above the threshold; "thrust 2025-11-18": the thrust that
	// holds breadth_thrust; sector_breadth's missing coverage), or "".
	Note string

	k int // index in FlagIDs (display order)
}

// Flag IDs (the JSON contract).
const (
	FlagRatioAboveSMA50  = "ratio_above_sma50"
	FlagRatioAboveSMA200 = "ratio_above_sma200"
	FlagRatioNewHigh20d  = "ratio_new_high_20d"
	FlagRatioNewHigh52w  = "ratio_new_high_52w"
	FlagSmallAboveSMA200 = "small_above_sma200"
	FlagSmallGoldenCross = "small_golden_cross"
	FlagSmallLeads21d    = "small_leads_21d"
	FlagSmallVolumeSurge = "small_volume_surge"
	FlagSectorBreadth    = "sector_breadth"
	// The breadth flags (with a breadth universe only): the members' share
	// above their 50-day average at or above [breadth] above_sma50, and a
	// Zweig breadth thrust on the day or one of the 20 before.
	FlagBreadthAboveSMA50 = "breadth_above_sma50"
	FlagBreadthThrust     = "breadth_thrust"
)

// FlagIDs lists every flag in display order.
var FlagIDs = []string{
	FlagRatioAboveSMA50, FlagRatioAboveSMA200, FlagRatioNewHigh20d, FlagRatioNewHigh52w,
	FlagSmallAboveSMA200, FlagSmallGoldenCross, FlagSmallLeads21d, FlagSmallVolumeSurge,
	FlagSectorBreadth, FlagBreadthAboveSMA50, FlagBreadthThrust,
}

// Flag is one breakout flag in a Snapshot.
type Flag struct {
	ID        string    `json:"id"`
	State     FlagState `json:"state"`
	Since     string    `json:"since"` // YYYY-MM-DD of the first bar of the current run; "" when off (JSON null)
	Value     Num       `json:"value"`
	Threshold Num       `json:"threshold"` // null when the level is not known (no history yet, a missing pair leg)
	Text      string    `json:"text"`      // one line of meaning
	// The last closed bar the flag was evaluated on (its committed state:
	// confirmed and fading held there): its date, session close, and the
	// value and threshold compared there. A fading flag shows these beside
	// the live Value. JSON: close_date (null before any), close_value,
	// close_threshold, after text.
	CloseDate      string    `json:"-"` // YYYY-MM-DD; "" before any closed bar
	Closed         time.Time `json:"-"` // exchange time of that bar's session close
	CloseValue     Num       `json:"-"`
	CloseThreshold Num       `json:"-"`
	// Partial is set on small_volume_surge when the small leg's volume is
	// not all consolidated (SymbolSnapshot.RVOLPartial): on a forming day
	// the live evaluation is held off (Value absent: the flag keeps the
	// state of the last close and neither forms nor fades on one venue's
	// volume); on a closed day it says the close's value counted part of
	// the day's volume and may still be revised. JSON partial, last.
	Partial bool `json:"-"`
	// Note is why the state reads as it does beside the value when the
	// comparison alone does not say it (FlagChange.Note), on the live bar;
	// CloseNote the same at the last close. JSON note, close_note (null
	// when none), after partial.
	Note      string `json:"-"`
	CloseNote string `json:"-"`
}

// NoData reports whether an off flag could not be judged: the level it
// compares with is not known (no history yet, a missing pair leg), or
// neither the live bar nor a close gave it a value. Its state stays
// FlagOff (the JSON contract); every view says "no data" instead of off
// and leaves it out of the judged count (FlagCounts). JSON no_data, last.
func (f *Flag) NoData() bool {
	return f.State == FlagOff && !f.Partial && (!f.Threshold.Valid || !f.Value.Valid && !f.CloseValue.Valid)
}

// FlagCounts are a snapshot's flags counted by state, the one count every
// view shows ("2/3 confirmed, 6 no data": the dashboard's flags panel, the
// text snapshot, `capwatch status`).
type FlagCounts struct {
	Total     int // every flag
	NoData    int // off and not judged (Flag.NoData)
	Confirmed int
	Fading    int
	Forming   int
}

// CountFlags counts fs by state.
func CountFlags(fs []Flag) FlagCounts {
	c := FlagCounts{Total: len(fs)}
	for i := range fs {
		switch fs[i].State {
		case FlagConfirmed:
			c.Confirmed++
		case FlagFading:
			c.Fading++
		case FlagForming:
			c.Forming++
		}
		if fs[i].NoData() {
			c.NoData++
		}
	}
	return c
}

// Judged is how many flags could be judged (Total − NoData): the "of" of
// the confirmed count.
func (c FlagCounts) Judged() int { return c.Total - c.NoData }

// String is the counts as the views say them: "2/3 confirmed, 1 fading,
// 1 forming, 6 no data" (the states with none left out; "9 no data" when
// none could be judged; "" without flags).
func (c FlagCounts) String() string {
	if c.Total == 0 {
		return ""
	}
	var parts []string
	if c.Judged() > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d confirmed", c.Confirmed, c.Judged()))
	}
	if c.Fading > 0 {
		parts = append(parts, fmt.Sprintf("%d fading", c.Fading))
	}
	if c.Forming > 0 {
		parts = append(parts, fmt.Sprintf("%d forming", c.Forming))
	}
	if c.NoData > 0 {
		parts = append(parts, fmt.Sprintf("%d no data", c.NoData))
	}
	return strings.Join(parts, ", ")
}

// Returns holds 1d/1w/1m/3m (1, 5, 21, 63 bar) percentage returns.
type Returns struct {
	D1 Num `json:"1d"`
	W1 Num `json:"1w"`
	M1 Num `json:"1m"`
	M3 Num `json:"3m"`
}

// Role says why a symbol is watched.
type Role int

// Symbol roles.
const (
	RoleSmall Role = iota
	RoleLarge
	RoleExtra
	RoleSectorSmall
	RoleSectorLarge
	RoleConfirm // needed by the confirmation strip or the pair cycle only
)

// SymbolSnapshot is everything known about one symbol at the snapshot time.
type SymbolSnapshot struct {
	Symbol    string `json:"symbol"`
	Role      Role   `json:"-"`
	Last      Num    `json:"last"`
	PrevClose Num    `json:"prev_close"`
	ChangePct Num    `json:"change_pct"`
	SMA20     Num    `json:"sma20"`
	SMA50     Num    `json:"sma50"`
	SMA200    Num    `json:"sma200"`
	EMA20     Num    `json:"ema20"`
	RSI14     Num    `json:"rsi14"`
	ATR14     Num    `json:"atr14"`
	BBUpper   Num    `json:"bb_upper"`
	BBMiddle  Num    `json:"bb_middle"`
	BBLower   Num    `json:"bb_lower"`
	DonHigh20 Num    `json:"donchian_high_20"`
	DonLow20  Num    `json:"donchian_low_20"`
	RVOL20    Num    `json:"rvol20"` // latest daily volume ÷ mean of the 20 previous daily volumes (on the forming bar: today's volume so far)
	// RVOLPace is relative volume paced to the time of day: during the
	// regular session, today's cumulative volume ÷ (mean of the 20 previous
	// daily volumes × the share of a day's volume an average day has traded
	// by now, ExpectedVolumeFraction). Absent outside the session and in the
	// first PaceWarmup (5 min) after the open; equal to RVOL20 when the
	// latest bar is closed.
	RVOLPace  Num       `json:"-"`
	Ret1d     Num       `json:"return_1d"`
	Ret5d     Num       `json:"return_5d"`
	Ret21d    Num       `json:"return_21d"`
	Ret63d    Num       `json:"return_63d"`
	DayVolume float64   `json:"-"`
	DataTime  time.Time `json:"data_time"` // exchange time of the newest data point (zero if none; JSON: RFC 3339 or null)
	Delayed   bool      `json:"-"`
	Stale     bool      `json:"stale"`
	// Intraday holds the closes of today's closed intraday bars (1-minute),
	// oldest first, for sparklines. The forming bar is not in it: when
	// IntradayForming is set, its price is Last (append it to draw the
	// whole day). The slice is shared between snapshots: read-only.
	Intraday        []float64 `json:"-"`
	IntradayForming bool      `json:"-"` // today's latest intraday bar is still forming (its close is Last)
	// SkippedRows counts the rows of the symbol's history source that were
	// left out (a missing or non-positive price): its averages, returns
	// and flag dates are computed without them. FirstSkippedLine is the
	// 1-based line of the first one (0 when none; JSON null). In the JSON
	// they follow stale.
	SkippedRows      int `json:"skipped_rows"`
	FirstSkippedLine int `json:"first_skipped_line"`
	// RVOLPartial: the volume behind RVOL20 and RVOLPace is not all
	// consolidated (one venue's, e.g. Alpaca's free IEX feed before the
	// consolidated SIP minutes arrive), so they are lower bounds that must
	// not be read against the consolidated 20-day average: a collapse to
	// ~0.03 is the venue, not the market. JSON rvol_partial, after
	// first_skipped_line.
	RVOLPartial bool `json:"-"`
	// RVOLAsOf is set when the day's volume is consolidated only up to an
	// earlier time than the data (Alpaca IEX: SIP minute bars come 15
	// minutes late): RVOL20 and RVOLPace then count the consolidated
	// volume up to RVOLAsOf and RVOLPace is paced to that time of day, not
	// to now. Zero otherwise. JSON rvol_as_of (RFC 3339 or null), last.
	RVOLAsOf time.Time `json:"-"`
}

// RatioPoint is one point of the ratio chart.
type RatioPoint struct {
	Time    time.Time // daily: trading date (NY midnight); intraday: bar start
	Ratio   float64
	SMA50   Num
	SMA200  Num
	Filled  bool // intraday: one leg had no bar and was forward-filled
	Forming bool // the live, unfinished bar
}

// PairSnapshot is the small/large ratio and its indicators.
type PairSnapshot struct {
	Small          string       `json:"small"`
	Large          string       `json:"large"`
	Ratio          Num          `json:"ratio"`
	RatioChangePct Num          `json:"ratio_change_pct"` // change of the ratio versus the previous daily close, percent
	RatioSMA50     Num          `json:"ratio_sma50"`
	RatioSMA200    Num          `json:"ratio_sma200"`
	RatioHigh20    Num          `json:"ratio_high_20"` // max of the 20 ratio closes before the latest
	RatioRSI14     Num          `json:"ratio_rsi14"`
	RatioROC20     Num          `json:"ratio_roc20"`
	Daily          []RatioPoint `json:"-"` // up to ~300 most recent daily points, oldest first (last may be Forming)
	Intraday       []RatioPoint `json:"-"` // today's 1-minute ratio bars, oldest first
}

// SectorSnapshot is one small-cap vs large-cap sector pair.
type SectorSnapshot struct {
	Sector           string  `json:"sector"`
	Large            string  `json:"large"`
	Small            string  `json:"small"`
	LargeRet         Returns `json:"large_return_pct"`
	SmallRet         Returns `json:"small_return_pct"`
	Spread           Returns `json:"spread_pct"` // small minus large, percentage points
	SmallVsBench     Returns `json:"-"`          // small leg minus the pair's small benchmark (IWM)
	LargeVsBench     Returns `json:"-"`          // large leg minus the pair's large benchmark (SPY)
	SmallDollarVol20 Num     `json:"-"`          // mean close×volume over 20 bars of the small leg
	Thin             bool    `json:"-"`          // SmallDollarVol20 below the configured floor
}

// SymbolError reports a symbol without usable data.
type SymbolError struct {
	Symbol  string `json:"symbol"`
	Message string `json:"message"`
}

// SkippedRows says that rows of a symbol's history source were left out
// because a price was missing or not positive.
type SkippedRows struct {
	Count     int    // rows left out
	FirstLine int    // 1-based line of the first one in Source
	Source    string // the file, e.g. "data/IWM.csv"
	Reason    string // what was wrong with the first one, e.g. "missing close"
}

// SymbolNotice is a fact about a symbol's data that is not an error (what
// there is of it is usable): rows skipped from its source, data that starts
// later than the replay.
type SymbolNotice struct {
	Symbol  string `json:"symbol"`
	Message string `json:"message"`
}

// SessionInfo is the market session at the snapshot time.
type SessionInfo struct {
	State      string    `json:"state"`       // "pre", "open", "after", "closed" (JSON: "closed" when unknown)
	NextChange time.Time `json:"next_change"` // next open or close (JSON: RFC 3339 or null)
	Countdown  string    `json:"-"`           // e.g. "opens in 2h13m", "closed: Thanksgiving"
}

// Risk is the risk context of the pair on its joined daily series (latest bar).
type Risk struct {
	SmallVol63Pct       Num `json:"small_vol63_pct"`
	LargeVol63Pct       Num `json:"large_vol63_pct"`
	VolRatio            Num `json:"vol_ratio"`
	Beta63              Num `json:"beta63"`
	SmallDrawdownPct    Num `json:"small_drawdown_pct"`
	LargeDrawdownPct    Num `json:"large_drawdown_pct"`
	SmallDollarVolume20 Num `json:"small_dollar_volume20"`
	LargeDollarVolume20 Num `json:"large_dollar_volume20"`
}

// Horizons of the analog study.
var AnalogHorizons = []struct {
	Name string
	Bars int
}{{"1m", 21}, {"3m", 63}, {"6m", 126}, {"12m", 252}}

// HorizonPcts holds a value per horizon (null when the horizon is past the data).
type HorizonPcts struct {
	M1  Num `json:"1m"`
	M3  Num `json:"3m"`
	M6  Num `json:"6m"`
	M12 Num `json:"12m"`
}

// AnalogEvent is one past breakout and what followed.
type AnalogEvent struct {
	Date     string      `json:"date"`
	RelPct   HorizonPcts `json:"rel_pct"`
	LargePct HorizonPcts `json:"large_pct"`
}

// HorizonStats summarises the events (and the every-day baseline) at one horizon.
type HorizonStats struct {
	Horizon            string `json:"horizon"`
	Bars               int    `json:"bars"`
	N                  int    `json:"n"`
	RelHitRate         Num    `json:"rel_hit_rate"`
	RelMedianPct       Num    `json:"rel_median_pct"`
	RelP25Pct          Num    `json:"rel_p25_pct"`
	RelP75Pct          Num    `json:"rel_p75_pct"`
	LargeHitRate       Num    `json:"large_hit_rate"`
	LargeMedianPct     Num    `json:"large_median_pct"`
	BaseN              int    `json:"base_n"`
	BaseRelHitRate     Num    `json:"base_rel_hit_rate"`
	BaseRelMedianPct   Num    `json:"base_rel_median_pct"`
	BaseLargeHitRate   Num    `json:"base_large_hit_rate"`
	BaseLargeMedianPct Num    `json:"base_large_median_pct"`
}

// Analogs is the "Now what?" study.
type Analogs struct {
	Event                string         `json:"event"`
	HistoryFrom          string         `json:"history_from"`
	LastEvent            *string        `json:"last_event"`
	BarsSinceLastEvent   *int           `json:"bars_since_last_event"`
	RelSinceLastEventPct Num            `json:"rel_since_last_event_pct"`
	Events               []AnalogEvent  `json:"events"`
	Horizons             []HorizonStats `json:"horizons"`
	// Breadth splits the events by breadth at the event (nil without a
	// breadth universe).
	Breadth *AnalogBreadth `json:"breadth"`
}

// Snapshot is an immutable view of the whole market model. Once published it
// is never mutated, by the engine or by readers; build a new one instead.
// Its slices may be shared with other snapshots, so readers must not write
// into them.
//
// Snapshot is the `capwatch snapshot` JSON document (see json.go): the
// result types carry their json tags, and fields are only ever added.
type Snapshot struct {
	Seq uint64 `json:"-"` // increases with every published snapshot
	// Now is the engine's "now" the snapshot was taken at: what its session
	// and stale marks are judged against (for demo and replay, the feed's
	// own time; zero when not given).
	Now     time.Time        `json:"-"`
	AsOf    time.Time        `json:"as_of"` // exchange time of the newest data in the snapshot (JSON: RFC 3339 or null)
	Feed    string           `json:"feed"`  // feed name ("demo", "replay", "yahoo", "stooq")
	Session SessionInfo      `json:"session"`
	Pair    PairSnapshot     `json:"pair"`
	Symbols []SymbolSnapshot `json:"symbols"`
	Flags   []Flag           `json:"flags"`
	// FlagChanges lists the committed flag changes of the last DailyKeep
	// (300) closed bars, oldest first (by date, then in display order):
	// each dated by its own closed bar, however many bars one update
	// applied. Shared between snapshots: read-only. Not in the JSON (the
	// signal log records them).
	FlagChanges []FlagChange     `json:"-"`
	Sectors     []SectorSnapshot `json:"sectors"`
	Errors      []SymbolError    `json:"errors"`
	Risk        *Risk            `json:"risk"`    // nil until enough history
	Analogs     *Analogs         `json:"analogs"` // nil until computed
	// Notices are facts about usable data (rows skipped from a symbol's
	// source, data that starts later in a replay), in watchlist order.
	Notices []SymbolNotice `json:"notices"`
	// Breadth is the member universe's breadth (nil: no universe, or no
	// member history yet); BreadthLoad the members' load progress (nil: no
	// universe).
	Breadth     *Breadth     `json:"breadth"`
	BreadthLoad *BreadthLoad `json:"breadth_load"`
	// Confirmations is the confirmation strip ([] without one).
	Confirmations []Confirmation `json:"confirmations"`
	// Provenance is where the data comes from (IEX/SIP/delayed 15m, whether
	// today's volume is partial, which source each part of the history came
	// from); nil (JSON null) when the feed states nothing.
	Provenance *Provenance `json:"provenance"`
	// Rotation is the rotation map on weekly closes (engine/rotation),
	// recomputed when a daily bar closes or history loads; nil before the
	// first history. Shared between snapshots: read-only.
	Rotation *rotation.Rotation `json:"rotation"`
	// RotationChanges lists the quadrant changes of the rotation map's
	// small-vs-large view on finished weekly closes (the last
	// rotation.ChangeWeeks weeks), oldest first (by week, then in the
	// view's order): each dated by its own week's close, however many
	// weeks one update closed. Shared between snapshots: read-only. Not in
	// the JSON (the signal log records them).
	RotationChanges []RotationChange `json:"-"`
}

// RotationChange is a quadrant change of one small-vs-large rotation entry
// on a finished weekly close.
type RotationChange struct {
	Sector    string       // the sector's name as in sectors[]; rotation.PairSector for the pair
	Asset     string       // the small leg
	Benchmark string       // the large leg
	Week      rotation.Day // the date of the week's close
	Close     time.Time    // that day's session close (exchange time; 13:00 on an early close)
	From, To  rotation.Quadrant
}

// Symbol returns the snapshot of sym, if present.
func (s *Snapshot) Symbol(sym string) (SymbolSnapshot, bool) {
	for i := range s.Symbols {
		if s.Symbols[i].Symbol == sym {
			return s.Symbols[i], true
		}
	}
	return SymbolSnapshot{}, false
}

// Flag returns the flag with the given id, if present.
func (s *Snapshot) Flag(id string) (Flag, bool) {
	for i := range s.Flags {
		if s.Flags[i].ID == id {
			return s.Flags[i], true
		}
	}
	return Flag{}, false
}

// PairProblem says why the pair's legs lack data, from their errors — the
// one reason every view gives when the ratio (and all that is computed
// from it: the pair's flags, the analog study) is missing: "SPY: replay: no
// file DIR/SPY.csv"; both legs "IWM: …; SPY: …", or, failing the same way,
// "cannot reach Yahoo (IWM, SPY)". A leg whose data starts later (a
// replay or --as-of before its file's first date) says so from its notice:
// "SPY: data starts 2024-08-15". It is "" when neither leg has either.
func (s *Snapshot) PairProblem() string {
	var small, large *SymbolError
	for i := range s.Errors {
		switch s.Errors[i].Symbol {
		case s.Pair.Small:
			small = &s.Errors[i]
		case s.Pair.Large:
			large = &s.Errors[i]
		}
	}
	for _, n := range s.Notices {
		if !strings.HasPrefix(n.Message, startsNotice) {
			continue
		}
		switch {
		case n.Symbol == s.Pair.Small && small == nil:
			small = &SymbolError{Symbol: n.Symbol, Message: n.Message}
		case n.Symbol == s.Pair.Large && large == nil:
			large = &SymbolError{Symbol: n.Symbol, Message: n.Message}
		}
	}
	switch {
	case small != nil && large != nil && small.Message == large.Message:
		return small.Message + " (" + small.Symbol + ", " + large.Symbol + ")"
	case small != nil && large != nil:
		return small.Symbol + ": " + small.Message + "; " + large.Symbol + ": " + large.Message
	case small != nil:
		return small.Symbol + ": " + small.Message
	case large != nil:
		return large.Symbol + ": " + large.Message
	}
	return ""
}
