package rotation

import (
	"math"
	"testing"
	"time"

	rot "github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
)

// fixture computes a rotation map from synthetic legs: each small sector
// leg cycles around its large leg with its own period and phase, so the
// entries sit in different quadrants.
func fixture(t testing.TB) *rot.Rotation {
	t.Helper()
	cal := calendar.NYSE()
	ny := calendar.Location()
	var days []rot.Day
	for d := time.Date(2023, 1, 2, 12, 0, 0, 0, ny); d.Before(time.Date(2025, 11, 27, 0, 0, 0, 0, ny)); d = d.AddDate(0, 0, 1) {
		if cal.IsTradingDay(d) {
			days = append(days, rot.DayOf(d))
		}
	}
	sectors := []rot.Sector{
		{Name: "Technology", Small: "PSCT", Large: "XLK"}, {Name: "Health Care", Small: "PSCH", Large: "XLV"}, {Name: "Financials", Small: "PSCF", Large: "XLF"},
		{Name: "Energy", Small: "PSCE", Large: "XLE"}, {Name: "Industrials", Small: "PSCI", Large: "XLI"}, {Name: "Consumer Discretionary", Small: "PSCD", Large: "XLY"},
		{Name: "Consumer Staples", Small: "PSCC", Large: "XLP"}, {Name: "Materials", Small: "PSCM", Large: "XLB"}, {Name: "Utilities", Small: "PSCU", Large: "XLU"},
	}
	series := map[string]rot.Series{}
	mk := func(sym string, f func(w float64) float64) {
		s := rot.Series{Days: days, Closes: make([]float64, len(days))}
		for i, d := range days {
			s.Closes[i] = f(float64(d-days[0]) / 7)
		}
		series[sym] = s
	}
	mk("SPY", func(w float64) float64 { return 400 * math.Exp(0.002*w) })
	mk("IWM", func(w float64) float64 { return 180 * math.Exp(0.002*w) * (1 + 0.04*math.Sin(w/4)) })
	for k, s := range sectors {
		kk := float64(k)
		mk(s.Large, func(w float64) float64 { return (50 + 10*kk) * math.Exp(0.002*w) * (1 + 0.03*math.Sin(w/5+kk)) })
		mk(s.Small, func(w float64) float64 {
			return (20 + 5*kk) * math.Exp(0.002*w) * (1 + 0.03*math.Sin(w/5+kk)) * (1 + 0.05*math.Sin(2*math.Pi*w/(14+2*kk)+0.9*kk))
		})
	}
	c, err := rot.NewComputer(rot.Config{}, cal)
	if err != nil {
		t.Fatal(err)
	}
	return c.Compute(rot.Input{Small: "IWM", Large: "SPY", Sectors: sectors, Series: series})
}
