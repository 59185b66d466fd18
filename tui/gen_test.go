package tui

import (
	"fmt"
	"math"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// lcg is a tiny deterministic generator so test snapshots never change.
type lcg uint64

func (g *lcg) next() float64 {
	*g = *g*6364136223846793005 + 1442695040888963407
	return float64(uint64(*g)>>11) / float64(1<<53)
}

// noise returns a value in [-1, 1).
func (g *lcg) noise() float64 { return g.next()*2 - 1 }

// testLoc is a fixed New York zone (EST) so goldens do not depend on tzdata.
var testLoc = time.FixedZone("EST", -5*3600)

// testAsOf is the exchange time of the newest data in testSnapshot.
var testAsOf = time.Date(2026, 11, 24, 15, 30, 0, 0, testLoc)

// sma returns the mean of the n values ending at i, or absent.
func sma(v []float64, i, n int) engine.Num {
	if i+1 < n {
		return engine.Num{}
	}
	s := 0.0
	for _, x := range v[i+1-n : i+1] {
		s += x
	}
	return engine.Some(s / float64(n))
}

// testSnapshot builds a realistic, fixed snapshot: IWM/SPY, 300 daily ratio
// points with their averages, 360 one-minute intraday points, a watchlist,
// nine flags in every state, nine sector pairs (one thin), risk and analogs.
func testSnapshot(seq uint64) *engine.Snapshot {
	g := lcg(42)
	const nd = 300
	// Trading dates back from testAsOf, skipping weekends.
	dates := make([]time.Time, nd)
	d := time.Date(2026, 11, 24, 0, 0, 0, 0, testLoc)
	for i := nd - 1; i >= 0; i-- {
		for d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			d = d.AddDate(0, 0, -1)
		}
		dates[i] = d
		d = d.AddDate(0, 0, -1)
	}
	ratio := make([]float64, nd)
	for i := range ratio {
		x := float64(i)
		ratio[i] = 0.36 * (1 + 0.05*math.Sin(x/35) + 0.0002*x + 0.004*g.noise())
	}
	daily := make([]engine.RatioPoint, nd)
	for i := range daily {
		daily[i] = engine.RatioPoint{Time: dates[i], Ratio: ratio[i], SMA50: sma(ratio, i, 50), SMA200: sma(ratio, i, 200)}
	}
	daily[nd-1].Forming = true
	last := ratio[nd-1]
	prev := ratio[nd-2]

	const ni = 360
	open := time.Date(2026, 11, 24, 9, 30, 0, 0, testLoc)
	intra := make([]engine.RatioPoint, ni)
	r := prev
	for i := range intra {
		r += (last - prev) / ni * 1.0
		intra[i] = engine.RatioPoint{Time: open.Add(time.Duration(i) * time.Minute), Ratio: r + 0.0006*math.Sin(float64(i)/25) + 0.0002*g.noise(),
			SMA50: daily[nd-1].SMA50, SMA200: daily[nd-1].SMA200}
	}
	intra[ni-1].Forming = true

	walk := func(start float64) []float64 {
		v := make([]float64, ni)
		p := start
		for i := range v {
			p *= 1 + 0.0008*g.noise()
			v[i] = p
		}
		return v
	}
	mkSym := func(sym string, role engine.Role, prevClose float64, rvol float64) engine.SymbolSnapshot {
		w := walk(prevClose)
		lastPx := w[len(w)-1]
		return engine.SymbolSnapshot{
			Symbol: sym, Role: role, Last: engine.Some(lastPx), PrevClose: engine.Some(prevClose),
			ChangePct: engine.Some((lastPx/prevClose - 1) * 100), RVOL20: engine.Some(rvol * 0.93), RVOLPace: engine.Some(rvol),
			DataTime: testAsOf.Add(-time.Duration(g.next()*20) * time.Second), Intraday: w,
		}
	}
	syms := []engine.SymbolSnapshot{
		mkSym("IWM", engine.RoleSmall, 238.12, 1.7),
		mkSym("SPY", engine.RoleLarge, 672.40, 0.9),
		mkSym("QQQ", engine.RoleExtra, 598.31, 1.1),
		mkSym("DIA", engine.RoleExtra, 471.05, 0.8),
		mkSym("MDY", engine.RoleExtra, 589.77, 1.2),
	}
	var sectors []engine.SectorSnapshot
	for i, sp := range engine.DefaultSectors() {
		syms = append(syms, mkSym(sp.Small, engine.RoleSectorSmall, 40+float64(i)*7.3, 0.5+g.next()*1.5))
		syms = append(syms, mkSym(sp.Large, engine.RoleSectorLarge, 80+float64(i)*11.1, 0.5+g.next()))
		ret := func(scale float64) engine.Returns {
			return engine.Returns{D1: engine.Some(scale * 1.5 * g.noise()), W1: engine.Some(scale * 3 * g.noise()),
				M1: engine.Some(scale * 6 * g.noise()), M3: engine.Some(scale * 12 * g.noise())}
		}
		sm, lg := ret(1.2), ret(1)
		diff := func(a, b engine.Returns) engine.Returns {
			return engine.Returns{D1: engine.Some(a.D1.V - b.D1.V), W1: engine.Some(a.W1.V - b.W1.V),
				M1: engine.Some(a.M1.V - b.M1.V), M3: engine.Some(a.M3.V - b.M3.V)}
		}
		bench := ret(0.5)
		sectors = append(sectors, engine.SectorSnapshot{
			Sector: sp.Name, Large: sp.Large, Small: sp.Small, SmallRet: sm, LargeRet: lg,
			Spread: diff(sm, lg), SmallVsBench: diff(sm, bench), LargeVsBench: diff(lg, bench),
			SmallDollarVol20: engine.Some(2e6 + g.next()*5e7), Thin: sp.Small == "PSCU",
		})
	}
	above50 := engine.FlagOff
	if last > daily[nd-1].SMA50.V {
		above50 = engine.FlagConfirmed
	}
	flags := []engine.Flag{
		{ID: engine.FlagRatioAboveSMA50, State: above50, Since: "2026-11-10", Value: engine.Some(last), Threshold: engine.Some(daily[nd-1].SMA50.V), Text: "small caps beat their 50-day relative trend"},
		{ID: engine.FlagRatioAboveSMA200, State: engine.FlagConfirmed, Since: "2026-10-29", Value: engine.Some(last), Threshold: engine.Some(daily[nd-1].SMA200.V), Text: "small caps beat their 200-day relative trend"},
		{ID: engine.FlagRatioNewHigh20d, State: engine.FlagForming, Since: "2026-11-24", Value: engine.Some(last), Threshold: engine.Some(last * 0.999), Text: "ratio at a 20-day high on the live bar"},
		{ID: engine.FlagRatioNewHigh52w, State: engine.FlagOff, Value: engine.Some(last), Threshold: engine.Some(0.3911), Text: "ratio at a 52-week high"},
		{ID: engine.FlagSmallAboveSMA200, State: engine.FlagConfirmed, Since: "2026-09-15", Value: engine.Some(syms[0].Last.V), Threshold: engine.Some(221.4), Text: "IWM above its 200-day average"},
		{ID: engine.FlagSmallGoldenCross, State: engine.FlagOff, Value: engine.Some(226.3), Threshold: engine.Some(227.9), Text: "IWM 50-day average above its 200-day"},
		{ID: engine.FlagSmallLeads21d, State: engine.FlagOff, Value: engine.Some(1.2), Threshold: engine.Some(2), Text: "IWM beat SPY by 2 pts over 21 days"},
		{ID: engine.FlagSmallVolumeSurge, State: engine.FlagForming, Since: "2026-11-24", Value: engine.Some(1.7), Threshold: engine.Some(1.5), Text: "IWM volume 1.5× its 20-day average"},
		{ID: engine.FlagSectorBreadth, State: engine.FlagConfirmed, Since: "2026-11-18", Value: engine.Some(0.67), Threshold: engine.Some(0.6), Text: "most sectors: small leg leads large"},
	}
	lastEv := "2026-10-29"
	bars := 19
	an := &engine.Analogs{Event: "ratio_cross_sma200_at_20d_high", HistoryFrom: "2000-05-26", LastEvent: &lastEv,
		BarsSinceLastEvent: &bars, RelSinceLastEventPct: engine.Some(2.1)}
	for i, h := range engine.AnalogHorizons {
		an.Horizons = append(an.Horizons, engine.HorizonStats{Horizon: h.Name, Bars: h.Bars, N: 23 - i,
			RelHitRate: engine.Some(0.52 + 0.03*float64(i)), RelMedianPct: engine.Some(0.4 + 0.9*float64(i)),
			BaseN: 6000, BaseRelHitRate: engine.Some(0.48), BaseRelMedianPct: engine.Some(-0.1)})
	}
	for i := range 23 {
		an.Events = append(an.Events, engine.AnalogEvent{Date: fmt.Sprintf("20%02d-03-01", i+1)})
	}
	return &engine.Snapshot{
		Seq: seq, AsOf: testAsOf, Feed: "demo",
		Session: engine.SessionInfo{State: "open", NextChange: time.Date(2026, 11, 24, 16, 0, 0, 0, testLoc), Countdown: "closes in 30m"},
		Pair: engine.PairSnapshot{Small: "IWM", Large: "SPY", Ratio: engine.Some(last),
			RatioChangePct: engine.Some((last/prev - 1) * 100), RatioSMA50: daily[nd-1].SMA50, RatioSMA200: daily[nd-1].SMA200,
			Daily: daily, Intraday: intra},
		Symbols: syms, Flags: flags, Sectors: sectors,
		Risk:     &engine.Risk{Beta63: engine.Some(1.18), VolRatio: engine.Some(1.35)},
		Analogs:  an,
		Rotation: testRotation(),
	}
}

// openingSnapshot is testSnapshot two minutes after the 09:30 open: two
// intraday ratio bars and two one-minute closes per symbol.
func openingSnapshot(seq uint64) *engine.Snapshot {
	s := testSnapshot(seq)
	s.AsOf = time.Date(2026, 11, 24, 9, 31, 30, 0, testLoc)
	s.Pair.Intraday = s.Pair.Intraday[:2]
	last := s.Pair.Intraday[1].Ratio
	s.Pair.Ratio = engine.Some(last)
	prev := s.Pair.Daily[len(s.Pair.Daily)-2].Ratio
	s.Pair.RatioChangePct = engine.Some((last/prev - 1) * 100)
	s.Pair.Daily[len(s.Pair.Daily)-1].Ratio = last
	for i := range s.Symbols {
		sym := &s.Symbols[i]
		sym.Intraday = sym.Intraday[:2]
		sym.Last = engine.Some(sym.Intraday[1])
		sym.ChangePct = engine.Some((sym.Last.V/sym.PrevClose.V - 1) * 100)
		sym.DataTime = s.AsOf
		sym.RVOL20 = engine.Some(sym.RVOLPace.V * 0.004) // two minutes of a day's volume
		sym.RVOLPace = engine.Num{}                      // absent in the first minutes
	}
	return s
}
