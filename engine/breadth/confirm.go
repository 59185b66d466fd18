package breadth

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"strings"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/ta"
)

// Confirmation strip: each item confirms or diverges the main pair's
// signal. A pair or credit ratio confirms when it is above its 50-day
// average (TA-Lib SMA over the dates both legs have, the latest included);
// the 2-year yield confirms when it fell over 21 trading days (21
// observations of the series; missing values are not observations).
const (
	ConfirmSMA       = 50
	ConfirmYieldBars = 21
	// DefaultYieldSeries is FRED's 2-year Treasury constant-maturity yield.
	DefaultYieldSeries = "DGS2"
)

// ConfirmSpec is one configured confirmation item ([[confirm]] in the
// config file).
type ConfirmSpec struct {
	// ID names the item in the JSON; derived from the symbols or the series
	// when empty ("iwm_qqq", "dgs2").
	ID string `toml:"id"`
	// Kind is "pair", "credit" or "yield".
	Kind string `toml:"kind"`
	// Symbols is "NUM/DEN" for a pair or credit ratio (e.g. "IWM/QQQ").
	Symbols string `toml:"symbols"`
	// Series is the FRED series of a yield item (default DGS2).
	Series string `toml:"series"`
	// Label is shown on the strip (default: the symbols, or "2y yield" for
	// DGS2 and the series id otherwise).
	Label string `toml:"label"`
}

// DefaultConfirms is the default strip: other small/large pairs, credit
// and the 2-year yield.
func DefaultConfirms() []ConfirmSpec {
	return []ConfirmSpec{
		{Kind: engine.ConfirmKindPair, Symbols: "IWM/QQQ"},
		{Kind: engine.ConfirmKindPair, Symbols: "IJR/SPY"},
		{Kind: engine.ConfirmKindPair, Symbols: "RSP/SPY"},
		{Kind: engine.ConfirmKindPair, Symbols: "IWC/IWM"},
		{Kind: engine.ConfirmKindCredit, Symbols: "HYG/LQD"},
		{Kind: engine.ConfirmKindYield, Series: DefaultYieldSeries},
	}
}

var (
	symRe    = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.\-^=]{0,14}$`)
	seriesRe = regexp.MustCompile(`^[A-Z0-9_]{1,30}$`)
	idRe     = regexp.MustCompile(`^[a-z0-9_\-]{1,40}$`)
)

// ErrConfirm is wrapped by Normalize's errors.
var ErrConfirm = errors.New("invalid confirmation item")

// Normalize validates s and fills in the defaults (upper-case symbols, the
// series, the ID and the label).
func (s ConfirmSpec) Normalize() (ConfirmSpec, error) {
	s.Kind = strings.ToLower(strings.TrimSpace(s.Kind))
	switch s.Kind {
	case engine.ConfirmKindPair, engine.ConfirmKindCredit:
		num, den, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s.Symbols)), "/")
		num, den = strings.TrimSpace(num), strings.TrimSpace(den)
		if !ok || !symRe.MatchString(num) || !symRe.MatchString(den) || num == den {
			return s, fmt.Errorf("symbols %q: want two different tickers as \"NUM/DEN\", e.g. \"IWM/QQQ\": %w", s.Symbols, ErrConfirm)
		}
		if s.Series != "" {
			return s, fmt.Errorf("series %q is for kind \"yield\", not %q: %w", s.Series, s.Kind, ErrConfirm)
		}
		s.Symbols = num + "/" + den
		if s.ID == "" {
			s.ID = strings.ToLower(num + "_" + den)
		}
		if s.Label == "" {
			s.Label = s.Symbols
		}
	case engine.ConfirmKindYield:
		if s.Symbols != "" {
			return s, fmt.Errorf("symbols %q are for kinds \"pair\" and \"credit\", not \"yield\": %w", s.Symbols, ErrConfirm)
		}
		s.Series = strings.ToUpper(strings.TrimSpace(s.Series))
		if s.Series == "" {
			s.Series = DefaultYieldSeries
		}
		if !seriesRe.MatchString(s.Series) {
			return s, fmt.Errorf("series %q: want a FRED series id such as DGS2: %w", s.Series, ErrConfirm)
		}
		if s.ID == "" {
			s.ID = strings.ToLower(s.Series)
		}
		if s.Label == "" {
			s.Label = s.Series
			if s.Series == DefaultYieldSeries {
				s.Label = "2y yield"
			}
		}
	default:
		return s, fmt.Errorf("kind %q: want \"pair\", \"credit\" or \"yield\": %w", s.Kind, ErrConfirm)
	}
	s.ID = strings.ToLower(strings.TrimSpace(s.ID))
	if !idRe.MatchString(s.ID) {
		return s, fmt.Errorf("id %q: want lower-case letters, digits, _ or -: %w", s.ID, ErrConfirm)
	}
	s.Label = strings.TrimSpace(s.Label)
	return s, nil
}

// NormalizeConfirms normalises every item and rejects duplicate IDs.
func NormalizeConfirms(specs []ConfirmSpec) ([]ConfirmSpec, error) {
	out := make([]ConfirmSpec, 0, len(specs))
	seen := map[string]bool{}
	for i, s := range specs {
		n, err := s.Normalize()
		if err != nil {
			return nil, fmt.Errorf("confirm[%d]: %w", i, err)
		}
		if seen[n.ID] {
			return nil, fmt.Errorf("confirm[%d]: id %q used twice: %w", i, n.ID, ErrConfirm)
		}
		seen[n.ID] = true
		out = append(out, n)
	}
	return out, nil
}

// Legs returns a pair or credit item's two symbols.
func (s ConfirmSpec) Legs() (num, den string, ok bool) {
	if s.Kind == engine.ConfirmKindYield {
		return "", "", false
	}
	return strings.Cut(s.Symbols, "/")
}

// Live is a forming (unfinished) daily bar's live prices for a pair item.
// Day 0 means no forming bar.
type Live struct {
	Day      Day
	Num, Den float64
}

func unknown(s ConfirmSpec) engine.Confirmation {
	return engine.Confirmation{ID: s.ID, Kind: s.Kind, Label: s.Label, State: engine.ConfirmUnknown, Series: s.Series}
}

// PairState is a pair or credit item's closed-bar state: the ratio on the
// dates both legs have (no forward fill) and its SMA50. Build it again when
// the legs' closed bars change; Eval is O(1).
type PairState struct {
	spec  ConfirmSpec
	sma   *ta.SMA
	last  Day
	ratio float64
	avg   float64
	ok    bool
}

// NewPairState runs the ratio and its average over the legs' closed daily
// bars (oldest first).
func NewPairState(s ConfirmSpec, num, den []engine.Bar) *PairState {
	p := &PairState{spec: s}
	var err error
	p.sma, err = ta.NewSMA(ConfirmSMA)
	must(err)
	j := 0
	for _, b := range num {
		d := DayOf(b.Time)
		for j < len(den) && DayOf(den[j].Time) < d {
			j++
		}
		if j == len(den) {
			break
		}
		if DayOf(den[j].Time) != d || !(den[j].Close > 0) {
			continue
		}
		x := b.Close / den[j].Close
		v, ok, err := p.sma.Update(x)
		if err != nil {
			continue // a non-positive or non-finite ratio never reaches the average
		}
		p.last, p.ratio, p.avg, p.ok = d, x, v, ok
	}
	return p
}

// Eval returns the item on the latest joint closed date or, when live has a
// later day and both live prices, on the forming bar.
func (p *PairState) Eval(live Live) engine.Confirmation {
	c := unknown(p.spec)
	last, r, avg, ok := p.last, p.ratio, p.avg, p.ok
	if last != 0 && live.Day > last && live.Num > 0 && live.Den > 0 {
		x := live.Num / live.Den
		if v, vok, err := p.sma.Peek(x); err == nil {
			last, r, avg, ok = live.Day, x, v, vok
			c.Forming = true
		}
	}
	if last == 0 {
		return c
	}
	c.AsOf = last.String()
	c.Value = engine.Some(r)
	if !ok {
		return c
	}
	c.Reference = engine.Some(avg)
	c.State = engine.ConfirmDiverges
	if r > avg {
		c.State = engine.ConfirmConfirms
	}
	return c
}

// ConfirmPair is NewPairState(s, num, den).Eval(live).
func ConfirmPair(s ConfirmSpec, num, den []engine.Bar, live Live) engine.Confirmation {
	return NewPairState(s, num, den).Eval(live)
}

// YieldObs is one observation of a yield series (percent).
type YieldObs struct {
	Day   Day
	Value float64
}

// ConfirmYield evaluates a yield item from its observations (oldest first;
// missing values already left out): it confirms when the latest value is
// below the value 21 observations earlier.
func ConfirmYield(s ConfirmSpec, obs []YieldObs) engine.Confirmation {
	c := unknown(s)
	for len(obs) > 0 && !finite(obs[len(obs)-1].Value) {
		obs = obs[:len(obs)-1]
	}
	if len(obs) == 0 {
		return c
	}
	lastObs := obs[len(obs)-1]
	c.AsOf = lastObs.Day.String()
	c.Value = engine.Some(lastObs.Value)
	if len(obs) <= ConfirmYieldBars || !finite(obs[len(obs)-1-ConfirmYieldBars].Value) {
		return c
	}
	ref := obs[len(obs)-1-ConfirmYieldBars].Value
	c.Reference = engine.Some(ref)
	c.State = engine.ConfirmDiverges
	if lastObs.Value < ref {
		c.State = engine.ConfirmConfirms
	}
	return c
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Score counts the items that confirm (n) among those with a known state
// (k): the strip's "n/k confirm".
func Score(cs []engine.Confirmation) (n, k int) {
	for _, c := range cs {
		switch c.State {
		case engine.ConfirmConfirms:
			n++
			k++
		case engine.ConfirmDiverges:
			k++
		}
	}
	return n, k
}

// ScoreText is the strip's score as every view says it: "3/6 confirm", or,
// when no item has a state, "confirm (no file)" — see NoScoreWhy.
func ScoreText(cs []engine.Confirmation) string {
	n, k := Score(cs)
	if k == 0 {
		return "confirm (" + NoScoreWhy(cs) + ")"
	}
	return fmt.Sprintf("%d/%d confirm", n, k)
}

// NoScoreWhy is the strip's word when no item has data: "no file" when
// every pair and credit item lacks a leg's file, "no data" when each has a
// leg that failed otherwise, "no data yet" while any may still come.
func NoScoreWhy(cs []engine.Confirmation) string {
	n, files := 0, 0
	for _, c := range cs {
		if c.Kind == engine.ConfirmKindYield {
			continue
		}
		why := c.Missing
		if why == "" {
			return "no data yet"
		}
		n++
		if strings.HasPrefix(why, "no file") {
			files++
		}
	}
	switch {
	case n == 0:
		return "no data yet"
	case files == n:
		return "no file"
	}
	return "no data"
}
