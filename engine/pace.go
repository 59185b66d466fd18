package engine

import "time"

// Intraday volume pace: relative volume that is fair during the session.
//
// RVOL20 on the forming daily bar compares today's partial volume with full
// days, so it reads ~0 at the open. RVOLPace divides today's cumulative
// volume by what an average day has traded by the same time of day:
//
//	RVOLPace = cumVolume ÷ (mean of the 20 previous daily volumes × F(elapsed))
//
// where F is the expected cumulative share of a day's volume below. (This
// is a fixed-profile version of TradingView's "RVOL – Relative Volume
// Intraday", which averages each symbol's own cumulative volume per time of
// day; capwatch has no per-minute history for that, so it uses one standard
// profile for every symbol.)

// profileKnot is one point of the cumulative volume profile.
type profileKnot struct{ min, frac float64 }

// volumeProfile returns the expected cumulative share of a regular
// session's volume (F) at minutes since the 09:30 open of a full 390-minute
// session; F is interpolated linearly between the knots. (A function
// returning an array value, so nothing can mutate the table.)
//
// The shape is the well-known U ("volume smile") of US equities and ETFs:
// heavy trading after the open, a midday lull and a surge into the close
// (Jain & Joh, "The Dependence between Hourly Prices and Trading Volume",
// JFQA 23(3), 1988; Grynkiv & Russell, "A Look Inside the Shifting Volume
// Smile for U.S. Equities", Journal of Trading 11(1), 2016). The knots are
// rounded, typical values, not a fit to one data set: ~1 % in the opening
// auction, ~9 % by 09:45, ~1/3 by 11:00, ~2/3 by 14:30, ~90 % by 15:45 and
// 100 % at 16:00 including the closing auction (~5 %, spread over the last
// 15 minutes by the interpolation). Per-minute rates implied between the
// knots: 0.53 %, 0.40 %, 0.33 %, 0.28 %, 0.22 %, 0.17 %, 0.14 %, 0.14 %,
// 0.21 %, 0.30 %, 0.53 % and 0.67 % (with the auction).
func volumeProfile() [13]profileKnot {
	return [13]profileKnot{
		{0, 0.01}, // 09:30 opening auction
		{15, 0.09},
		{30, 0.15},
		{60, 0.25},
		{90, 1.0 / 3}, // 11:00
		{120, 0.40},
		{180, 0.50},
		{240, 0.585},
		{300, 2.0 / 3}, // 14:30
		{330, 0.73},
		{360, 0.82},
		{375, 0.90}, // 15:45
		{390, 1.00}, // 16:00, closing auction included
	}
}

// fullSessionMinutes is the length of a regular (not early-close) session.
const fullSessionMinutes = 390

// PaceWarmup is how long after the open RVOLPace stays absent: the first
// minutes' volume (opening auction, a few prints) is too noisy to pace.
const PaceWarmup = 5 * time.Minute

// ExpectedVolumeFraction returns the share of a day's regular-session
// volume that an average day has traded elapsed after the open of a session
// of the given length (6h30 normally, 3h30 on early-close days: the profile
// is scaled to the shorter session). It is the documented U-shaped profile
// (volumeProfile): 0.01 at the open, 1 at and after the close; ok is false
// for a non-positive length or a negative elapsed time.
func ExpectedVolumeFraction(elapsed, length time.Duration) (frac float64, ok bool) {
	if length <= 0 || elapsed < 0 {
		return 0, false
	}
	if elapsed >= length {
		return 1, true
	}
	x := float64(elapsed) / float64(length) * fullSessionMinutes
	p := volumeProfile()
	for i := 1; i < len(p); i++ {
		if x <= p[i].min {
			a, b := p[i-1], p[i]
			return a.frac + (b.frac-a.frac)*((x-a.min)/(b.min-a.min)), true
		}
	}
	return 1, true
}

// paceOf returns RVOLPace for a forming daily bar whose volume is known as of
// at, in the session [open, close]: rvol (the forming bar's RVOL20, i.e.
// volume ÷ mean of the 20 previous volumes) divided by the expected
// fraction. Absent before open+PaceWarmup, after the close, or without rvol.
// At the close the fraction is exactly 1, so RVOLPace == RVOL20 bit for bit.
func paceOf(rvol Num, at, open, close time.Time) Num {
	if !rvol.Valid || at.Before(open.Add(PaceWarmup)) || at.After(close) {
		return Num{}
	}
	f, ok := ExpectedVolumeFraction(at.Sub(open), close.Sub(open))
	if !ok || !(f > 0) {
		return Num{}
	}
	return Some(rvol.V / f)
}
