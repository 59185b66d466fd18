package engine

// Breadth is the member universe's breadth on one date: the JSON
// `breadth` object (null while no member history is loaded). It is computed
// by engine/breadth from the members' own daily bars on the small leg's
// dates; a member without a bar on a date is left out that day, never
// forward-filled. Fields are only ever added.
type Breadth struct {
	// Universe is "iwm", "ijr" or the members file's path.
	Universe string `json:"universe"`
	// Members is the number of equities in the members list (today's
	// membership: history is survivorship-biased).
	Members int `json:"members"`
	// Covered is the number of members with at least one bar on or before
	// AsOf.
	Covered int `json:"covered"`
	// AsOf is the date (YYYY-MM-DD) these values are for: the latest small-leg
	// date on which at least half of the covered members have a bar (or a live
	// quote, when Forming).
	AsOf string `json:"as_of"`
	// HistoryFrom is the first small-leg date on which any member has a bar
	// (YYYY-MM-DD); AdLine is summed from it.
	HistoryFrom string `json:"history_from"`
	// Forming is true when AsOf is today's unfinished bar, evaluated on the
	// members' live quotes; false for a closed (end-of-day) bar.
	Forming bool `json:"forming"`
	// WithBar is the number of members with a bar (or a live quote) on AsOf.
	WithBar int `json:"with_bar"`

	PctAboveSMA50  Num `json:"pct_above_sma50"`  // % of members with ≥ 50 bars whose close is above their SMA50
	PctAboveSMA200 Num `json:"pct_above_sma200"` // the same with SMA200 (≥ 200 bars)
	NewHighs52w    int `json:"new_highs_52w"`    // members (≥ 253 bars) closing above their 252 prior closes
	NewLows52w     int `json:"new_lows_52w"`     // … below them
	Advancers      int `json:"advancers"`        // close above the close on the small leg's previous date
	Decliners      int `json:"decliners"`
	Unchanged      int `json:"unchanged"`
	ADLine         int `json:"ad_line"` // running sum of advancers − decliners from HistoryFrom
	// ZweigEMA10 is TA-Lib's EMA(10) of advancers ÷ (advancers + decliners).
	ZweigEMA10 Num `json:"zweig_ema10"`
	// LastThrust is the date of the latest completed Zweig breadth thrust
	// (null if none in the history). On a Forming breadth it is AsOf when a
	// thrust completes on the live bar (provisional, as ZweigEMA10 is: the
	// close confirms it or not), so it always goes with the values beside it
	// and with the breadth_thrust flag's note.
	LastThrust     *string `json:"last_thrust"`
	EWReturn21dPct Num     `json:"ew_return_21d_pct"` // mean of the members' 21-bar returns
	CWReturn21dPct Num     `json:"cw_return_21d_pct"` // the small leg's 21-bar return
	// Leg is the symbol whose dates the breadth follows and whose return is
	// CWReturn21dPct: the pair's small leg at the start (it stays when the
	// pair key switches the pair), e.g. "IWM".
	Leg string `json:"leg"`

	// Eligible counts behind the percentages and the mean.
	NSMA50     int `json:"n_sma50"`
	NSMA200    int `json:"n_sma200"`
	N52w       int `json:"n_52w"`
	NReturn21d int `json:"n_return21d"`

	// Partial is true while the members' first load runs: the values cover
	// only the members loaded so far (the breadth flags wait for the whole
	// list and are not evaluated meanwhile).
	Partial bool `json:"partial"`

	// History holds the closed dates' values from HistoryFrom, oldest first
	// (the last may be older than AsOf's forming bar). Shared between
	// snapshots: read-only.
	History []BreadthPoint `json:"-"`
}

// BreadthPoint is one closed small-leg date of the breadth history.
type BreadthPoint struct {
	Date           string // YYYY-MM-DD
	WithBar        int
	PctAboveSMA50  Num
	PctAboveSMA200 Num
	NewHighs52w    int
	NewLows52w     int
	ADLine         int
	ZweigEMA10     Num
	// Thin is true when fewer than half of the members covered by then have
	// a bar on the date (e.g. the members' end-of-day bars have not loaded
	// yet): the values stand, but the flags' inputs keep the previous date's.
	Thin bool
	// Thrust is true on the bar a Zweig breadth thrust completed.
	Thrust bool
	// ThrustRecent is the breadth_thrust flag's input: a thrust completed on
	// this bar or on one of the 20 before it.
	ThrustRecent bool
	// AboveOn is the breadth_above_sma50 flag's input: PctAboveSMA50 at or
	// above the configured threshold (absent counts as off).
	AboveOn bool
}

// Confirmation states.
const (
	ConfirmConfirms = "confirms"
	ConfirmDiverges = "diverges"
	ConfirmUnknown  = "unknown" // not enough data
)

// Confirmation kinds.
const (
	ConfirmKindPair   = "pair"
	ConfirmKindCredit = "credit"
	ConfirmKindYield  = "yield"
)

// Confirmation is one item of the confirmation strip (JSON
// `confirmations[]`): another small/large pair, credit (HYG/LQD) or the
// 2-year Treasury yield, and whether it confirms the main pair's signal.
type Confirmation struct {
	ID    string `json:"id"`
	Kind  string `json:"kind"`  // "pair", "credit" or "yield"
	Label string `json:"label"` // e.g. "IWM/QQQ", "2y yield"
	// Value is the ratio (pair, credit) or the yield in percent.
	Value Num `json:"value"`
	// Reference is what Value is compared with: the ratio's 50-day average,
	// or the yield 21 trading days earlier.
	Reference Num    `json:"reference"`
	State     string `json:"state"` // "confirms", "diverges" or "unknown"
	AsOf      string `json:"as_of"` // date of Value (YYYY-MM-DD), "" when unknown
	// Forming is true when Value comes from live quotes (today's unfinished
	// bar).
	Forming bool `json:"forming"`
	// Missing says why an item has no value when a leg of it, or its
	// series, failed to load: "no file: QQQ" (a replay directory without
	// the leg's file: that data never comes), "no data: HYG" (another
	// error), "no file: DGS2" (a replay directory without DGS2.csv); ""
	// when it has a value or may still get one.
	Missing string `json:"missing"`
	// Series is a yield item's series id ("DGS2"; "" for pairs). Not in
	// the JSON: the label and missing name it.
	Series string `json:"-"`
}

// AnalogBreadth splits the "Now what?" events by whether breadth confirmed
// the breakout at the event: pct_above_sma50 at or above Threshold on the
// event's date. Only events inside the members' history count; with none
// of them HistoryTooShort is set (the members list is today's, so the
// split is survivorship-biased too).
type AnalogBreadth struct {
	Threshold       float64            `json:"threshold"`
	Covered         int                `json:"covered"`   // events with breadth on their date
	Uncovered       int                `json:"uncovered"` // events before the members' history (or on a thin date)
	HistoryTooShort bool               `json:"history_too_short"`
	Confirmed       []AnalogGroupStats `json:"confirmed"`     // per horizon, in AnalogHorizons order
	NotConfirmed    []AnalogGroupStats `json:"not_confirmed"` // per horizon
}

// AnalogGroupStats is one group's outcomes at one horizon: the share of
// events after which small caps kept leading (rel > 0) and the median
// relative move, and the same for the large leg; n is always given.
type AnalogGroupStats struct {
	Horizon        string `json:"horizon"`
	N              int    `json:"n"`
	RelHitRate     Num    `json:"rel_hit_rate"`
	RelMedianPct   Num    `json:"rel_median_pct"`
	LargeHitRate   Num    `json:"large_hit_rate"`
	LargeMedianPct Num    `json:"large_median_pct"`
}
