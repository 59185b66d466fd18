package app

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/calendar"
)

func handSnapshot() *engine.Snapshot {
	ny := calendar.Location()
	last := "2024-03-01"
	bars := 12
	return &engine.Snapshot{
		AsOf: time.Date(2024, 5, 31, 16, 0, 0, 0, ny),
		Feed: "replay",
		Session: engine.SessionInfo{
			State:      "closed",
			NextChange: time.Date(2024, 6, 3, 4, 0, 0, 0, ny),
		},
		Pair: engine.PairSnapshot{
			Small: "IWM", Large: "SPY",
			Ratio: engine.Some(0.375), RatioChangePct: engine.Some(-0.5), RatioSMA50: engine.Some(0.37),
			RatioHigh20: engine.Some(0.38), RatioRSI14: engine.Some(55.25), RatioROC20: engine.Some(1.5),
			// RatioSMA200 absent
			Daily: []engine.RatioPoint{{Ratio: 1}}, // not part of the contract
		},
		Symbols: []engine.SymbolSnapshot{{
			Symbol: "IWM", Last: engine.Some(205.5), PrevClose: engine.Some(204), ChangePct: engine.Some(0.75),
			SMA20: engine.Some(200), RVOL20: engine.Some(1.25), Ret1d: engine.Some(0.75),
			DataTime: time.Date(2024, 5, 31, 16, 0, 0, 0, ny), Stale: true,
			SkippedRows: 4, FirstSkippedLine: 102, RVOLAsOf: time.Date(2024, 5, 31, 15, 45, 0, 0, ny),
		}, {
			Symbol: "SPY", RVOLPartial: true,
		}},
		Flags: []engine.Flag{
			{ID: engine.FlagRatioAboveSMA50, State: engine.FlagFading, Since: "2024-05-20", Value: engine.Some(0.365), Threshold: engine.Some(0.37), Text: "ratio above its 50-day average",
				CloseDate: "2024-06-03", CloseValue: engine.Some(0.375), CloseThreshold: engine.Some(0.369)},
			{ID: engine.FlagSmallVolumeSurge, State: engine.FlagOff, Threshold: engine.Some(1.5), Text: "volume surge", Partial: true},
		},
		Sectors: []engine.SectorSnapshot{{
			Sector: "Technology", Large: "XLK", Small: "PSCT",
			LargeRet: engine.Returns{D1: engine.Some(1), W1: engine.Some(2), M1: engine.Some(3)},
			SmallRet: engine.Returns{D1: engine.Some(0.5)},
			Spread:   engine.Returns{D1: engine.Some(-0.5)},
			Thin:     true,
		}},
		Errors:  []engine.SymbolError{{Symbol: "XLE", Message: "XLE.csv: no such file"}},
		Notices: []engine.SymbolNotice{{Symbol: "IWM", Message: "4 rows skipped from d/IWM.csv, first line 102: missing close"}},
		Risk:    &engine.Risk{SmallVol63Pct: engine.Some(22.5), Beta63: engine.Some(1.125)},
		Analogs: &engine.Analogs{
			Event: "ratio_crosses_sma200_at_20d_high", HistoryFrom: "2000-05-26",
			LastEvent: &last, BarsSinceLastEvent: &bars, RelSinceLastEventPct: engine.Some(2.5),
			Events: []engine.AnalogEvent{{Date: "2024-03-01",
				RelPct: engine.HorizonPcts{M1: engine.Some(1.5)}, LargePct: engine.HorizonPcts{M1: engine.Some(-2)}}},
			Horizons: []engine.HorizonStats{{Horizon: "1m", Bars: 21, N: 1, RelHitRate: engine.Some(1), RelMedianPct: engine.Some(1.5),
				BaseN: 300, BaseRelHitRate: engine.Some(0.5)}},
		},
		Rotation: &rotation.Rotation{Window: 10, Tail: 2,
			SmallVsLarge: []rotation.Entry{{
				Sector: "Technology", Asset: "PSCT", Benchmark: "XLK",
				RSRatio: rnum(101.5), RSMomentum: rnum(99.25), Quadrant: rotation.Weakening, WeeksInQuadrant: 3, Unfinished: true,
				Tail: []rotation.Point{
					{Week: rday(2024, 5, 24), RSRatio: rnum(102), RSMomentum: rnum(100.5)},
					{Week: rday(2024, 5, 31), RSRatio: rnum(101.5), RSMomentum: rnum(99.25)},
				},
			}, {Sector: "pair", Asset: "IWM", Benchmark: "SPY"}},
			SmallSectors: []rotation.Entry{},
		},
	}
}

func rnum(v float64) rotation.Num { return rotation.Num{V: v, Valid: true} }

func rday(y int, m time.Month, d int) rotation.Day {
	return rotation.DayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// wantJSON is written by hand from the contract in issue 7 / issue 10.
const wantJSON = `{
 "as_of": "2024-05-31T16:00:00-04:00", "feed": "replay",
 "session": {"state": "closed", "next_change": "2024-06-03T04:00:00-04:00"},
 "pair": {"small": "IWM", "large": "SPY", "ratio": 0.375, "ratio_change_pct": -0.5, "ratio_sma50": 0.37,
          "ratio_sma200": null, "ratio_high_20": 0.38, "ratio_rsi14": 55.25, "ratio_roc20": 1.5},
 "symbols": [
  {"symbol": "IWM", "last": 205.5, "prev_close": 204, "change_pct": 0.75, "sma20": 200, "sma50": null, "sma200": null,
   "ema20": null, "rsi14": null, "atr14": null, "bb_upper": null, "bb_middle": null, "bb_lower": null,
   "donchian_high_20": null, "donchian_low_20": null, "rvol20": 1.25, "return_1d": 0.75, "return_5d": null,
   "return_21d": null, "return_63d": null, "data_time": "2024-05-31T16:00:00-04:00", "stale": true,
   "skipped_rows": 4, "first_skipped_line": 102, "rvol_partial": false, "rvol_as_of": "2024-05-31T15:45:00-04:00"},
  {"symbol": "SPY", "last": null, "prev_close": null, "change_pct": null, "sma20": null, "sma50": null, "sma200": null,
   "ema20": null, "rsi14": null, "atr14": null, "bb_upper": null, "bb_middle": null, "bb_lower": null,
   "donchian_high_20": null, "donchian_low_20": null, "rvol20": null, "return_1d": null, "return_5d": null,
   "return_21d": null, "return_63d": null, "data_time": null, "stale": false,
   "skipped_rows": 0, "first_skipped_line": null, "rvol_partial": true, "rvol_as_of": null}],
 "flags": [
  {"id": "ratio_above_sma50", "state": "fading", "since": "2024-05-20", "value": 0.365, "threshold": 0.37, "text": "ratio above its 50-day average",
   "close_date": "2024-06-03", "close_value": 0.375, "close_threshold": 0.369, "partial": false,
   "note": null, "close_note": null, "no_data": false},
  {"id": "small_volume_surge", "state": "off", "since": null, "value": null, "threshold": 1.5, "text": "volume surge",
   "close_date": null, "close_value": null, "close_threshold": null, "partial": true,
   "note": null, "close_note": null, "no_data": false}],
 "sectors": [
  {"sector": "Technology", "large": "XLK", "small": "PSCT",
   "large_return_pct": {"1d": 1, "1w": 2, "1m": 3, "3m": null},
   "small_return_pct": {"1d": 0.5, "1w": null, "1m": null, "3m": null},
   "spread_pct": {"1d": -0.5, "1w": null, "1m": null, "3m": null}}],
 "errors": [{"symbol": "XLE", "message": "XLE.csv: no such file"}],
 "risk": {"small_vol63_pct": 22.5, "large_vol63_pct": null, "vol_ratio": null, "beta63": 1.125,
          "small_drawdown_pct": null, "large_drawdown_pct": null, "small_dollar_volume20": null, "large_dollar_volume20": null},
 "analogs": {"event": "ratio_crosses_sma200_at_20d_high", "history_from": "2000-05-26", "last_event": "2024-03-01",
   "bars_since_last_event": 12, "rel_since_last_event_pct": 2.5,
   "events": [{"date": "2024-03-01", "rel_pct": {"1m": 1.5, "3m": null, "6m": null, "12m": null},
               "large_pct": {"1m": -2, "3m": null, "6m": null, "12m": null}}],
   "horizons": [{"horizon": "1m", "bars": 21, "n": 1, "rel_hit_rate": 1, "rel_median_pct": 1.5, "rel_p25_pct": null,
     "rel_p75_pct": null, "large_hit_rate": null, "large_median_pct": null, "base_n": 300, "base_rel_hit_rate": 0.5,
     "base_rel_median_pct": null, "base_large_hit_rate": null, "base_large_median_pct": null}], "breadth": null},
 "notices": [{"symbol": "IWM", "message": "4 rows skipped from d/IWM.csv, first line 102: missing close"}],
 "breadth": null, "breadth_load": null, "confirmations": [],
 "provenance": null,
 "rotation": {"window": 10, "tail": 2,
   "small_vs_large": [
     {"sector": "Technology", "asset": "PSCT", "benchmark": "XLK", "rs_ratio": 101.5, "rs_momentum": 99.25,
      "quadrant": "weakening", "weeks_in_quadrant": 3, "unfinished": true,
      "tail": [{"week": "2024-05-24", "rs_ratio": 102, "rs_momentum": 100.5},
               {"week": "2024-05-31", "rs_ratio": 101.5, "rs_momentum": 99.25}]},
     {"sector": "pair", "asset": "IWM", "benchmark": "SPY", "rs_ratio": null, "rs_momentum": null,
      "quadrant": null, "weeks_in_quadrant": 0, "unfinished": false, "tail": []}],
   "small_sectors": [], "large_sectors": []}
}`

func TestWriteJSONContract(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, handSnapshot()); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	if err := json.Unmarshal([]byte(wantJSON), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		t.Fatalf("JSON differs from the contract:\n%s", g)
	}
}

// A feed's provenance reaches the JSON (issue 18): the shape is written by
// hand (its strings are cleaned at the feed boundary, feeds.CleanStatus).
func TestWriteJSONProvenance(t *testing.T) {
	var buf bytes.Buffer
	p := &engine.Provenance{Prices: "IEX", Volume: "SIP to 14:45, IEX after", VolumePartial: true,
		VolumeConsolidatedTo: time.Date(2026, 3, 4, 14, 45, 0, 0, calendar.Location()),
		History:              []engine.HistorySpan{{Source: "yahoo", From: "1993-01-29", To: "2015-12-31", Symbols: 2}, {Source: "alpaca", From: "2016-01-04", To: "2026-03-03", Symbols: 2}}}
	if err := WriteJSON(&buf, &engine.Snapshot{Feed: "alpaca", Provenance: p}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Provenance any `json:"provenance"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var want any
	_ = json.Unmarshal([]byte(`{"prices": "IEX", "volume": "SIP to 14:45, IEX after", "volume_partial": true,
		"volume_consolidated_to": "2026-03-04T14:45:00-05:00", "history": [
		{"source": "yahoo", "from": "1993-01-29", "to": "2015-12-31", "symbols": 2},
		{"source": "alpaca", "from": "2016-01-04", "to": "2026-03-03", "symbols": 2}]}`), &want)
	if !reflect.DeepEqual(got.Provenance, want) {
		g, _ := json.Marshal(got.Provenance)
		t.Errorf("provenance %s", g)
	}
}

func TestWriteJSONEmptyListsAndNulls(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, &engine.Snapshot{Feed: "demo"}); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(buf.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"symbols", "flags", "sectors", "errors", "confirmations"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	for _, k := range []string{"risk", "analogs", "as_of"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %#v, want null", k, v)
		}
	}
}

func TestWriteTextNoEscapes(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, handSnapshot()); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	for _, want := range []string{"IWM/SPY ratio 0.3750", "ratio_above_sma50", "since 2024-05-20", "Technology", "XLE: XLE.csv: no such file", "STALE", "Now what? 1 past breakout ("} {
		if !strings.Contains(s, want) {
			t.Errorf("text output lacks %q:\n%s", want, s)
		}
	}
	if strings.ContainsAny(s, "\x1b\x07") {
		t.Errorf("text output contains control characters: %q", s)
	}
}

// TestWriteTextPartialVolume: the text report marks RVOL on partial volume
// as a lower bound and the surge flag held off, as the dashboard does.
func TestWriteTextPartialVolume(t *testing.T) {
	s := handSnapshot()
	s.Symbols[0].RVOLPartial = true
	var buf bytes.Buffer
	if err := WriteText(&buf, s); err != nil {
		t.Fatal(err)
	}
	var iwm, surge string
	for _, l := range strings.Split(buf.String(), "\n") {
		switch {
		case strings.HasPrefix(strings.TrimSpace(l), "IWM "):
			iwm = l
		case strings.Contains(l, "small_volume_surge"):
			surge = l
		}
	}
	if !strings.Contains(iwm, "≥1.25") || !strings.Contains(surge, "off (vol partial)") {
		t.Errorf("IWM row %q, surge row %q: want ≥1.25 and off (vol partial)", iwm, surge)
	}
}

func TestWriteAnalogs(t *testing.T) {
	a := handSnapshot().Analogs
	var buf bytes.Buffer
	if err := WriteAnalogs(&buf, a, "csv"); err != nil {
		t.Fatal(err)
	}
	want := "date,rel_1m,rel_3m,rel_6m,rel_12m,large_1m,large_3m,large_6m,large_12m\n2024-03-01,1.5,,,,-2,,,\n"
	if buf.String() != want {
		t.Fatalf("csv:\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	if err := WriteAnalogs(&buf, a, "table"); err != nil || !strings.Contains(buf.String(), "2024-03-01") || !strings.Contains(buf.String(), "+1.50%") {
		t.Fatalf("table: %v\n%s", err, buf.String())
	}
	buf.Reset()
	var aj map[string]any
	if err := WriteAnalogs(&buf, a, "json"); err != nil || json.Unmarshal(buf.Bytes(), &aj) != nil || aj["last_event"] != "2024-03-01" {
		t.Fatalf("json: %v\n%s", err, buf.String())
	}
	if err := WriteAnalogs(&buf, nil, "table"); err != ErrNoAnalogs {
		t.Fatalf("nil analogs: %v", err)
	}
	if err := WriteAnalogs(&buf, a, "xml"); err == nil {
		t.Fatal("unknown format accepted")
	}
}

func TestSanitize(t *testing.T) {
	cases := map[string]string{
		"IWM":                      "IWM",
		"a\x1b[31mred\x1b[0m":      "ared",
		"x\x1b]52;c;aGVsbG8=\x07y": "xy",
		"x\x1b]8;;http://e\x1b\\y": "xy",
		"tab\tnew\nline\r":         "tab new line",
		"c1\u009b31mz":             "c1z",
		"bad\xffutf":               "bad\ufffdutf",
		"Consumer Discretionary ▲": "Consumer Discretionary ▲",
		"esc at end\x1b":           "esc at end",
		"\x1bPdcs payload\x1b\\ok": "ok",
	}
	for in, want := range cases {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 events", 1: "1 event", 22: "22 events"} {
		if got := Count(n, "event"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestWriteTextNotes (QA-2 M3/M6): the text snapshot says why a flag's
// state reads as it does when the comparison alone does not.
func TestWriteTextNotes(t *testing.T) {
	s := handSnapshot()
	for i := range s.Flags {
		if s.Flags[i].ID == engine.FlagSmallVolumeSurge {
			s.Flags[i].Note = "down day"
		}
	}
	var buf bytes.Buffer
	if err := WriteText(&buf, s); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(buf.String(), "\n") {
		if strings.Contains(l, "small_volume_surge") && !strings.Contains(l, "(down day)") {
			t.Errorf("surge row %q lacks the note", l)
		}
	}
}
