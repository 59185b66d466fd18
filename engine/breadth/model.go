package breadth

import (
	"time"

	"github.com/capwatch/capwatch/engine"
)

// The engine drives a Universe through engine.BreadthModel and a Strip
// through engine.ConfirmModel.
var (
	_ engine.BreadthModel = (*Universe)(nil)
	_ engine.ConfirmModel = (*Strip)(nil)
)

// Leg is SetLeg (engine.BreadthModel).
func (u *Universe) Leg(closed []engine.Bar) { u.SetLeg(closed) }

// Forming is SetForming with a trading date (zero: no forming bar).
func (u *Universe) Forming(date time.Time, price float64) {
	if date.IsZero() {
		u.SetForming(0, 0)
		return
	}
	u.SetForming(DayOf(date), price)
}

// MemberQuote is Quote with a trading date.
func (u *Universe) MemberQuote(sym string, date time.Time, price float64) bool {
	return u.Quote(sym, DayOf(date), price)
}

// Member is SetMember.
func (u *Universe) Member(sym string, bars []engine.Bar) error { return u.SetMember(sym, bars) }

// Breadth is Snapshot, shared while nothing changed.
func (u *Universe) Breadth() *engine.Breadth {
	if u.last != nil && !u.Changed() {
		return u.last
	}
	u.last = u.Snapshot()
	return u.last
}

// AboveThreshold is the breadth_above_sma50 threshold (percent).
func (u *Universe) AboveThreshold() float64 { return u.cfg.AboveSMA50 }

// FlagInputs is LiveFlags.
func (u *Universe) FlagInputs() (above, thrust, ok bool) { return u.LiveFlags() }

// Strip is the confirmation strip: the configured items, rebuilt from the
// closed bars (Closed) and evaluated on the live bars (Eval).
type Strip struct {
	specs  []ConfirmSpec
	pairs  []*PairState // per item; nil for a yield item
	yields [][]YieldObs // per item; nil for a pair item
}

// NewStrip normalises specs and returns the strip.
func NewStrip(specs []ConfirmSpec) (*Strip, error) {
	n, err := NormalizeConfirms(specs)
	if err != nil {
		return nil, err
	}
	s := &Strip{specs: n, pairs: make([]*PairState, len(n)), yields: make([][]YieldObs, len(n))}
	for i, sp := range n {
		if sp.Kind != engine.ConfirmKindYield {
			s.pairs[i] = NewPairState(sp, nil, nil)
		}
	}
	return s, nil
}

// Specs returns the normalised items.
func (s *Strip) Specs() []ConfirmSpec { return s.specs }

// Symbols lists the pair and credit items' symbols, each once, in order.
func (s *Strip) Symbols() []string {
	var out []string
	seen := map[string]bool{}
	for _, sp := range s.specs {
		num, den, ok := sp.Legs()
		if !ok {
			continue
		}
		for _, x := range []string{num, den} {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out
}

// Series lists the yield items' series ids, each once.
func (s *Strip) Series() []string {
	var out []string
	seen := map[string]bool{}
	for _, sp := range s.specs {
		if sp.Kind == engine.ConfirmKindYield && !seen[sp.Series] {
			seen[sp.Series] = true
			out = append(out, sp.Series)
		}
	}
	return out
}

// Closed rebuilds every item from the closed daily bars and the series.
func (s *Strip) Closed(daily func(sym string) []engine.Bar, series map[string][]engine.Observation) {
	for i, sp := range s.specs {
		if num, den, ok := sp.Legs(); ok {
			s.pairs[i] = NewPairState(sp, daily(num), daily(den))
			continue
		}
		obs := series[sp.Series]
		y := make([]YieldObs, 0, len(obs))
		for _, o := range obs {
			y = append(y, YieldObs{Day: DayOf(o.Time), Value: o.Value})
		}
		s.yields[i] = y
	}
}

// Eval returns the items; a pair whose legs both have a forming bar on the
// same date is evaluated on it.
func (s *Strip) Eval(live func(sym string) (date time.Time, price float64, ok bool)) []engine.Confirmation {
	out := make([]engine.Confirmation, len(s.specs))
	for i, sp := range s.specs {
		num, den, ok := sp.Legs()
		if !ok {
			out[i] = ConfirmYield(sp, s.yields[i])
			continue
		}
		var l Live
		dn, pn, okn := live(num)
		dd, pd, okd := live(den)
		if okn && okd && DayOf(dn) == DayOf(dd) {
			l = Live{Day: DayOf(dn), Num: pn, Den: pd}
		}
		out[i] = s.pairs[i].Eval(l)
	}
	return out
}
