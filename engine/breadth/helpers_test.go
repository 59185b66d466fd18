package breadth

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// tradingDays returns n weekdays from 2020-01-02.
func tradingDays(n int) []Day {
	out := make([]Day, 0, n)
	t := time.Date(2020, 1, 2, 0, 0, 0, 0, time.UTC)
	for len(out) < n {
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out = append(out, DayOf(t))
		}
		t = t.AddDate(0, 0, 1)
	}
	return out
}

// barsOf builds daily bars (NY midnight) from days and closes.
func barsOf(sym string, days []Day, closes []float64) []engine.Bar {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		ny = time.UTC
	}
	out := make([]engine.Bar, len(days))
	for i, d := range days {
		y, m, dd := d.Time().Date()
		c := closes[i]
		out[i] = engine.Bar{Symbol: sym, Time: time.Date(y, m, dd, 0, 0, 0, 0, ny), Open: c, High: c, Low: c, Close: c}
	}
	return out
}

// series is one member's bars for a test.
type series struct {
	sym    string
	days   []Day
	closes []float64
}

func newUniverse(t testing.TB, members []series, extra ...func(*Config)) *Universe {
	t.Helper()
	syms := make([]string, len(members))
	for i, m := range members {
		syms[i] = m.sym
	}
	cfg := Config{Universe: "test", Members: syms}
	for _, f := range extra {
		f(&cfg)
	}
	u, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func load(t testing.TB, u *Universe, members []series) {
	t.Helper()
	for _, m := range members {
		if err := u.SetMember(m.sym, barsOf(m.sym, m.days, m.closes)); err != nil {
			t.Fatal(err)
		}
	}
}

func near(a, b, tol float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

func checkNum(t *testing.T, what string, got engine.Num, want float64, valid bool) {
	t.Helper()
	if got.Valid != valid || (valid && !near(got.V, want, 1e-9)) {
		t.Errorf("%s = %v (valid %v), want %v (valid %v)", what, got.V, got.Valid, want, valid)
	}
}

func checkInt(t *testing.T, what string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", what, got, want)
	}
}

func numString(n engine.Num) string {
	if !n.Valid {
		return "null"
	}
	return fmt.Sprintf("%.12g", n.V)
}
