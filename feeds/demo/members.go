package demo

import (
	"fmt"
	"math"
	"strings"

	"github.com/capwatch/capwatch/engine"
)

// MemberCount is the size of the demo's breadth universe.
const MemberCount = 600

// memberPrefix starts every synthetic member's ticker ("SC001" …): they are
// DEMO data, named so that they can never be taken for real companies.
const memberPrefix = "SC"

// Members returns the demo's breadth universe: MemberCount synthetic small
// caps driven by the same factor model as the ETFs (market, size and
// sector factors plus their own noise), so the staged breakout shows
// breadth joining it.
func Members() []string {
	out := make([]string, MemberCount)
	for i := range out {
		out[i] = fmt.Sprintf("%s%03d", memberPrefix, i+1)
	}
	return out
}

// isMember reports whether sym is one of Members.
func isMember(sym string) bool {
	if len(sym) != len(memberPrefix)+3 || !strings.HasPrefix(sym, memberPrefix) {
		return false
	}
	for _, c := range sym[len(memberPrefix):] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// memberParams is a synthetic member's profile: a small cap (size loading
// about 1, like IWM), some market beta, a sector, and its own daily noise
// small enough that the factors show in the breadth.
func memberParams(h uint64) params {
	u := func(shift uint) float64 { return float64((h>>shift)&0xffff) / 0xffff } // 0..1
	return params{
		level:  5 * math.Exp(u(0)*math.Log(16)), // 5..80, log-uniform
		beta:   0.9 + 0.5*u(16),
		size:   0.8 + 0.4*u(32),
		sector: int(h>>48) % numSectors,
		secB:   0.6 + 0.6*u(40),
		idio:   0.010 + 0.010*u(24),
		adv:    1e5 * math.Exp(u(8)*math.Log(50)), // 100k..5M
	}
}

// Series returns a synthetic daily observation series over the history's
// dates. "DGS2" is a 2-year Treasury yield (percent) that mean-reverts
// around 3.5 % and falls when small caps lead (the size factor rises), as
// rate-cut hopes do; any other id is an error.
func (f *Feed) Series(id string) ([]engine.Observation, error) {
	if id != "DGS2" {
		return nil, fmt.Errorf("demo: no series %q (the demo has DGS2)", id)
	}
	w := f.world()
	r := rngFor(w.seed, "DGS2", 0)
	out := make([]engine.Observation, len(w.dates))
	y := 3.8
	for t, d := range w.dates {
		if t > 0 {
			y += 0.03*r.NormFloat64() - 6*w.size[t] - 0.002*(y-3.5)
			y = max(y, 0.05)
		}
		out[t] = engine.Observation{Time: d, Value: math.Round(y*100) / 100}
	}
	return out, nil
}
