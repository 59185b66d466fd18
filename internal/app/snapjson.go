// Package app wires capwatch together: the pipeline that runs a feed into
// the engine's goroutine and publishes snapshots to the dashboard, the
// one-shot snapshot builder used by `capwatch snapshot`, `status` and
// `analogs`, the stable JSON/text encoders of a snapshot, and the tmux
// status-line formatter with its cache.
package app

import (
	"encoding/json"
	"io"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// The JSON contract. These DTOs are deliberately separate from the engine's
// types: the engine may change its internals, the JSON must not change.

// Num is an optional number: JSON null when absent.
type Num = engine.Num

// SnapshotJSON is the top-level JSON document of `capwatch snapshot`.
type SnapshotJSON struct {
	AsOf    *string      `json:"as_of"` // RFC3339, exchange time of the newest data; null without data
	Feed    string       `json:"feed"`
	Session SessionJSON  `json:"session"`
	Pair    PairJSON     `json:"pair"`
	Symbols []SymbolJSON `json:"symbols"`
	Flags   []FlagJSON   `json:"flags"`
	Sectors []SectorJSON `json:"sectors"`
	Errors  []ErrorJSON  `json:"errors"`
	Risk    *RiskJSON    `json:"risk"`    // null until enough history
	Analogs *AnalogsJSON `json:"analogs"` // null until computed
}

// SessionJSON is the market session at the snapshot time.
type SessionJSON struct {
	State      string  `json:"state"`       // pre | open | after | closed
	NextChange *string `json:"next_change"` // RFC3339 or null
}

// PairJSON is the small/large ratio and its indicators.
type PairJSON struct {
	Small          string `json:"small"`
	Large          string `json:"large"`
	Ratio          Num    `json:"ratio"`
	RatioChangePct Num    `json:"ratio_change_pct"`
	RatioSMA50     Num    `json:"ratio_sma50"`
	RatioSMA200    Num    `json:"ratio_sma200"`
	RatioHigh20    Num    `json:"ratio_high_20"`
	RatioRSI14     Num    `json:"ratio_rsi14"`
	RatioROC20     Num    `json:"ratio_roc20"`
}

// SymbolJSON is one symbol's values.
type SymbolJSON struct {
	Symbol    string  `json:"symbol"`
	Last      Num     `json:"last"`
	PrevClose Num     `json:"prev_close"`
	ChangePct Num     `json:"change_pct"`
	SMA20     Num     `json:"sma20"`
	SMA50     Num     `json:"sma50"`
	SMA200    Num     `json:"sma200"`
	EMA20     Num     `json:"ema20"`
	RSI14     Num     `json:"rsi14"`
	ATR14     Num     `json:"atr14"`
	BBUpper   Num     `json:"bb_upper"`
	BBMiddle  Num     `json:"bb_middle"`
	BBLower   Num     `json:"bb_lower"`
	DonHigh20 Num     `json:"donchian_high_20"`
	DonLow20  Num     `json:"donchian_low_20"`
	RVOL20    Num     `json:"rvol20"`
	Ret1d     Num     `json:"return_1d"`
	Ret5d     Num     `json:"return_5d"`
	Ret21d    Num     `json:"return_21d"`
	Ret63d    Num     `json:"return_63d"`
	DataTime  *string `json:"data_time"` // RFC3339 or null
	Stale     bool    `json:"stale"`
}

// FlagJSON is one breakout flag.
type FlagJSON struct {
	ID        string  `json:"id"`
	State     string  `json:"state"` // off | forming | confirmed
	Since     *string `json:"since"` // YYYY-MM-DD or null
	Value     Num     `json:"value"`
	Threshold float64 `json:"threshold"`
	Text      string  `json:"text"`
}

// ReturnsJSON holds 1d/1w/1m/3m (1, 5, 21, 63 bar) values in percent.
type ReturnsJSON struct {
	D1 Num `json:"1d"`
	W1 Num `json:"1w"`
	M1 Num `json:"1m"`
	M3 Num `json:"3m"`
}

// SectorJSON is one sector pair.
type SectorJSON struct {
	Sector         string      `json:"sector"`
	Large          string      `json:"large"`
	Small          string      `json:"small"`
	LargeReturnPct ReturnsJSON `json:"large_return_pct"`
	SmallReturnPct ReturnsJSON `json:"small_return_pct"`
	SpreadPct      ReturnsJSON `json:"spread_pct"`
}

// ErrorJSON is a symbol without usable data.
type ErrorJSON struct {
	Symbol  string `json:"symbol"`
	Message string `json:"message"`
}

// RiskJSON is the risk context of the pair (issue 10).
type RiskJSON struct {
	SmallVol63Pct       Num `json:"small_vol63_pct"`
	LargeVol63Pct       Num `json:"large_vol63_pct"`
	VolRatio            Num `json:"vol_ratio"`
	Beta63              Num `json:"beta63"`
	SmallDrawdownPct    Num `json:"small_drawdown_pct"`
	LargeDrawdownPct    Num `json:"large_drawdown_pct"`
	SmallDollarVolume20 Num `json:"small_dollar_volume20"`
	LargeDollarVolume20 Num `json:"large_dollar_volume20"`
}

// HorizonPctsJSON holds a value per analog horizon.
type HorizonPctsJSON struct {
	M1  Num `json:"1m"`
	M3  Num `json:"3m"`
	M6  Num `json:"6m"`
	M12 Num `json:"12m"`
}

// AnalogEventJSON is one past breakout and what followed.
type AnalogEventJSON struct {
	Date     string          `json:"date"`
	RelPct   HorizonPctsJSON `json:"rel_pct"`
	LargePct HorizonPctsJSON `json:"large_pct"`
}

// HorizonStatsJSON summarises the events at one horizon against the baseline.
type HorizonStatsJSON struct {
	Horizon            string `json:"horizon"`
	Bars               int    `json:"bars"`
	N                  int    `json:"n"`
	RelHitRate         Num    `json:"rel_hit_rate"`
	RelMedianPct       Num    `json:"rel_median_pct"`
	RelP25Pct          Num    `json:"rel_p25_pct"`
	RelP75Pct          Num    `json:"rel_p75_pct"`
	LargeHitRate       Num    `json:"large_hit_rate"`
	LargeMedianPct     Num    `json:"large_median_pct"`
	BaseN              int    `json:"base_n"`
	BaseRelHitRate     Num    `json:"base_rel_hit_rate"`
	BaseRelMedianPct   Num    `json:"base_rel_median_pct"`
	BaseLargeHitRate   Num    `json:"base_large_hit_rate"`
	BaseLargeMedianPct Num    `json:"base_large_median_pct"`
}

// AnalogsJSON is the "Now what?" study (issue 10).
type AnalogsJSON struct {
	Event                string             `json:"event"`
	HistoryFrom          string             `json:"history_from"`
	LastEvent            *string            `json:"last_event"`
	BarsSinceLastEvent   *int               `json:"bars_since_last_event"`
	RelSinceLastEventPct Num                `json:"rel_since_last_event_pct"`
	Events               []AnalogEventJSON  `json:"events"`
	Horizons             []HorizonStatsJSON `json:"horizons"`
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}

func returnsJSON(r engine.Returns) ReturnsJSON {
	return ReturnsJSON{D1: r.D1, W1: r.W1, M1: r.M1, M3: r.M3}
}

func horizonJSON(h engine.HorizonPcts) HorizonPctsJSON {
	return HorizonPctsJSON{M1: h.M1, M3: h.M3, M6: h.M6, M12: h.M12}
}

// ToJSON maps a snapshot onto the JSON contract. Lists are never null.
// Strings that came from feeds (symbols, error messages) are sanitised.
func ToJSON(s *engine.Snapshot) SnapshotJSON {
	out := SnapshotJSON{
		AsOf: rfc3339(s.AsOf),
		Feed: Sanitize(s.Feed),
		Session: SessionJSON{
			State:      s.Session.State,
			NextChange: rfc3339(s.Session.NextChange),
		},
		Pair: PairJSON{
			Small: Sanitize(s.Pair.Small), Large: Sanitize(s.Pair.Large),
			Ratio: s.Pair.Ratio, RatioChangePct: s.Pair.RatioChangePct,
			RatioSMA50: s.Pair.RatioSMA50, RatioSMA200: s.Pair.RatioSMA200,
			RatioHigh20: s.Pair.RatioHigh20, RatioRSI14: s.Pair.RatioRSI14, RatioROC20: s.Pair.RatioROC20,
		},
		Symbols: make([]SymbolJSON, 0, len(s.Symbols)),
		Flags:   make([]FlagJSON, 0, len(s.Flags)),
		Sectors: make([]SectorJSON, 0, len(s.Sectors)),
		Errors:  make([]ErrorJSON, 0, len(s.Errors)),
	}
	if out.Session.State == "" {
		out.Session.State = "closed"
	}
	for _, y := range s.Symbols {
		out.Symbols = append(out.Symbols, SymbolJSON{
			Symbol: Sanitize(y.Symbol), Last: y.Last, PrevClose: y.PrevClose, ChangePct: y.ChangePct,
			SMA20: y.SMA20, SMA50: y.SMA50, SMA200: y.SMA200, EMA20: y.EMA20, RSI14: y.RSI14, ATR14: y.ATR14,
			BBUpper: y.BBUpper, BBMiddle: y.BBMiddle, BBLower: y.BBLower,
			DonHigh20: y.DonHigh20, DonLow20: y.DonLow20, RVOL20: y.RVOL20,
			Ret1d: y.Ret1d, Ret5d: y.Ret5d, Ret21d: y.Ret21d, Ret63d: y.Ret63d,
			DataTime: rfc3339(y.DataTime), Stale: y.Stale,
		})
	}
	for _, f := range s.Flags {
		fj := FlagJSON{ID: f.ID, State: f.State.String(), Value: f.Value, Threshold: f.Threshold, Text: Sanitize(f.Text)}
		if f.Since != "" {
			since := f.Since
			fj.Since = &since
		}
		out.Flags = append(out.Flags, fj)
	}
	for _, c := range s.Sectors {
		out.Sectors = append(out.Sectors, SectorJSON{
			Sector: Sanitize(c.Sector), Large: Sanitize(c.Large), Small: Sanitize(c.Small),
			LargeReturnPct: returnsJSON(c.LargeRet), SmallReturnPct: returnsJSON(c.SmallRet),
			SpreadPct: returnsJSON(c.Spread),
		})
	}
	for _, e := range s.Errors {
		out.Errors = append(out.Errors, ErrorJSON{Symbol: Sanitize(e.Symbol), Message: Sanitize(e.Message)})
	}
	if r := s.Risk; r != nil {
		out.Risk = &RiskJSON{
			SmallVol63Pct: r.SmallVol63Pct, LargeVol63Pct: r.LargeVol63Pct, VolRatio: r.VolRatio, Beta63: r.Beta63,
			SmallDrawdownPct: r.SmallDrawdownPct, LargeDrawdownPct: r.LargeDrawdownPct,
			SmallDollarVolume20: r.SmallDollarVolume20, LargeDollarVolume20: r.LargeDollarVolume20,
		}
	}
	if a := s.Analogs; a != nil {
		out.Analogs = analogsJSON(a)
	}
	return out
}

func analogsJSON(a *engine.Analogs) *AnalogsJSON {
	aj := &AnalogsJSON{
		Event: a.Event, HistoryFrom: a.HistoryFrom, RelSinceLastEventPct: a.RelSinceLastEventPct,
		Events:   make([]AnalogEventJSON, 0, len(a.Events)),
		Horizons: make([]HorizonStatsJSON, 0, len(a.Horizons)),
	}
	if a.LastEvent != nil {
		v := *a.LastEvent
		aj.LastEvent = &v
	}
	if a.BarsSinceLastEvent != nil {
		v := *a.BarsSinceLastEvent
		aj.BarsSinceLastEvent = &v
	}
	for _, e := range a.Events {
		aj.Events = append(aj.Events, AnalogEventJSON{Date: e.Date, RelPct: horizonJSON(e.RelPct), LargePct: horizonJSON(e.LargePct)})
	}
	for _, h := range a.Horizons {
		aj.Horizons = append(aj.Horizons, HorizonStatsJSON{
			Horizon: h.Horizon, Bars: h.Bars, N: h.N,
			RelHitRate: h.RelHitRate, RelMedianPct: h.RelMedianPct, RelP25Pct: h.RelP25Pct, RelP75Pct: h.RelP75Pct,
			LargeHitRate: h.LargeHitRate, LargeMedianPct: h.LargeMedianPct,
			BaseN: h.BaseN, BaseRelHitRate: h.BaseRelHitRate, BaseRelMedianPct: h.BaseRelMedianPct,
			BaseLargeHitRate: h.BaseLargeHitRate, BaseLargeMedianPct: h.BaseLargeMedianPct,
		})
	}
	return aj
}

// WriteJSON writes the snapshot as indented JSON followed by a newline.
func WriteJSON(w io.Writer, s *engine.Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(ToJSON(s))
}
