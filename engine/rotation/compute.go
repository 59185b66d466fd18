package rotation

import (
	"fmt"
	"math"

	"github.com/capwatch/capwatch/internal/calendar"
)

// Defaults and bounds of Config.
const (
	DefaultWindow = 10 // N, weeks
	DefaultTail   = 8  // T, points per tail
	DefaultKeep   = 26 // points kept per entry for longer tails on screen
	MaxWindow     = 104
	MaxKeep       = 260
)

// Config sets the window and the tail lengths.
type Config struct {
	Window int // N: SMA/STDDEV window in weeks (2…104; 0 = DefaultWindow)
	Tail   int // T: points in each JSON tail (1…Keep; 0 = DefaultTail)
	Keep   int // points kept in Entry.History (Tail…260; 0 = max(DefaultKeep, Tail))
}

// withDefaults fills zero fields and checks the ranges.
func (c Config) withDefaults() (Config, error) {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.Tail == 0 {
		c.Tail = DefaultTail
	}
	if c.Keep == 0 {
		c.Keep = max(DefaultKeep, c.Tail)
	}
	switch {
	case c.Window < 2 || c.Window > MaxWindow:
		return c, fmt.Errorf("rotation: window %d weeks: want 2…%d", c.Window, MaxWindow)
	case c.Keep < 1 || c.Keep > MaxKeep:
		return c, fmt.Errorf("rotation: keep %d points: want 1…%d", c.Keep, MaxKeep)
	case c.Tail < 1 || c.Tail > c.Keep:
		return c, fmt.Errorf("rotation: tail %d points: want 1…%d", c.Tail, c.Keep)
	}
	return c, nil
}

// Series is one symbol's closed daily closes, oldest first, with strictly
// increasing dates. Closes that are not positive and finite are skipped.
type Series struct {
	Days   []Day
	Closes []float64
}

// Sector is one small-cap vs large-cap sector pair, as in sectors[].
type Sector struct {
	Name  string
	Small string
	Large string
}

// Input is what Compute needs: the pair, the sector pairs (their order is
// the order of every view) and every leg's daily closes by symbol (a
// missing symbol gives entries with null values).
type Input struct {
	Small, Large string
	Sectors      []Sector
	Series       map[string]Series
}

// Computer computes rotation maps. It reuses scratch buffers between calls
// and is not safe for concurrent use; each Rotation it returns is freshly
// allocated and never touched again.
type Computer struct {
	cfg Config
	cal *calendar.Calendar

	days            []Day
	rs, ratio, diff []float64
	s1, s2          []float64 // window sums (see windowSums)

	weDay Day // the last WeekEnd query and its answer
	weOK  bool
	weEnd bool
}

// NewComputer returns a Computer for cfg; cal is the exchange calendar
// (calendar.NYSE()), which says whether a week has a trading day left.
func NewComputer(cfg Config, cal *calendar.Calendar) (*Computer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cal == nil {
		return nil, fmt.Errorf("rotation: nil calendar")
	}
	return &Computer{cfg: cfg, cal: cal}, nil
}

// Config returns the effective configuration (defaults filled in).
func (c *Computer) Config() Config { return c.cfg }

// WeekEnd reports whether d is the last trading day of its Monday–Sunday
// week (no trading day follows it in the same week).
func (c *Computer) WeekEnd(d Day) bool {
	if c.weOK && c.weDay == d {
		return c.weEnd
	}
	next := DayOf(c.cal.NextTradingDate(d.In(calendar.Location())))
	c.weDay, c.weOK, c.weEnd = d, true, next.Week() != d.Week()
	return c.weEnd
}

// Compute builds all three views from in.
func (c *Computer) Compute(in Input) *Rotation {
	k := c.cfg.Keep
	n := 2*len(in.Sectors) + len(in.Sectors) + 1
	points := make([]Point, 0, n*k) // one backing array for every History
	entries := make([]Entry, 0, n)
	var changes []Change // one backing array (or a few) for every Changes
	add := func(sector, asset, bench string, listChanges bool) {
		var ch *[]Change
		if listChanges {
			ch = &changes
		}
		e := c.entry(sector, asset, bench, in.Series[asset], in.Series[bench], points[len(points):len(points):len(points)+k], ch)
		points = points[:len(points)+len(e.History)]
		entries = append(entries, e)
	}
	for _, s := range in.Sectors {
		add(s.Name, s.Small, s.Large, true)
	}
	add(PairSector, in.Small, in.Large, true)
	for _, s := range in.Sectors {
		add(s.Name, s.Small, in.Small, false)
	}
	for _, s := range in.Sectors {
		add(s.Name, s.Large, in.Large, false)
	}
	m := len(in.Sectors)
	return &Rotation{
		Window:       c.cfg.Window,
		Tail:         c.cfg.Tail,
		SmallVsLarge: entries[: m+1 : m+1],
		SmallSectors: entries[m+1 : 2*m+1 : 2*m+1],
		LargeSectors: entries[2*m+1:],
	}
}

// Weekly returns the weekly points of asset a against benchmark b: the
// dates of the weekly closes and rs = 100 × close(a) ÷ close(b) on them.
// The slices are the Computer's scratch, valid until its next call.
func (c *Computer) Weekly(a, b Series) ([]Day, []float64) {
	days, rs := c.days[:0], c.rs[:0]
	na, nb := min(len(a.Days), len(a.Closes)), min(len(b.Days), len(b.Closes))
	next := Day(math.MinInt32) // first day after the current week
	ci, cj := -1, -1           // the current week's last common date so far
	for i, j := 0, 0; ; {
		if i >= na || j >= nb {
			if ci >= 0 { // the last week's close
				days = append(days, a.Days[ci])
				rs = append(rs, 100*a.Closes[ci]/b.Closes[cj])
			}
			break
		}
		da, db := a.Days[i], b.Days[j]
		switch {
		case da < db:
			i++
			continue
		case db < da:
			j++
			continue
		}
		if ca, cb := a.Closes[i], b.Closes[j]; ca > 0 && cb > 0 && ca <= math.MaxFloat64 && cb <= math.MaxFloat64 {
			if da >= next { // a new week: the previous one's last date is its close
				if ci >= 0 {
					days = append(days, a.Days[ci])
					rs = append(rs, 100*a.Closes[ci]/b.Closes[cj])
				}
				next = da - Day((int(da.Weekday())+6)%7) + 7 // next Monday
			}
			ci, cj = i, j
		}
		i++
		j++
	}
	c.days, c.rs = days, rs
	return days, rs
}

// entry computes one asset against its benchmark; pts is an empty slice
// with room for Keep points (the entry's History is built in it). changes,
// if not nil: list the entry's quadrant changes (Entry.Changes), appended
// to *changes (an earlier entry's are never touched again).
func (c *Computer) entry(sector, asset, bench string, a, b Series, pts []Point, changes *[]Change) Entry {
	e := Entry{Sector: sector, Asset: asset, Benchmark: bench}
	days, rs := c.Weekly(a, b)
	n := len(days)
	if n == 0 {
		e.Tail, e.History = pts[:0:0], pts[:0:0]
		return e
	}
	p := c.cfg.Window
	c.ratio, c.diff = grow(c.ratio, n), grow(c.diff, n)
	c.s1, c.s2 = grow(c.s1, n), grow(c.s2, n)
	windowSums(rs, c.s1, c.s2, p)
	for i := range n {
		c.ratio[i] = zscore(rs[i], c.s1[i], c.s2[i], p)
	}
	c.diff[0] = math.NaN()
	for i := 1; i < n; i++ {
		c.diff[i] = c.ratio[i] - c.ratio[i-1] // NaN when either is null
	}
	// Momentum's window sums cover every point; its values are computed
	// only where they are read (the kept points, the weeks in quadrant).
	windowSums(c.diff, c.s1, c.s2, p)
	mom := func(i int) float64 { return zscore(c.diff[i], c.s1[i], c.s2[i], p) }
	quad := func(i int) Quadrant { return quadrant(c.ratio[i], mom(i)) }

	last := n - 1
	e.RSRatio, e.RSMomentum = some(c.ratio[last]), some(mom(last))
	e.Quadrant = quad(last)
	if e.Quadrant != None {
		w := 1
		for i := last - 1; i >= 0 && quad(i) == e.Quadrant; i-- {
			w++
		}
		e.WeeksInQuadrant = w
	}
	e.Unfinished = !c.WeekEnd(days[last])
	lf := last
	if e.Unfinished {
		lf--
	}
	if lf >= 0 {
		e.Closed = Closed{Week: days[lf], Valid: true, Quadrant: quad(lf)}
		if lf > 0 {
			e.Closed.Prev = quad(lf - 1)
		}
		if changes != nil {
			from := len(*changes)
			*changes = appendChanges(*changes, days, quad, lf)
			if len(*changes) > from {
				e.Changes = (*changes)[from:len(*changes):len(*changes)]
			}
		}
	}
	for i := max(0, n-c.cfg.Keep); i < n; i++ {
		pts = append(pts, Point{Week: days[i], RSRatio: some(c.ratio[i]), RSMomentum: some(mom(i))})
	}
	e.History = pts[:len(pts):len(pts)]
	e.Tail = e.History[max(0, len(pts)-c.cfg.Tail):]
	return e
}

// appendChanges appends the quadrant changes on the finished points
// lf-ChangeWeeks+1 … lf (dated by days; quad gives each point's quadrant),
// oldest first. A point without a quadrant is skipped over: the change is
// from the last earlier point with one (looked for before the window too,
// so a change is the same whichever window lists it).
func appendChanges(out []Change, days []Day, quad func(int) Quadrant, lf int) []Change {
	first := max(0, lf-ChangeWeeks+1)
	prev := None
	for i := first - 1; i >= 0 && prev == None; i-- {
		prev = quad(i)
	}
	for i := first; i <= lf; i++ {
		q := quad(i)
		if q == None {
			continue
		}
		if prev != None && q != prev {
			out = append(out, Change{Week: days[i], From: prev, To: q})
		}
		prev = q
	}
	return out
}

// grow returns s resized to n (reallocated only when too small).
func grow(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n, n+n/4)
	}
	return s[:n]
}

// windowSums writes TA-Lib's running sums for SMA(x, p) and VAR(x, p) at
// each point: s1 and s2 are the sums of x and x² over the p values ending
// at the point (NaN where there is no such window). Runs of finite x are
// separate (a NaN restarts the windows); within a run the sums are
// accumulated from 0.0 in input order and the oldest value is subtracted
// after each output, exactly as TA-Lib does, so s1/p is go-talib's Sma and
// s2/p − (s1/p)² its Var, bit for bit.
func windowSums(x, s1, s2 []float64, p int) {
	var t1, t2 float64
	run := 0 // finite values in the current run
	for i, v := range x {
		if math.IsNaN(v) {
			t1, t2, run = 0, 0, 0
			s1[i], s2[i] = math.NaN(), math.NaN()
			continue
		}
		t1 += v
		t2 += float64(v * v)
		run++
		if run < p {
			s1[i], s2[i] = math.NaN(), math.NaN()
			continue
		}
		s1[i], s2[i] = t1, t2
		old := x[i-p+1]
		t1 -= old
		t2 -= float64(old * old)
	}
}

// zscore is 100 + (x − mean) ÷ σ from TA-Lib's window sums (NaN for null):
// mean = s1/p, variance = s2/p − mean², and TA-Lib's STDDEV is 0 (null
// here) for a variance below 1e-14.
func zscore(x, s1, s2 float64, p int) float64 {
	fp := float64(p)
	m1 := s1 / fp
	m2 := s2 / fp
	variance := m2 - float64(m1*m1)
	if !(variance >= 1e-14) { // also NaN: no window
		return math.NaN()
	}
	return 100 + (x-m1)/math.Sqrt(variance)
}
