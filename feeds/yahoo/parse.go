package yahoo

import (
	"fmt"
	"math"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
)

// Meta is the part of a chart reply's "meta" object capwatch uses.
type Meta struct {
	Symbol               string
	Currency             string
	ExchangeName         string
	InstrumentType       string
	ExchangeTimezoneName string
	DataGranularity      string
	Range                string
	RegularMarketPrice   engine.Num
	RegularMarketTime    time.Time // zero if absent
	RegularMarketVolume  engine.Num
	ChartPreviousClose   engine.Num
	PreviousClose        engine.Num
	ExchangeDataDelayed  time.Duration // exchangeDataDelayedBy (minutes in the payload), when present
}

// Chart is one parsed chart reply.
type Chart struct {
	Meta    Meta
	Bars    []engine.Bar // oldest first, one per period
	Dropped int          // points dropped: null/zero/negative/non-finite prices or bad timestamps
}

// APIError is the error object of a chart reply,
// e.g. {"code":"Not Found","description":"No data found, symbol may be delisted"}.
type APIError struct {
	Code        string
	Description string
}

func (e *APIError) Error() string {
	if e.Description == "" {
		return httpx.Sanitize(e.Code)
	}
	return httpx.Sanitize(e.Code + ": " + e.Description)
}

// NotFound reports whether the error says the symbol has no data.
func (e *APIError) NotFound() bool { return e.Code == "Not Found" }

// wireMeta is the meta object as sent (decoded with encoding/json: it is small).
type wireMeta struct {
	Symbol                string     `json:"symbol"`
	Currency              string     `json:"currency"`
	ExchangeName          string     `json:"exchangeName"`
	InstrumentType        string     `json:"instrumentType"`
	ExchangeTimezoneName  string     `json:"exchangeTimezoneName"`
	DataGranularity       string     `json:"dataGranularity"`
	Range                 string     `json:"range"`
	RegularMarketPrice    engine.Num `json:"regularMarketPrice"`
	RegularMarketTime     engine.Num `json:"regularMarketTime"`
	RegularMarketVolume   engine.Num `json:"regularMarketVolume"`
	ChartPreviousClose    engine.Num `json:"chartPreviousClose"`
	PreviousClose         engine.Num `json:"previousClose"`
	ExchangeDataDelayedBy engine.Num `json:"exchangeDataDelayedBy"`
}

// wireResult is chart.result[0]: the meta, the timestamps and the first
// indicators.quote entry (hasQuote is false when there is none).
type wireResult struct {
	Meta                           wireMeta
	Timestamp                      floats
	Open, High, Low, Close, Volume floats
	hasQuote                       bool
	quoteBacking                   bool // decode state: indicators.quote has held an element (see scanner.result)
}

// floats is a JSON array of numbers in which null marks a missing value
// (decoded as NaN).
type floats []float64

// at returns a[i], or NaN when i is outside a (a missing or short array).
func (a floats) at(i int) float64 {
	if i < len(a) {
		return a[i]
	}
	return math.NaN()
}

// dailyShift: see ParseChart.
const dailyShift = 6 * time.Hour

// maxTimestamp bounds plausible Unix timestamps (year 2200).
const maxTimestamp = 7258118400

// ParseChart parses a chart API v8 reply for symbol. For tf == engine.Daily
// each bar's Time is midnight America/New_York of its trading date; for
// intraday timeframes it is the bar's start, truncated to the timeframe.
// A point whose close is null, or whose open/high/low/close is zero,
// negative or not finite, is dropped and counted; a null open/high/low is
// taken from the close; a missing volume is 0. Two points in the same period
// are merged (first open, highest high, lowest low, last close and volume).
// Meta strings are sanitised. The reply's error object is returned as an
// *APIError; malformed or truncated JSON is an error. ParseChart never
// panics (FuzzParseChart).
func ParseChart(data []byte, symbol string, tf engine.Timeframe) (Chart, error) {
	r, apiErr, err := decodeChart(data)
	if err != nil {
		return Chart{}, fmt.Errorf("yahoo: parse chart %s: %w", symbol, err)
	}
	if apiErr != nil {
		return Chart{}, apiErr
	}
	if r == nil {
		return Chart{}, fmt.Errorf("yahoo: parse chart %s: no result and no error", symbol)
	}
	m := r.Meta
	ch := Chart{Meta: Meta{
		Symbol:               httpx.Sanitize(m.Symbol),
		Currency:             httpx.Sanitize(m.Currency),
		ExchangeName:         httpx.Sanitize(m.ExchangeName),
		InstrumentType:       httpx.Sanitize(m.InstrumentType),
		ExchangeTimezoneName: httpx.Sanitize(m.ExchangeTimezoneName),
		DataGranularity:      httpx.Sanitize(m.DataGranularity),
		Range:                httpx.Sanitize(m.Range),
		RegularMarketPrice:   m.RegularMarketPrice,
		RegularMarketVolume:  m.RegularMarketVolume,
		ChartPreviousClose:   m.ChartPreviousClose,
		PreviousClose:        m.PreviousClose,
	}}
	if ts, ok := m.RegularMarketTime.Get(); ok && ts > 0 && ts < maxTimestamp {
		ch.Meta.RegularMarketTime = time.Unix(int64(ts), 0).In(calendar.Location())
	}
	if d, ok := m.ExchangeDataDelayedBy.Get(); ok && d > 0 && d < 24*60 {
		ch.Meta.ExchangeDataDelayed = time.Duration(d * float64(time.Minute))
	}
	if !r.hasQuote {
		ch.Dropped = len(r.Timestamp)
		return ch, nil
	}
	q := r
	loc := calendar.Location()
	ch.Bars = make([]engine.Bar, 0, len(r.Timestamp))
	for i, ts := range r.Timestamp {
		if !(ts > 0 && ts < maxTimestamp) {
			ch.Dropped++
			continue
		}
		c := q.Close.at(i)
		o, h, l, v := q.Open.at(i), q.High.at(i), q.Low.at(i), q.Volume.at(i)
		if math.IsNaN(o) {
			o = c
		}
		if math.IsNaN(h) {
			h = max(o, c)
		}
		if math.IsNaN(l) {
			l = min(o, c)
		}
		if !price(c) || !price(o) || !price(h) || !price(l) {
			ch.Dropped++
			continue
		}
		if !(v >= 0) || math.IsInf(v, 0) {
			v = 0
		}
		t := time.Unix(int64(ts), 0).In(loc)
		if tf == engine.Daily {
			// Yahoo stamps daily points at the session open (09:30 New York),
			// but some series use midnight UTC (19:00/20:00 New York the day
			// before) or the close. Shifting by 6 h maps every stamp from
			// 18:00 the evening before to 17:59 on the day to that day.
			d := t.Add(dailyShift)
			t = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		} else if d := tf.Duration(); d > 0 {
			t = t.Truncate(d)
		}
		b := engine.Bar{Symbol: symbol, Time: t, Open: o, High: max(h, o, c), Low: min(l, o, c), Close: c, Volume: v}
		if n := len(ch.Bars); n > 0 {
			last := &ch.Bars[n-1]
			if b.Time.Equal(last.Time) {
				last.High = max(last.High, b.High)
				last.Low = min(last.Low, b.Low)
				last.Close = b.Close
				last.Volume = max(last.Volume, b.Volume)
				continue
			}
			if b.Time.Before(last.Time) {
				// Out of order: insert in place (rare; keeps the result sorted).
				ch.Bars = insertBar(ch.Bars, b)
				continue
			}
		}
		ch.Bars = append(ch.Bars, b)
	}
	return ch, nil
}

// price reports whether v is a usable price.
func price(v float64) bool { return v > 0 && !math.IsInf(v, 0) }

// insertBar inserts b into sorted bars, merging with a bar of the same time.
func insertBar(bars []engine.Bar, b engine.Bar) []engine.Bar {
	i := len(bars)
	for i > 0 && bars[i-1].Time.After(b.Time) {
		i--
	}
	if i > 0 && bars[i-1].Time.Equal(b.Time) {
		bars[i-1] = b
		return bars
	}
	bars = append(bars, engine.Bar{})
	copy(bars[i+1:], bars[i:])
	bars[i] = b
	return bars
}
