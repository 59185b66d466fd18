package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// Live-session constants.
const (
	sessionSecs = 23400.0          // seconds in a regular session (the per-second volatility scale)
	rampAmp     = 0.010            // the staged breakout: size-factor rise in log units…
	rampDur     = 80 * time.Second // …over this much simulated time from Start
	liveDrift   = 2 * sizeDrift    // small caps keep leading after the breakout (per day)…
	day0Drift   = 0.004            // …and strongly so for the rest of the breakout day
	lot         = 100.0            // trade size of a thin ETF print
	thinADV     = 1e5              // below this average daily volume a symbol trades sporadically
	smallVolDay = 1.8              // the pair's small leg trades this much more on the breakout day
	smallVolOn  = 1.3              // …and on the following days
)

// liveSym is one symbol's simulated intraday state.
type liveSym struct {
	sym    string
	p      params
	r      *rand.Rand
	fair   float64 // the model price; trades print it rounded to the cent
	last   float64 // last traded price
	dayVol float64 // cumulative volume today
	adv    float64 // average daily volume of the last 20 history bars
}

// live advances the simulated market one QuoteInterval at a time.
type live struct {
	w        *world
	cal      *calendar.Calendar
	qi       time.Duration
	start    time.Time // simulated start (the ramp is measured from it)
	now      time.Time
	open     time.Time // today's regular session
	close    time.Time
	day      int // 0 = the breakout day
	fr       *rand.Rand
	mSig     float64
	syms     []liveSym
	smallSym string
}

// newLive starts the simulation at start from the last history close of
// every symbol.
func newLive(w *world, cal *calendar.Calendar, symbols []string, start time.Time, qi time.Duration) *live {
	l := &live{w: w, cal: cal, qi: qi, start: start, now: start, fr: rngFor(w.seed, "live", 0), smallSym: stagedSmall}
	l.open, l.close, _ = cal.Session(start)
	l.mSig = mktVol(1)
	if n := len(w.mktSig); n > 0 {
		l.mSig = w.mktSig[n-1]
	}
	l.syms = make([]liveSym, len(symbols))
	for i, s := range symbols {
		bars := w.barsSince(s, len(w.dates)-20) // the last close and the last 20 days' volumes
		ls := liveSym{sym: s, p: paramsFor(s), r: rngFor(w.seed, s, 2)}
		ls.adv = ls.p.adv
		if n := len(bars); n > 0 {
			ls.fair = bars[n-1].Close
			k, sum := 0, 0.0
			for j := max(0, n-20); j < n; j++ {
				sum += bars[j].Volume
				k++
			}
			ls.adv = max(sum/float64(k), 1)
		} else {
			ls.fair = ls.p.level
		}
		l.syms[i] = ls
	}
	l.openDay(false)
	return l
}

// openDay applies the overnight gap (none for the size factor on the
// breakout day, so the staged set-up is intact at the open) and prints the
// opening trade of every symbol, with the day's volume so far: the opening
// auction, or everything up to a Start later in the session.
func (l *live) openDay(sizeGap bool) {
	gm := 0.3 * l.mSig * l.fr.NormFloat64()
	gs := 0.0
	if sizeGap {
		gs = 0.3*sizeVol*l.fr.NormFloat64() + liveDrift*0.3
	}
	var gz [numSectors]float64
	for k := range gz {
		gz[k] = 0.3 * sectorVol * l.fr.NormFloat64()
	}
	for i := range l.syms {
		s := &l.syms[i]
		k := 0.3
		if isMember(s.sym) {
			k = 1 // a single small company gaps on its own news
		}
		g := s.p.beta*gm + s.p.size*gs + k*s.p.idio*s.r.NormFloat64()
		if s.p.sector != secNone {
			g += s.p.secB * gz[s.p.sector]
		}
		s.fair *= math.Exp(g)
		s.last = cents(s.fair)
		s.dayVol = math.Max(lot, math.Round(s.adv*s.volMult(l)*l.volFrac(l.now)*math.Exp(0.2*s.r.NormFloat64())))
		if s.adv < thinADV {
			s.dayVol = lot
		}
	}
}

// volFrac is the share of a day's volume traded by t (the opening auction
// at the open): the engine's documented U-shaped intraday profile, so that
// the dashboard's paced relative volume (RVOLPace) reads each symbol's
// volume multiplier (1, or the small leg's 1.8 on the breakout day).
func (l *live) volFrac(t time.Time) float64 {
	f, ok := engine.ExpectedVolumeFraction(t.Sub(l.open), l.close.Sub(l.open))
	if !ok {
		return 0
	}
	return f
}

// volMult is the symbol's volume multiplier today.
func (s *liveSym) volMult(l *live) float64 {
	if s.sym != l.smallSym {
		return 1
	}
	if l.day == 0 {
		return smallVolDay
	}
	return smallVolOn
}

// smoothstep is 0 below 0, 1 above 1 and an S-curve in between.
func smoothstep(x float64) float64 {
	x = min(max(x, 0), 1)
	return x * x * (3 - 2*x)
}

// step advances the simulation by one QuoteInterval, rolling over to the next
// trading day's open at the close.
func (l *live) step() {
	prev := l.now
	l.now = l.now.Add(l.qi)
	if !l.now.Before(l.close) {
		l.now = l.cal.NextOpen(l.close)
		l.open, l.close, _ = l.cal.Session(l.now)
		l.day++
		l.openDay(true)
		return
	}
	dtf := l.qi.Seconds() / sessionSecs
	sq := math.Sqrt(dtf)
	m := l.mSig * sq * l.fr.NormFloat64()
	drift := liveDrift
	if l.day == 0 {
		drift = day0Drift
	}
	s := drift*dtf + sizeVol*sq*l.fr.NormFloat64()
	if l.day == 0 {
		t0 := prev.Sub(l.start).Seconds() / rampDur.Seconds()
		t1 := l.now.Sub(l.start).Seconds() / rampDur.Seconds()
		s += rampAmp * (smoothstep(t1) - smoothstep(t0))
	}
	var z [numSectors]float64
	for k := range z {
		z[k] = sectorVol * sq * l.fr.NormFloat64()
	}
	share := l.volFrac(l.now) - l.volFrac(prev) // of the day's volume, in this interval
	for i := range l.syms {
		ls := &l.syms[i]
		p := ls.p
		ret := p.beta*m + p.size*s + p.idio*sq*ls.r.NormFloat64()
		if p.sector != secNone {
			ret += p.secB * z[p.sector]
		}
		ls.fair *= math.Exp(ret)
		want := ls.adv * ls.volMult(l) * share
		var vol float64
		if ls.adv < thinADV || want < lot {
			// Sporadic round-lot prints.
			if ls.r.Float64() < want/(2*lot) { // mean print is 2 lots
				vol = lot * float64(1+ls.r.IntN(3))
			}
		} else {
			vol = math.Round(want * math.Exp(0.5*ls.r.NormFloat64()-0.125))
		}
		if vol > 0 {
			ls.dayVol += vol
			ls.last = cents(ls.fair)
		}
	}
}

// quotes returns the current quote of every symbol.
func (l *live) quotes() []engine.Quote {
	q := make([]engine.Quote, len(l.syms))
	for i, s := range l.syms {
		q[i] = engine.Quote{Symbol: s.sym, Price: s.last, DayVolume: s.dayVol, Time: l.now, Received: l.now}
	}
	return q
}
