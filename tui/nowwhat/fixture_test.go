package nowwhat

import (
	"fmt"

	"github.com/capwatch/capwatch/engine"
)

func some(v float64) engine.Num { return engine.Some(v) }

func ptr[T any](v T) *T { return &v }

// fixture is a fixed study result: 21 breakouts since 2004 (as many as the
// 1m horizon has outcomes), the last ones recent enough that their longer
// outcomes are still null (3m: 20, 6m: 18, 12m: 16).
func fixture() *engine.Analogs {
	a := &engine.Analogs{
		Event:                "ratio_crosses_sma200_at_20d_high",
		HistoryFrom:          "2004-03-01",
		LastEvent:            ptr("2026-09-14"),
		BarsSinceLastEvent:   ptr(52),
		RelSinceLastEventPct: some(2.34),
		Events: []engine.AnalogEvent{
			{Date: "2019-01-25", RelPct: engine.HorizonPcts{M1: some(1.2), M3: some(-0.8), M6: some(-3.35), M12: some(-6.1)}, LargePct: engine.HorizonPcts{M1: some(2.1), M3: some(7.4), M6: some(9.9), M12: some(21.3)}},
			{Date: "2020-11-09", RelPct: engine.HorizonPcts{M1: some(6.4), M3: some(12.05), M6: some(14.2), M12: some(3.3)}, LargePct: engine.HorizonPcts{M1: some(4.2), M3: some(8.1), M6: some(15.7), M12: some(27.5)}},
			{Date: "2023-11-14", RelPct: engine.HorizonPcts{M1: some(4.1), M3: some(2.2), M6: some(0.9), M12: some(-1.4)}, LargePct: engine.HorizonPcts{M1: some(3.0), M3: some(9.5), M6: some(-12.25), M12: some(24.0)}},
			{Date: "2024-11-06", RelPct: engine.HorizonPcts{M1: some(-2.0), M3: some(-4.4), M6: some(-7.7), M12: some(0.04)}, LargePct: engine.HorizonPcts{M1: some(1.1), M3: some(-3.2), M6: some(-1.0), M12: some(12.0)}},
			{Date: "2025-07-02", RelPct: engine.HorizonPcts{M1: some(0.5), M3: some(1.5), M6: some(2.5)}, LargePct: engine.HorizonPcts{M1: some(0.4), M3: some(4.4), M6: some(8.8)}},
			{Date: "2026-09-14", RelPct: engine.HorizonPcts{M1: some(1.9)}, LargePct: engine.HorizonPcts{M1: some(1.0)}},
		},
		Horizons: []engine.HorizonStats{
			{Horizon: "1m", Bars: 21, N: 21, RelHitRate: some(0.524), RelMedianPct: some(0.3), RelP25Pct: some(-1.94), RelP75Pct: some(2.2), LargeHitRate: some(0.762), LargeMedianPct: some(1.6),
				BaseN: 5200, BaseRelHitRate: some(0.49), BaseRelMedianPct: some(-0.1), BaseLargeHitRate: some(0.634), BaseLargeMedianPct: some(1.2)},
			{Horizon: "3m", Bars: 63, N: 20, RelHitRate: some(0.55), RelMedianPct: some(0.9), RelP25Pct: some(-2.6), RelP75Pct: some(4.1), LargeHitRate: some(0.75), LargeMedianPct: some(4.0),
				BaseN: 5158, BaseRelHitRate: some(0.48), BaseRelMedianPct: some(-0.3), BaseLargeHitRate: some(0.66), BaseLargeMedianPct: some(2.9)},
			{Horizon: "6m", Bars: 126, N: 18, RelHitRate: some(0.5556), RelMedianPct: some(1.44), RelP25Pct: some(-3.1), RelP75Pct: some(6.0), LargeHitRate: some(0.7778), LargeMedianPct: some(6.5),
				BaseN: 5095, BaseRelHitRate: some(0.47), BaseRelMedianPct: some(-0.6), BaseLargeHitRate: some(0.7104), BaseLargeMedianPct: some(5.1)},
			{Horizon: "12m", Bars: 252, N: 16, RelHitRate: some(0.5), RelMedianPct: some(0.2), RelP25Pct: some(-5.5), RelP75Pct: some(7.7), LargeHitRate: some(0.8125), LargeMedianPct: some(12.1),
				BaseN: 4969, BaseRelHitRate: some(0.45), BaseRelMedianPct: some(-1.5), BaseLargeHitRate: some(0.76), BaseLargeMedianPct: some(10.2)},
		},
	}
	// 15 older breakouts, one a year from 2004 (their outcomes do not enter
	// the horizon stats above, which are given, not computed).
	var older []engine.AnalogEvent
	for y := 2004; y < 2019; y++ {
		older = append(older, engine.AnalogEvent{Date: fmt.Sprintf("%d-05-03", y)})
	}
	a.Events = append(older, a.Events...)
	return a
}

func riskFixture() *engine.Risk {
	return &engine.Risk{
		SmallVol63Pct: some(22.4), LargeVol63Pct: some(16.0), VolRatio: some(1.4), Beta63: some(1.23),
		SmallDrawdownPct: some(-8.14), LargeDrawdownPct: some(-2.3),
		SmallDollarVolume20: some(5.2e9), LargeDollarVolume20: some(31.2e9),
	}
}
