// Package rotation computes capwatch's rotation map: a JdK-style relative
// rotation graph (an open, documented approximation; the original JdK
// formulas are proprietary) of each sector's relative strength and its
// momentum, on weekly closes.
//
// Definition (issue 16):
//   - Weekly points: over the dates both legs have, grouped by Monday–Sunday
//     week, the close of each week's last such date (a Good Friday week ends
//     on its Thursday). The current week's point is the latest close, dated
//     that day and marked unfinished while the calendar has a trading day
//     after it in the same week.
//   - rs = 100 × close(A) ÷ close(B), evaluated as (100·A)/B.
//   - rs_ratio = 100 + (rs − SMA(rs, N)) ÷ STDDEV(rs, N).
//   - d = rs_ratio − the previous week's rs_ratio;
//     rs_momentum = 100 + (d − SMA(d, N)) ÷ STDDEV(d, N).
//   - SMA and STDDEV are TA-Lib's (population, nbdev 1), computed with
//     TA-Lib's running sums from the first weekly point (bit-identical to
//     go-talib over the same slice); N = 10 weeks by default. A value is
//     null while the history is shorter than its window and where STDDEV is
//     0 (TA-Lib returns 0 for a variance below 1e-14). A null rs_ratio
//     breaks the d series: momentum's windows restart after it.
//   - Quadrants: leading (ratio ≥ 100, momentum ≥ 100), weakening
//     (ratio ≥ 100, momentum < 100), lagging (both < 100), improving
//     (ratio < 100, momentum ≥ 100). A healthy rotation runs clockwise:
//     improving → leading → weakening → lagging → improving.
//
// The package is pure: no I/O, no terminal, no clock. It works on whole
// series (a few hundred weekly points per pair) and is meant to run when a
// daily bar closes, never per quote.
package rotation

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/capwatch/capwatch/engine/num"
)

// Num is an optional number: Valid=false means null (short history or a
// zero STDDEV); the engine's Num.
type Num = num.Num

// some returns a present Num, or an absent one for a non-finite v.
func some(v float64) Num { return num.Some(v) }

// Quadrant is where a point sits on the rotation graph.
type Quadrant uint8

// Quadrants. None means the point has no rs_ratio or no rs_momentum.
const (
	None Quadrant = iota
	Leading
	Weakening
	Lagging
	Improving
)

// Quadrants lists the four quadrants in clockwise order, starting top-left.
var Quadrants = [4]Quadrant{Improving, Leading, Weakening, Lagging}

// QuadrantOf classifies a point (None when either coordinate is null).
func QuadrantOf(ratio, momentum Num) Quadrant {
	if !ratio.Valid || !momentum.Valid {
		return None
	}
	return quadrant(ratio.V, momentum.V)
}

func quadrant(r, m float64) Quadrant {
	switch {
	case math.IsNaN(r) || math.IsNaN(m):
		return None
	case r >= 100 && m >= 100:
		return Leading
	case r >= 100:
		return Weakening
	case m >= 100:
		return Improving
	}
	return Lagging
}

// Next returns the quadrant that follows q in a clockwise rotation (None for None).
func (q Quadrant) Next() Quadrant {
	switch q {
	case Improving:
		return Leading
	case Leading:
		return Weakening
	case Weakening:
		return Lagging
	case Lagging:
		return Improving
	}
	return None
}

// String returns "leading", "weakening", "lagging", "improving" or "" for None.
func (q Quadrant) String() string {
	switch q {
	case Leading:
		return "leading"
	case Weakening:
		return "weakening"
	case Lagging:
		return "lagging"
	case Improving:
		return "improving"
	}
	return ""
}

// MarshalJSON renders the quadrant's name, or null for None.
func (q Quadrant) MarshalJSON() ([]byte, error) {
	if q == None || q > Improving {
		return []byte("null"), nil
	}
	return []byte(`"` + q.String() + `"`), nil
}

// UnmarshalJSON accepts null or a quadrant name.
func (q *Quadrant) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*q = None
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for _, c := range Quadrants {
		if c.String() == s {
			*q = c
			return nil
		}
	}
	return fmt.Errorf("rotation: unknown quadrant %q", s)
}

// Point is one weekly point of an entry's tail.
type Point struct {
	Week       Day `json:"week"` // date of the point's close
	RSRatio    Num `json:"rs_ratio"`
	RSMomentum Num `json:"rs_momentum"`
}

// Quadrant returns the point's quadrant.
func (p Point) Quadrant() Quadrant { return QuadrantOf(p.RSRatio, p.RSMomentum) }

// Closed is an entry's last finished weekly close and the quadrants of it
// and of the week before: what the signal log records on weekly closes.
type Closed struct {
	Week     Day      // the last finished week's close (0 and Valid=false when none)
	Valid    bool     // there is a finished week
	Quadrant Quadrant // its quadrant
	Prev     Quadrant // the quadrant of the finished week before it
}

// Change is a quadrant change on a finished weekly close: the week's
// point is in To, the last earlier point with a quadrant was in From (a
// week without one, e.g. a flat stretch, is skipped over).
type Change struct {
	Week     Day // the close of the week that made the change
	From, To Quadrant
}

// ChangeWeeks bounds Entry.Changes: the changes of the last ChangeWeeks
// finished weeks (about DailyKeep's 300 days: a backlog of closes applied
// at once is never that long, and what came before is history).
const ChangeWeeks = 60

// Entry is one asset against its benchmark.
type Entry struct {
	Sector     string   `json:"sector"` // the sector's name as in sectors[]; "pair" for the pair itself
	Asset      string   `json:"asset"`
	Benchmark  string   `json:"benchmark"`
	RSRatio    Num      `json:"rs_ratio"`    // of the latest point
	RSMomentum Num      `json:"rs_momentum"` // of the latest point
	Quadrant   Quadrant `json:"quadrant"`    // of the latest point
	// WeeksInQuadrant counts the consecutive weekly points, ending with the
	// latest (finished or not), in Quadrant; 0 when Quadrant is null.
	WeeksInQuadrant int  `json:"weeks_in_quadrant"`
	Unfinished      bool `json:"unfinished"` // the latest point is the current, unfinished week
	// Tail is the last Rotation.Tail points, oldest first, including the latest.
	Tail []Point `json:"tail"`
	// History is the last Config.Keep points (Tail is its suffix) for a
	// panel that draws longer tails. Not in the JSON.
	History []Point `json:"-"`
	// Closed is the last finished week. Not in the JSON.
	Closed Closed `json:"-"`
	// Changes lists, for the small-vs-large view only (what the signal
	// log records), the quadrant changes on the finished weekly closes of
	// the last ChangeWeeks weeks, oldest first: each dated by its own
	// week, however many weeks one update closed. Not in the JSON.
	Changes []Change `json:"-"`
}

// Head returns the latest point, if any.
func (e *Entry) Head() (Point, bool) {
	if len(e.History) == 0 {
		return Point{}, false
	}
	return e.History[len(e.History)-1], true
}

// View names one of the three views.
type View int

// The views, in the order of the JSON document.
const (
	SmallVsLarge View = iota // each sector's small leg against its large leg, then the pair
	SmallSectors             // small legs against the small benchmark
	LargeSectors             // large legs against the large benchmark
)

// Views lists every view.
var Views = [3]View{SmallVsLarge, SmallSectors, LargeSectors}

// String returns the view's JSON name.
func (v View) String() string {
	switch v {
	case SmallVsLarge:
		return "small_vs_large"
	case SmallSectors:
		return "small_sectors"
	case LargeSectors:
		return "large_sectors"
	}
	return "view(" + strconv.Itoa(int(v)) + ")"
}

// PairSector is the Sector of the pair's own entry in SmallVsLarge.
const PairSector = "pair"

// Rotation is the rotation map: the JSON document's "rotation".
type Rotation struct {
	Window       int     `json:"window"` // N, weeks
	Tail         int     `json:"tail"`   // T, points per tail
	SmallVsLarge []Entry `json:"small_vs_large"`
	SmallSectors []Entry `json:"small_sectors"`
	LargeSectors []Entry `json:"large_sectors"`
}

// MarshalJSON renders the map with its lists never null.
func (r Rotation) MarshalJSON() ([]byte, error) {
	type plain Rotation // the fields without this method
	p := plain(r)
	p.SmallVsLarge, p.SmallSectors, p.LargeSectors = nonNil(p.SmallVsLarge), nonNil(p.SmallSectors), nonNil(p.LargeSectors)
	return marshal(p)
}

// MarshalJSON renders one entry with its tail never null.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	p := plain(e)
	p.Tail = nonNil(p.Tail)
	return marshal(p)
}

func marshal(v any) ([]byte, error) { return num.Marshal(v) }

func nonNil[T any](s []T) []T { return num.NonNil(s) }

// Entries returns the entries of view v.
func (r *Rotation) Entries(v View) []Entry {
	if r == nil {
		return nil
	}
	switch v {
	case SmallVsLarge:
		return r.SmallVsLarge
	case SmallSectors:
		return r.SmallSectors
	case LargeSectors:
		return r.LargeSectors
	}
	return nil
}
