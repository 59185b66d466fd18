package app

import (
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// The JSON contract fixtures in testdata/contract were written by the code
// before the engine's types became the contract (commit b395372's
// internal/app/snapjson.go DTOs), from the snapshots below. They are the
// oracle: today's writers must still produce every field they hold, with
// the same name, type, value and null behaviour, in the same order.
//
// Changed deliberately since (fields only added): snapshot_full.json's
// flags carry no_data, and snapshot_full.txt counts the flags judged on
// the "Flags" line and says "no data" for small_volume_surge, which
// cannot be judged (off, no value) — the count every view shows
// (engine.CountFlags).

// contractFull sets every field of every type the document uses, including
// the ones that are not part of the JSON (they must stay out of it).
func contractFull() *engine.Snapshot {
	ny := calendar.Location()
	last := "2024-03-01"
	bars := 12
	return &engine.Snapshot{
		Seq:  41,
		AsOf: time.Date(2024, 5, 31, 15, 59, 58, 123456789, ny),
		Feed: "yahoo",
		Session: engine.SessionInfo{
			State:      "after",
			NextChange: time.Date(2024, 5, 31, 20, 0, 0, 0, time.UTC),
			Countdown:  "closes in 4h",
		},
		Pair: engine.PairSnapshot{
			Small: "IWM", Large: "SPY",
			Ratio: engine.Some(0.3751234567890123), RatioChangePct: engine.Some(-0.5), RatioSMA50: engine.Some(0.37),
			RatioSMA200: engine.Some(1e-9), RatioHigh20: engine.Some(0.38), RatioRSI14: engine.Some(55.25), RatioROC20: engine.Some(-1.5e21),
			Daily:    []engine.RatioPoint{{Time: time.Date(2024, 5, 30, 0, 0, 0, 0, ny), Ratio: 1, SMA50: engine.Some(2)}},
			Intraday: []engine.RatioPoint{{Ratio: 3, Filled: true, Forming: true}},
		},
		Symbols: []engine.SymbolSnapshot{{
			Symbol: "IWM", Role: engine.RoleSmall,
			Last: engine.Some(205.5), PrevClose: engine.Some(204), ChangePct: engine.Some(0.75),
			SMA20: engine.Some(200), SMA50: engine.Some(199.25), SMA200: engine.Some(190.125), EMA20: engine.Some(201.5),
			RSI14: engine.Some(61.5), ATR14: engine.Some(2.75), BBUpper: engine.Some(210), BBMiddle: engine.Some(200),
			BBLower: engine.Some(190), DonHigh20: engine.Some(206), DonLow20: engine.Some(195), RVOL20: engine.Some(1.25),
			RVOLPace: engine.Some(1.5), Ret1d: engine.Some(0.75), Ret5d: engine.Some(-1), Ret21d: engine.Some(3.5), Ret63d: engine.Some(100000),
			DayVolume: 1234567, DataTime: time.Date(2024, 5, 31, 15, 59, 58, 123456789, ny), Delayed: true, Stale: true,
			Intraday: []float64{1, 2}, IntradayForming: true,
		}, {
			Symbol: "SPY", Role: engine.RoleLarge, Last: engine.Some(547.25),
			DataTime: time.Date(2024, 5, 31, 19, 0, 0, 0, time.UTC),
		}, {
			Symbol: "BRK.B", Role: engine.RoleExtra,
		}},
		Flags: []engine.Flag{
			{ID: engine.FlagRatioAboveSMA50, State: engine.FlagConfirmed, Since: "2024-05-20", Value: engine.Some(0.375), Threshold: engine.Some(0.37), Text: "ratio > 50-day avg & <rising>"},
			{ID: engine.FlagRatioNewHigh20d, State: engine.FlagForming, Since: "2024-05-31", Value: engine.Some(0.39), Threshold: engine.Some(-0.25), Text: "ratio ÷ 20-day high"},
			{ID: engine.FlagSmallVolumeSurge, State: engine.FlagOff, Threshold: engine.Some(0), Text: "volume surge"},
		},
		Sectors: []engine.SectorSnapshot{{
			Sector: "Technology", Large: "XLK", Small: "PSCT",
			LargeRet:         engine.Returns{D1: engine.Some(1), W1: engine.Some(2), M1: engine.Some(3), M3: engine.Some(4)},
			SmallRet:         engine.Returns{D1: engine.Some(0.5)},
			Spread:           engine.Returns{D1: engine.Some(-0.5), M3: engine.Some(-4)},
			SmallVsBench:     engine.Returns{D1: engine.Some(9)},
			LargeVsBench:     engine.Returns{W1: engine.Some(9)},
			SmallDollarVol20: engine.Some(5e6),
			Thin:             true,
		}, {
			Sector: "Health Care & Biotech", Large: "XLV", Small: "PSCH",
		}},
		Errors: []engine.SymbolError{{Symbol: "XLE", Message: "XLE.csv: line 3: <bad> & \"quoted\""}},
		Risk: &engine.Risk{SmallVol63Pct: engine.Some(22.5), LargeVol63Pct: engine.Some(15), VolRatio: engine.Some(1.5),
			Beta63: engine.Some(1.125), SmallDrawdownPct: engine.Some(-12.5), LargeDrawdownPct: engine.Some(-3),
			SmallDollarVolume20: engine.Some(6e9), LargeDollarVolume20: engine.Some(3e10)},
		Analogs: &engine.Analogs{
			Event: "ratio_crosses_sma200_at_20d_high", HistoryFrom: "2000-05-26",
			LastEvent: &last, BarsSinceLastEvent: &bars, RelSinceLastEventPct: engine.Some(2.5),
			Events: []engine.AnalogEvent{{Date: "2024-03-01",
				RelPct:   engine.HorizonPcts{M1: engine.Some(1.5), M3: engine.Some(2), M6: engine.Some(-3), M12: engine.Some(4)},
				LargePct: engine.HorizonPcts{M1: engine.Some(-2)}}, {Date: "2023-11-14"}},
			Horizons: []engine.HorizonStats{{Horizon: "1m", Bars: 21, N: 2, RelHitRate: engine.Some(0.5), RelMedianPct: engine.Some(1.5),
				RelP25Pct: engine.Some(-1), RelP75Pct: engine.Some(2), LargeHitRate: engine.Some(1), LargeMedianPct: engine.Some(0.25),
				BaseN: 300, BaseRelHitRate: engine.Some(0.5), BaseRelMedianPct: engine.Some(0.1), BaseLargeHitRate: engine.Some(0.6),
				BaseLargeMedianPct: engine.Some(0.7)}, {Horizon: "12m", Bars: 252}},
		},
	}
}

// contractSparse leaves out whatever may be absent: nil lists, nil
// pointers, zero times, an empty session.
func contractSparse() *engine.Snapshot {
	return &engine.Snapshot{
		Feed:    "replay",
		Pair:    engine.PairSnapshot{Small: "IWM", Large: "SPY"},
		Symbols: []engine.SymbolSnapshot{{Symbol: "IWM"}},
		Analogs: &engine.Analogs{Event: "ratio_crosses_sma200_at_20d_high"},
	}
}

// contractEmpty is a snapshot before any data.
func contractEmpty() *engine.Snapshot { return &engine.Snapshot{Feed: "demo"} }
