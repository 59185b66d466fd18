package yahoo

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// nyAt is a New York wall-clock instant.
func nyAt(y int, m time.Month, d, h, min, s int) time.Time {
	return time.Date(y, m, d, h, min, s, 0, calendar.Location())
}

func TestParseChartDaily(t *testing.T) {
	ch, err := ParseChart(readFixture(t, "chart_daily_iwm.json"), "IWM", engine.Daily)
	if err != nil {
		t.Fatal(err)
	}
	// Hand-written from the fixture: 11-18 has a null close and 11-20 a zero
	// open, so both are dropped; 11-19's null volume becomes 0.
	want := []engine.Bar{
		mkBar("IWM", nyAt(2026, 11, 16, 0, 0, 0), 238.11, 239.87, 237.42, 239.50, 31254800),
		mkBar("IWM", nyAt(2026, 11, 17, 0, 0, 0), 239.02, 239.95, 236.80, 237.12, 28730100),
		mkBar("IWM", nyAt(2026, 11, 19, 0, 0, 0), 236.55, 238.20, 235.96, 237.81, 0),
		mkBar("IWM", nyAt(2026, 11, 23, 0, 0, 0), 240.10, 242.31, 239.88, 241.77, 27321900),
		mkBar("IWM", nyAt(2026, 11, 24, 0, 0, 0), 241.05, 241.90, 240.62, 241.23, 8123400),
	}
	checkBars(t, ch.Bars, want)
	if ch.Dropped != 2 {
		t.Errorf("Dropped = %d, want 2", ch.Dropped)
	}
	m := ch.Meta
	if p, _ := m.RegularMarketPrice.Get(); p != 241.23 {
		t.Errorf("price %v", p)
	}
	if v, _ := m.RegularMarketVolume.Get(); v != 8123400 {
		t.Errorf("volume %v", v)
	}
	if !m.RegularMarketTime.Equal(nyAt(2026, 11, 24, 10, 14, 0)) {
		t.Errorf("time %v", m.RegularMarketTime)
	}
	if m.ExchangeTimezoneName != "America/New_York" || m.Symbol != "IWM" || m.DataGranularity != "1d" || m.Range != "2y" {
		t.Errorf("meta %+v", m)
	}
	for _, b := range ch.Bars {
		if b.Time.Location() != calendar.Location() {
			t.Fatalf("bar time not in the shared New York location: %v", b.Time.Location())
		}
	}
}

func TestParseChartIntraday(t *testing.T) {
	ch, err := ParseChart(readFixture(t, "chart_intraday_spy.json"), "SPY", engine.Minute1)
	if err != nil {
		t.Fatal(err)
	}
	// 09:32 is all null and 09:35 has a zero open: dropped. The unaligned
	// last point (09:36:27, null open) merges into the 09:36 bar.
	want := []engine.Bar{
		mkBar("SPY", nyAt(2026, 11, 24, 9, 30, 0), 591.20, 591.62, 591.02, 591.47, 1284350),
		mkBar("SPY", nyAt(2026, 11, 24, 9, 31, 0), 591.48, 591.70, 591.30, 591.35, 402113),
		mkBar("SPY", nyAt(2026, 11, 24, 9, 33, 0), 591.10, 591.25, 590.88, 590.97, 355210),
		mkBar("SPY", nyAt(2026, 11, 24, 9, 34, 0), 590.95, 591.40, 590.90, 591.33, 301877),
		mkBar("SPY", nyAt(2026, 11, 24, 9, 36, 0), 591.30, 591.60, 591.21, 591.58, 190000),
	}
	checkBars(t, ch.Bars, want)
	if ch.Dropped != 2 {
		t.Errorf("Dropped = %d, want 2", ch.Dropped)
	}
}

func TestParseChartEmptyResult(t *testing.T) {
	ch, err := ParseChart(readFixture(t, "chart_empty_qqq.json"), "QQQ", engine.Minute1)
	if err != nil {
		t.Fatal(err)
	}
	if len(ch.Bars) != 0 || ch.Dropped != 0 {
		t.Fatalf("bars %v dropped %d", ch.Bars, ch.Dropped)
	}
	if p, _ := ch.Meta.RegularMarketPrice.Get(); p != 510.25 {
		t.Fatalf("price %v", p)
	}
	if ch.Meta.RegularMarketVolume.Valid {
		t.Fatal("null volume decoded as a value")
	}
}

func TestParseChartErrors(t *testing.T) {
	_, err := ParseChart(readFixture(t, "chart_notfound.json"), "NOPE", engine.Daily)
	var ae *APIError
	if !errors.As(err, &ae) || !ae.NotFound() || ae.Description != "No data found, symbol may be delisted" {
		t.Fatalf("not found: %v", err)
	}
	_, err = ParseChart(readFixture(t, "chart_badrequest.json"), "SPY", engine.Minute1)
	if !errors.As(err, &ae) || ae.NotFound() || !strings.Contains(ae.Error(), "Bad Request: Invalid input") {
		t.Fatalf("bad request: %v", err)
	}
	full := readFixture(t, "chart_daily_iwm.json")
	for name, in := range map[string]string{
		"truncated":       string(full[:len(full)/2]),
		"html":            string(readFixture(t, "consent.html")),
		"empty":           "",
		"no result":       `{"chart":{"result":[],"error":null}}`,
		"string in array": `{"chart":{"result":[{"meta":{},"timestamp":[1],"indicators":{"quote":[{"close":["1"]}]}}]}}`,
		"wrong type":      `{"chart":{"result":[{"meta":{"regularMarketPrice":"x"}}]}}`,
	} {
		if _, err := ParseChart([]byte(in), "IWM", engine.Daily); err == nil {
			t.Errorf("%s: no error", name)
		} else if errors.As(err, &ae) {
			t.Errorf("%s: parse failure reported as API error %v", name, err)
		}
	}
}

func TestParseChartArrays(t *testing.T) {
	ts := nyAt(2026, 11, 24, 9, 30, 0).Unix()
	doc := fmt.Sprintf(`{"chart":{"result":[{"meta":{},"timestamp":[%d, %d ,%d,%d,%d, null, -5],
	  "indicators":{"quote":[{"open":[1,  2,-1,4, 5, 6, 7],"high":[1,2,3,4,1e400,6,7],"low":[1,2,3,4,5,6,7],
	  "close":[1,2,3,4,5,6,7],"volume":[-1,2.5,null,4,5,6,7]}]}}],"error":null}}`, ts, ts+60, ts+120, ts+180, ts+240)
	ch, err := ParseChart([]byte(doc), "X", engine.Minute1)
	if err != nil {
		t.Fatal(err)
	}
	// kept: 0 (negative volume → 0), 1, 3; dropped: 2 (negative open),
	// 4 (infinite high), 5 (null timestamp), 6 (negative timestamp).
	if len(ch.Bars) != 3 || ch.Dropped != 4 {
		t.Fatalf("bars %+v dropped %d", ch.Bars, ch.Dropped)
	}
	if ch.Bars[0].Volume != 0 || ch.Bars[1].Volume != 2.5 || ch.Bars[2].Close != 4 {
		t.Fatalf("bars %+v", ch.Bars)
	}
	// Short arrays: missing volume is 0, missing close drops the point.
	doc = fmt.Sprintf(`{"chart":{"result":[{"meta":{},"timestamp":[%d,%d],"indicators":{"quote":[{"close":[3]}]}}]}}`, ts, ts+60)
	ch, err = ParseChart([]byte(doc), "X", engine.Minute1)
	if err != nil || len(ch.Bars) != 1 || ch.Dropped != 1 || ch.Bars[0].Open != 3 || ch.Bars[0].Volume != 0 {
		t.Fatalf("short arrays: %+v %d %v", ch.Bars, ch.Dropped, err)
	}
	// Out-of-order timestamps come back sorted.
	doc = fmt.Sprintf(`{"chart":{"result":[{"meta":{},"timestamp":[%d,%d,%d],"indicators":{"quote":[{"close":[3,1,2]}]}}]}}`, ts+120, ts, ts+60)
	ch, err = ParseChart([]byte(doc), "X", engine.Minute1)
	if err != nil || len(ch.Bars) != 3 || ch.Bars[0].Close != 1 || ch.Bars[1].Close != 2 || ch.Bars[2].Close != 3 {
		t.Fatalf("unsorted: %+v %v", ch.Bars, err)
	}
}

func mkBar(sym string, t time.Time, o, h, l, c, v float64) engine.Bar {
	return engine.Bar{Symbol: sym, Time: t, Open: o, High: h, Low: l, Close: c, Volume: v}
}

// TestParseChartDailyStamps: the trading date of a daily point does not
// depend on how Yahoo stamps it (open, midnight New York, midnight UTC, close).
func TestParseChartDailyStamps(t *testing.T) {
	stamps := []time.Time{
		nyAt(2026, 3, 9, 9, 30, 0),                   // Monday open, EDT
		nyAt(2026, 3, 10, 0, 0, 0),                   // Tuesday midnight New York
		time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC), // Wednesday midnight UTC = Tue 20:00 EDT
		nyAt(2026, 3, 12, 16, 0, 0),                  // Thursday close
		time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC), // Friday midnight UTC = Thu 19:00 EST
	}
	var ts []string
	for _, s := range stamps {
		ts = append(ts, fmt.Sprint(s.Unix()))
	}
	doc := `{"chart":{"result":[{"timestamp":[` + strings.Join(ts, ",") + `],"indicators":{"quote":[{"close":[1,2,3,4,5]}]}}]}}`
	ch, err := ParseChart([]byte(doc), "X", engine.Daily)
	if err != nil {
		t.Fatal(err)
	}
	want := map[float64]string{1: "2026-03-09", 2: "2026-03-10", 3: "2026-03-11", 4: "2026-03-12", 5: "2026-01-16"}
	if len(ch.Bars) != 5 {
		t.Fatalf("bars %+v", ch.Bars)
	}
	for _, b := range ch.Bars {
		if b.Date() != want[b.Close] || b.Time.Hour() != 0 || b.Time.Location() != calendar.Location() {
			t.Errorf("close %v: date %s (%v), want %s", b.Close, b.Date(), b.Time, want[b.Close])
		}
	}
}

func checkBars(t *testing.T, got, want []engine.Bar) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d bars, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Symbol != w.Symbol || !g.Time.Equal(w.Time) || g.Open != w.Open || g.High != w.High ||
			g.Low != w.Low || g.Close != w.Close || g.Volume != w.Volume {
			t.Errorf("bar %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

// FuzzParseChart: no panic on any input; whatever parses is well formed.
// The seed corpus is every fixture in testdata plus testdata/fuzz/FuzzParseChart.
func FuzzParseChart(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, true)
	}
	f.Add([]byte(`{"chart":{"result":[{"timestamp":[1,2],"indicators":{"quote":[{"close":[null,1e308]}]}}]}}`), false)
	f.Add([]byte(`[`), true)
	f.Fuzz(func(t *testing.T, data []byte, daily bool) {
		tf := engine.Minute1
		if daily {
			tf = engine.Daily
		}
		ch, err := ParseChart(data, "FUZ", tf)
		if err != nil {
			if ch.Bars != nil {
				t.Fatal("bars returned with an error")
			}
			return
		}
		for i, b := range ch.Bars {
			for _, v := range []float64{b.Open, b.High, b.Low, b.Close} {
				if !(v > 0) || math.IsInf(v, 0) {
					t.Fatalf("bar %d has a bad price: %+v", i, b)
				}
			}
			if b.High < max(b.Open, b.Close) || b.Low > min(b.Open, b.Close) || !(b.Volume >= 0) || math.IsInf(b.Volume, 0) {
				t.Fatalf("bar %d inconsistent: %+v", i, b)
			}
			if i > 0 && !ch.Bars[i-1].Time.Before(b.Time) {
				t.Fatalf("bars not strictly increasing at %d", i)
			}
			if b.Symbol != "FUZ" {
				t.Fatalf("symbol %q", b.Symbol)
			}
		}
	})
}

// benchPayloads builds n chart replies of `days` daily bars shaped like
// Yahoo's (full-precision floats, meta, adjclose).
func benchPayloads(n, days int) [][]byte {
	out := make([][]byte, n)
	start := nyAt(2024, 11, 25, 9, 30, 0)
	for s := range n {
		var ts, o, h, l, c, v, adj []string
		p := 100.0 + float64(s)*17
		d := start
		for i := 0; len(ts) < days; i++ {
			if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
				p *= 1 + 0.01*math.Sin(float64(i*7+s))
				ts = append(ts, fmt.Sprint(d.Unix()))
				o = append(o, fmt.Sprint(p*0.998))
				h = append(h, fmt.Sprint(p*1.011))
				l = append(l, fmt.Sprint(p*0.989))
				c = append(c, fmt.Sprint(p))
				v = append(v, fmt.Sprint(1000000+i*37))
				adj = append(adj, fmt.Sprint(p*0.99))
			}
			d = d.AddDate(0, 0, 1)
		}
		j := func(a []string) string { return "[" + strings.Join(a, ",") + "]" }
		out[s] = []byte(fmt.Sprintf(`{"chart":{"result":[{"meta":{"currency":"USD","symbol":"S%d","exchangeName":"PCX","instrumentType":"ETF","regularMarketTime":%s,"gmtoffset":-18000,"timezone":"EST","exchangeTimezoneName":"America/New_York","regularMarketPrice":%v,"chartPreviousClose":100.12,"priceHint":2,"dataGranularity":"1d","range":"2y","validRanges":["1d","5d","1mo","3mo","6mo","1y","2y","5y","10y","ytd","max"]},"timestamp":%s,"indicators":{"quote":[{"open":%s,"high":%s,"volume":%s,"close":%s,"low":%s}],"adjclose":[{"adjclose":%s}]}}],"error":null}}`,
			s, ts[len(ts)-1], p, j(ts), j(o), j(h), j(v), j(c), j(l), j(adj)))
	}
	return out
}

// BenchmarkParseChart20Symbols2Years: one op parses 2 years (504 daily bars)
// for 20 symbols. Goal: ≤ 20 ms.
func BenchmarkParseChart20Symbols2Years(b *testing.B) {
	payloads := benchPayloads(20, 504)
	size := 0
	for _, p := range payloads {
		size += len(p)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for i, p := range payloads {
			ch, err := ParseChart(p, "S", engine.Daily)
			if err != nil || len(ch.Bars) != 504 {
				b.Fatalf("payload %d: %d bars, %v", i, len(ch.Bars), err)
			}
		}
	}
}
