package demo

import (
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// Model constants (daily, log-return units).
const (
	histYears  = 20
	histMonths = 4 // a little over 20 years: ~5,100 trading days
	// shortYears of history are returned for symbols other than the pair's
	// legs (~756 trading days): enough for every 200-day average, 52-week
	// high and 63-day return, and the chart's year, at a seventh of the
	// memory. The pair's legs keep all 20 years for the analog study.
	shortYears = 3
	tailDays   = 60

	mktDrift     = 0.00035 // calm/normal market drift per day
	mktStress    = -0.0012 // drift in the stressed regime
	mktLogGrowth = 0.076   // the market's log return per year over the whole history
	sizeVol      = 0.0045  // size factor (small minus large) daily vol
	sizeDrift    = 0.00045 // |drift| of the size factor in a leading/lagging regime
	sizeRevert   = 500.0   // mean-reversion time of the small/large ratio, days
	sectorVol    = 0.0060
	sectorDrft   = 0.00015

	gapFrac = 0.3  // share of the day's move that happens overnight
	hlFrac  = 0.35 // high/low excursion beyond open/close, in daily sigmas
)

// mktVol is the market's daily volatility in a regime: calm, normal, stressed.
func mktVol(regime int) float64 {
	switch regime {
	case 0:
		return 0.0065
	case 2:
		return 0.0220
	}
	return 0.0100
}

// world is the part of the simulated market shared by every symbol: the
// trading dates and the daily factor returns. It depends only on the seed, the
// start and the staged pair, never on which symbols are requested.
type world struct {
	seed         int64
	small, large string
	dates        []time.Time // trading dates (midnight New York), oldest first
	mkt          []float64   // market factor return of each date
	mktSig       []float64   // market regime volatility of each date
	size         []float64   // size factor return
	sector       [numSectors][]float64
	staged       bool    // the tail was shaped into a breakout set-up
	tilted       bool    // the 200-day average was placed just above the end
	tiltDrift    float64 // the size-factor drift the tilt added per day
	tailNoise    float64 // share of the level noise the staged tail kept (1, ¾, ½; 0: bare skeleton)
}

// rngFor returns the random stream of one purpose ("factors", a symbol, …).
func rngFor(seed int64, stream string, sub uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^0x9e3779b97f4a7c15, symHash(stream)^sub))
}

// tradingDates returns the trading days from ~20 years before end up to end.
func tradingDates(cal *calendar.Calendar, end time.Time) []time.Time {
	begin := end.AddDate(-histYears, -histMonths, 0)
	dates := make([]time.Time, 0, 5200)
	d := cal.TradingDate(begin)
	if d.Before(begin) {
		d = cal.NextTradingDate(d)
	}
	for !d.After(end) {
		dates = append(dates, d)
		d = cal.NextTradingDate(d)
	}
	return dates
}

// newWorld builds the factor history ending on the trading date end.
func newWorld(cal *calendar.Calendar, seed int64, end time.Time, small, large string) *world {
	w := &world{seed: seed, small: small, large: large, dates: tradingDates(cal, end)}
	n := len(w.dates)
	w.mkt = make([]float64, n)
	w.mktSig = make([]float64, n)
	w.size = make([]float64, n)
	for k := range w.sector {
		w.sector[k] = make([]float64, n)
	}
	r := rngFor(seed, "factors", 0)
	mReg := 1 // market regime: normal
	for t := range n {
		// Markov regimes: calm / normal / stressed.
		switch mReg {
		case 2:
			if r.Float64() < 1.0/35 {
				mReg = 1
			}
		default:
			if r.Float64() < 1.0/120 {
				if r.Float64() < 0.35 {
					mReg = 2
				} else {
					mReg = 1 - mReg
				}
			}
		}
		sig := mktVol(mReg)
		drift := mktDrift
		if mReg == 2 {
			drift = mktStress
		}
		w.mktSig[t] = sig
		w.mkt[t] = drift + sig*r.NormFloat64()
	}
	// Pin the market's total return over the history to a realistic ~7.8% a
	// year (SPY about 4.7x over 20 years), spread evenly over the days: a
	// ~0.01%/day nudge that the eye cannot see.
	if n > 1 {
		total := 0.0
		for t := 1; t < n; t++ {
			total += w.mkt[t]
		}
		adj := (mktLogGrowth*float64(n-1)/252 - total) / float64(n-1)
		for t := 1; t < n; t++ {
			w.mkt[t] += adj
		}
	}
	sReg := 0         // size regime: -1 lagging, 0 neutral, 1 leading
	ratioLevel := 0.0 // log small/large ratio relative to its long-run mean
	var secReg [numSectors]int
	for t := range n {
		if r.Float64() < 1.0/110 {
			sReg = r.IntN(3) - 1
		}
		// Small caps suffer more in stress.
		sv := sizeVol
		if w.mktSig[t] == mktVol(2) {
			sv *= 1.6
		}
		// The small/large log ratio (a 0.2 beta gap plus the size factor)
		// reverts slowly to its mean, so 20 years stay in a realistic range.
		w.size[t] = float64(sReg)*sizeDrift - ratioLevel/sizeRevert + sv*r.NormFloat64()
		ratioLevel += 0.2*w.mkt[t] + w.size[t]
		for k := range numSectors {
			if r.Float64() < 1.0/150 {
				secReg[k] = r.IntN(3) - 1
			}
			w.sector[k][t] = float64(secReg[k])*sectorDrft + sectorVol*r.NormFloat64()
		}
	}
	w.stage()
	return w
}

// idioNoise returns the standard-normal idiosyncratic shocks of sym, one per
// date. They are the first draws of the symbol's own stream, so they are the
// same whichever other symbols exist.
func (w *world) idioNoise(r *rand.Rand) []float64 {
	e := make([]float64, len(w.dates))
	for i := range e {
		e[i] = r.NormFloat64()
	}
	return e
}

// otherRet is the part of sym's return on day t that is not the size factor.
func (w *world) otherRet(p params, e []float64, t int) float64 {
	v := float64(p.beta*w.mkt[t]) + float64(p.idio*e[t])
	if p.sector != secNone {
		v += float64(p.secB * w.sector[p.sector][t])
	}
	return v
}

// stage rewrites the size factor over the last tailDays days so that the
// small/large ratio ends just below both its 50-day average and its prior
// 20-day high (see tailShape); the live stream then lifts it through both.
//
// The staged log ratio is the shape plus each day's own non-size ratio
// return (the legs' beta gap times the market, their idiosyncratic and
// sector moves) as a level around it: day k's ratio return is the shape's
// step plus other[k] − other[k−1]. So the small leg keeps its extra market
// beta and volatility through the set-up (the dashboard's 63-day risk
// window is almost all staged days), while the ratio stays on its shape.
func (w *world) stage() {
	n := len(w.dates)
	ps, pl := paramsFor(w.small), paramsFor(w.large)
	dsz := ps.size - pl.size
	if n < tailDays+2 || math.Abs(dsz) < 0.2 {
		return
	}
	es := w.idioNoise(rngFor(w.seed, w.small, 1))
	el := w.idioNoise(rngFor(w.seed, w.large, 1))
	other := make([]float64, tailDays+1) // k = 0 is the day before the tail
	for k := range other {
		t := n - 1 - tailDays + k
		other[k] = w.otherRet(ps, es, t) - w.otherRet(pl, el, t)
	}
	// The level noise: the non-size return plus a little more market beta.
	z := make([]float64, tailDays+1)
	for k := range z {
		z[k] = other[k] + tailBeta*w.mkt[n-1-tailDays+k]
	}
	shape, damp := tailShape(rngFor(w.seed, "tail", 0), z)
	w.tailNoise = damp
	for k := 1; k <= tailDays; k++ {
		t := n - 1 - tailDays + k
		w.size[t] = (shape[k] - shape[k-1] - other[k]) / dsz
	}
	w.staged = true
	target := gap200Min + (gap200Max-gap200Min)*rngFor(w.seed, "tail", 1).Float64()
	w.tilt(ps, pl, es, el, target)
}

// tilt adds a constant drift to the size factor over the tiltDays days
// before the staged tail so that the ratio's 200-day average ends the
// history target (relative) above the last close. The live breakout then
// crosses the SMA200 at a 20-day high too, the analog study's event. When
// the drift needed is implausibly large the history is left as it is.
func (w *world) tilt(ps, pl params, es, el []float64, target float64) {
	n := len(w.dates)
	if n < 200 || tailDays+tiltDays != 200 {
		return
	}
	dsz := ps.size - pl.size
	// r0[i]: log ratio of day n-200+i relative to the last close, untilted.
	var r0 [200]float64
	for t := n - 1; t > n-200; t-- {
		d := w.otherRet(ps, es, t) - w.otherRet(pl, el, t) + dsz*w.size[t]
		r0[t-1-(n-200)] = r0[t-(n-200)] - d
	}
	junction := n - 1 - tailDays // last tilted day
	gap := func(u float64) float64 {
		s := 0.0
		for i, v := range r0 {
			if t := n - 200 + i; t <= junction {
				v -= u * float64(junction-t)
			}
			s += math.Exp(v)
		}
		return s/200 - 1
	}
	lo, hi := -maxTilt, maxTilt // gap is decreasing in u
	if gap(lo) < target || gap(hi) > target {
		return
	}
	for range 60 {
		mid := (lo + hi) / 2
		if gap(mid) > target {
			lo = mid
		} else {
			hi = mid
		}
	}
	delta := (lo + hi) / 2 / dsz
	for t := n - 200; t <= junction; t++ {
		w.size[t] += delta
	}
	w.tiltDrift, w.tilted = delta, true
}

// Tail constraints (relative to the last close of the ratio).
const (
	gapSMAMin = 0.0015 // mean of the last 49 closes above the last close by at least…
	gapSMAMax = 0.0045
	gapHiMin  = 0.0030 // max of the last 20 closes above the last close by at least…
	gapHiMax  = 0.0070
	gapSep    = 0.0010 // the 20-day high is at least this far above the average
	gap200Min = 0.0035 // the 200-day average above the last close by at least…
	gap200Max = 0.0070
	tiltDays  = 140    // days before the tail whose drift sets the 200-day average
	maxTilt   = 0.0015 // largest drift the tilt may add to the log ratio, per day
	tailTries = 400    // draws of the tail before the skeleton fallback
	tailBeta  = 0.1    // extra market beta of the ratio's level noise in the tail
	quietVol  = 1.2    // the small leg's last history volume at most this × its 20-day mean
)

// tailShape returns log-ratio values for k = 0..tailDays (the last is 0): the
// skeleton plus a Brownian bridge plus the level noise z (z[tailDays] is
// taken as 0 so the last close is the reference), redrawn until the set-up
// constraints hold. If they keep failing, the noise is damped (¾, then ½);
// the bare skeleton satisfies them and is the last fallback.
func tailShape(r *rand.Rand, z []float64) (shape []float64, damp float64) {
	// The deterministic skeleton, in log-ratio units relative to the final
	// close: a dip, a base, a push to a 20-day high ~10 days before the end
	// and a pull-back under the 50-day average.
	tailKeys := [...][2]float64{
		{0, -0.009}, {12, 0.0015}, {25, 0.0035}, {35, 0.0010}, {44, 0.0035}, {50, 0.0050}, {55, 0.0030}, {60, 0},
	}
	base := make([]float64, tailDays+1)
	for i := 0; i+1 < len(tailKeys); i++ {
		k0, v0 := int(tailKeys[i][0]), tailKeys[i][1]
		k1, v1 := int(tailKeys[i+1][0]), tailKeys[i+1][1]
		for k := k0; k <= k1; k++ {
			base[k] = v0 + (v1-v0)*float64(k-k0)/float64(k1-k0)
		}
	}
	out := make([]float64, tailDays+1)
	b := make([]float64, tailDays+1)
	for try := 0; try < tailTries; try++ {
		damp = 1.0
		switch {
		case try >= tailTries*3/4:
			damp = 0.5
		case try >= tailTries/2:
			damp = 0.75
		}
		bsum := 0.0
		for k := 1; k <= tailDays; k++ {
			bsum += 0.0022 * r.NormFloat64()
			b[k] = bsum
		}
		for k := range out {
			out[k] = base[k] + b[k] - b[tailDays]*float64(k)/tailDays
			if k < tailDays && k < len(z) {
				out[k] += damp * z[k]
			}
		}
		if tailOK(out) {
			return out, damp
		}
	}
	return base, 0
}

// tailOK checks the set-up constraints on a log-ratio tail ending at 0.
func tailOK(l []float64) bool {
	n := len(l)
	last := math.Exp(l[n-1])
	mean49, hi20, mean50, hiPrior := 0.0, 0.0, 0.0, 0.0
	for k := n - 49; k < n; k++ {
		mean49 += math.Exp(l[k])
	}
	mean49 /= 49
	for k := n - 50; k < n; k++ {
		mean50 += math.Exp(l[k])
	}
	mean50 /= 50
	for k := n - 20; k < n; k++ {
		hi20 = max(hi20, math.Exp(l[k]))
	}
	for k := n - 21; k < n-1; k++ {
		hiPrior = max(hiPrior, math.Exp(l[k]))
	}
	gs, gh := mean49/last-1, hi20/last-1
	return gs >= gapSMAMin && gs <= gapSMAMax && gh >= gapHiMin && gh <= gapHiMax &&
		gh-gs >= gapSep && mean50 > last && hiPrior > last
}

// symbolBars returns sym's daily bars: over all the world's dates for the
// pair's legs, over the last shortYears for every other symbol. The short
// series are the tails of the full ones (the same bars on the same dates).
func (w *world) symbolBars(sym string) []engine.Bar {
	bars := w.fullBars(sym)
	if sym == w.small || sym == w.large || len(bars) == 0 {
		return bars
	}
	from := bars[len(bars)-1].Time.AddDate(-shortYears, 0, 0)
	i := sort.Search(len(bars), func(i int) bool { return bars[i].Time.After(from) })
	return append([]engine.Bar(nil), bars[i:]...) // a copy: the full series is garbage
}

// fullBars generates sym's daily bars over the world's dates.
func (w *world) fullBars(sym string) []engine.Bar {
	p := paramsFor(sym)
	r := rngFor(w.seed, sym, 1)
	e := w.idioNoise(r)
	n := len(w.dates)
	ret := make([]float64, n)
	cum := 0.0
	for t := 1; t < n; t++ {
		ret[t] = w.otherRet(p, e, t) + float64(p.size*w.size[t])
		cum += ret[t]
	}
	// Scale so the final close is the symbol's realistic level.
	price := p.level * math.Exp(-cum)
	bars := make([]engine.Bar, n)
	prev := price
	for t := range n {
		sig := symSigma(p, w.mktSig[t])
		cl := prev * math.Exp(ret[t])
		op := prev * math.Exp(gapFrac*ret[t]+0.2*sig*r.NormFloat64())
		if t == 0 {
			op = cl * math.Exp(0.3*sig*r.NormFloat64())
		}
		hi := max(op, cl) * math.Exp(hlFrac*sig*math.Abs(r.NormFloat64()))
		lo := min(op, cl) * math.Exp(-hlFrac*sig*math.Abs(r.NormFloat64()))
		vol := p.adv * math.Exp(0.3*r.NormFloat64()-0.045) * (0.68 + 0.4*math.Abs(ret[t])/sig) *
			math.Sqrt(w.mktSig[t]/mktVol(1))
		if t == n-1 && w.staged && sym == w.small && t >= 20 {
			// The set-up ends on an ordinary day for the small leg, so the
			// volume surge belongs to the breakout day.
			sum := 0.0
			for _, b := range bars[t-20 : t] {
				sum += b.Volume
			}
			vol = min(vol, quietVol*sum/20)
		}
		bars[t] = engine.Bar{
			Symbol: sym, Time: w.dates[t],
			Open: cents(op), High: cents(hi), Low: cents(lo), Close: cents(cl),
			Volume: math.Round(vol),
		}
		// Rounding may invert the order by a cent; keep the bar consistent.
		b := &bars[t]
		b.High = max(b.High, b.Open, b.Close)
		b.Low = min(b.Low, b.Open, b.Close)
		prev = cl
	}
	return bars
}

// symSigma is sym's total daily volatility when the market's is mktSig.
func symSigma(p params, mktSig float64) float64 {
	v := p.beta*p.beta*mktSig*mktSig + p.size*p.size*sizeVol*sizeVol + p.idio*p.idio
	if p.sector != secNone {
		v += p.secB * p.secB * sectorVol * sectorVol
	}
	return math.Sqrt(v)
}

// cents rounds a price to the cent (never to zero).
func cents(x float64) float64 { return max(math.Round(x*100)/100, 0.01) }
