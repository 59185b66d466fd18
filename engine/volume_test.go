package engine

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"
)

// minuteBars returns one bar a minute from from (inclusive) to to
// (exclusive), each with volume vol and close px.
func minuteBars(sym string, from, to time.Time, px, vol float64) []Bar {
	var out []Bar
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		out = append(out, Bar{Symbol: sym, Time: t, Open: px, High: px + 0.05, Low: px - 0.05, Close: px, Volume: vol})
	}
	return out
}

// TestRVOLPacedToTheConsolidatedHorizon: on Alpaca's IEX feed at 15:00 the
// minutes before 14:45 are consolidated (SIP) and the later ones IEX's
// (a few per cent of the volume). RVOL counts the consolidated volume only
// and paces it to 14:45, hand-computed from the documented profile; the
// old code paced "SIP to 14:45 plus IEX since" to 15:00 and read low.
func TestRVOLPacedToTheConsolidatedHorizon(t *testing.T) {
	e, d := paceEngine(t, nyDate(2025, 3, 3)) // mean of the 20 previous volumes: exactly 1e6
	open := nyAt(d, 9, 30, 0)
	h1445 := nyAt(d, 14, 45, 0)
	bars := minuteBars("IWM", open, h1445, 101, 4000)                             // 315 SIP minutes: 1,260,000
	bars = append(bars, minuteBars("IWM", h1445, nyAt(d, 15, 0, 0), 101, 100)...) // 15 IEX minutes: 1,500
	prov := &Provenance{Prices: "IEX", Volume: "SIP to 14:45, IEX after", VolumePartial: true, VolumeConsolidatedTo: h1445}
	now := nyAt(d, 15, 0, 5)
	e.apply(Input{Now: now, Provenance: prov, IntradayUpdates: bars, Live: true, Feed: "alpaca",
		Quotes: []Quote{{Symbol: "IWM", Price: 101, DayVolume: 1_261_500, Time: nyAt(d, 15, 0, 2)}}})
	s := e.Snapshot(now)
	ss, f := mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge)
	// 14:45 is minute 315 of 390: half way from the 14:30 knot (2/3) to the 15:00 knot (0.73).
	f1445 := 2.0/3 + (0.73-2.0/3)/2
	if ss.RVOL20 != Some(1.26) || !near(ss.RVOLPace.V, 1.26/f1445) || ss.RVOLPartial || !ss.RVOLAsOf.Equal(h1445) {
		t.Errorf("RVOL20 %+v RVOLPace %+v partial %v as of %v; want 1.26, %v (1.26 ÷ F(14:45) = %v), not partial, as of 14:45",
			ss.RVOL20, ss.RVOLPace, ss.RVOLPartial, ss.RVOLAsOf, 1.26/f1445, f1445)
	}
	wantFlag(t, "surge on the consolidated pace", f, FlagForming, d.Format("2006-01-02"))
	if f.Value != ss.RVOLPace || f.Partial {
		t.Errorf("flag value %+v partial %v, want RVOLPace %+v, not partial", f.Value, f.Partial, ss.RVOLPace)
	}

	// A minute later the SIP bar of 14:45 replaces the IEX one and the
	// horizon moves to 14:46: one more consolidated minute, paced to 14:46.
	h1446 := h1445.Add(time.Minute)
	prov2 := &Provenance{Prices: "IEX", Volume: "SIP to 14:46, IEX after", VolumePartial: true, VolumeConsolidatedTo: h1446}
	now = nyAt(d, 15, 1, 5)
	e.apply(Input{Now: now, Provenance: prov2, Live: true, Feed: "alpaca",
		IntradayUpdates: []Bar{{Symbol: "IWM", Time: h1445, Open: 101, High: 101.05, Low: 100.95, Close: 101, Volume: 3000}}})
	ss = mustSym(t, e.Snapshot(now), "IWM")
	f1446 := 2.0/3 + (0.73-2.0/3)*16/30
	if ss.RVOL20 != Some(1.263) || !near(ss.RVOLPace.V, 1.263/f1446) || !ss.RVOLAsOf.Equal(h1446) {
		t.Errorf("at 14:46: RVOL20 %+v RVOLPace %+v as of %v; want 1.263, %v, 14:46", ss.RVOL20, ss.RVOLPace, ss.RVOLAsOf, 1.263/f1446)
	}

	// The same day on a consolidated feed (nothing stated): paced to the
	// data, as before.
	e2, d2 := paceEngine(t, nyDate(2025, 3, 3))
	e2.apply(Input{Now: now, IntradayUpdates: minuteBars("IWM", nyAt(d2, 9, 30, 0), nyAt(d2, 15, 0, 0), 101, 4000)})
	ss = mustSym(t, e2.Snapshot(now), "IWM")
	if ss.RVOL20 != Some(1.32) || !near(ss.RVOLPace.V, 1.32/0.73) || !ss.RVOLAsOf.IsZero() || ss.RVOLPartial {
		t.Errorf("consolidated feed: RVOL20 %+v RVOLPace %+v as of %v partial %v; want 1.32, %v, none, false", ss.RVOL20, ss.RVOLPace, ss.RVOLAsOf, ss.RVOLPartial, 1.32/0.73)
	}
}

// surgeEngine loads 26 days whose last closed up on twice the average
// volume (small_volume_surge confirmed at that close) and returns the next
// trading date.
func surgeEngine(t *testing.T) (*Engine, time.Time) {
	t.Helper()
	e := newEngine(t, pairConfig())
	days := tradingDays(e.cal, nyDate(2025, 3, 3), 26)
	closes := constSeries(26, 100)
	closes[25] = 101
	iwm := flatBars("IWM", days, closes, 1e6)
	iwm[25].Volume = 2e6
	e.LoadHistory(map[string][]Bar{"IWM": iwm, "SPY": flatBars("SPY", days, constSeries(26, 400), 1e6)})
	return e, e.cal.NextTradingDate(days[25])
}

// TestRVOLPureIEXIsPartialAndHoldsTheSurgeFlag: with none of the day's
// volume consolidated (IEX only), RVOL is marked partial and the surge
// flag is held at its last close's state: a confirmed surge does not fade
// and an off one does not form because of the venue mix; the JSON says so.
func TestRVOLPureIEXIsPartialAndHoldsTheSurgeFlag(t *testing.T) {
	iexOnly := func(d time.Time) *Provenance {
		return &Provenance{Prices: "IEX", Volume: "IEX only", VolumePartial: true, VolumeConsolidatedTo: nyAt(d, 9, 30, 0)}
	}
	// Confirmed at the last close; today 60 IEX minutes of 100 shares.
	e, d := surgeEngine(t)
	now := nyAt(d, 10, 30, 5)
	day := minuteBars("IWM", nyAt(d, 9, 30, 0), nyAt(d, 10, 30, 0), 101.5, 100)
	e.apply(Input{Now: now, Provenance: iexOnly(d), IntradayUpdates: day, Live: true, Feed: "alpaca"})
	s := e.Snapshot(now)
	ss, f := mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge)
	if !ss.RVOLPartial || !ss.RVOL20.Valid || !near(ss.RVOL20.V, 6000/1.05e6) || !ss.RVOLAsOf.IsZero() {
		t.Errorf("RVOL20 %+v partial %v as of %v; want 6000 ÷ 1.05e6 marked partial", ss.RVOL20, ss.RVOLPartial, ss.RVOLAsOf)
	}
	wantFlag(t, "confirmed surge on IEX volume", f, FlagConfirmed, s.Flags[fSurge].Since)
	if f.State != FlagConfirmed || f.Value.Valid || !f.Partial || f.CloseValue != Some(2) {
		t.Errorf("flag %v value %+v partial %v close %+v; want confirmed (held), no live value, partial, close 2", f.State, f.Value, f.Partial, f.CloseValue)
	}
	doc, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Symbols []map[string]any `json:"symbols"`
		Flags   []map[string]any `json:"flags"`
		Prov    map[string]any   `json:"provenance"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	for _, sym := range got.Symbols {
		if sym["symbol"] == "IWM" && (sym["rvol_partial"] != true || sym["rvol_as_of"] != nil) {
			t.Errorf("JSON IWM rvol_partial %v rvol_as_of %v", sym["rvol_partial"], sym["rvol_as_of"])
		}
		if sym["symbol"] == "SPY" && sym["rvol_partial"] != false {
			t.Errorf("JSON SPY rvol_partial %v: no bar today, yesterday's close was consolidated", sym["rvol_partial"])
		}
	}
	for _, fl := range got.Flags {
		want := fl["id"] == FlagSmallVolumeSurge
		if fl["partial"] != want || want && fl["value"] != nil {
			t.Errorf("JSON flag %v partial %v value %v", fl["id"], fl["partial"], fl["value"])
		}
	}
	if want := nyAt(d, 9, 30, 0).Format(time.RFC3339); got.Prov["volume_consolidated_to"] != want || got.Prov["volume_partial"] != true {
		t.Errorf("JSON provenance %v, want volume_consolidated_to %s", got.Prov, want)
	}

	// The same day without the statement (a consolidated feed would not
	// have such volume): the live value ends the run.
	e2, d2 := surgeEngine(t)
	e2.apply(Input{Now: now, IntradayUpdates: minuteBars("IWM", nyAt(d2, 9, 30, 0), nyAt(d2, 10, 30, 0), 101.5, 100)})
	if f := mustFlag(t, e2.Snapshot(now), FlagSmallVolumeSurge); f.State != FlagFading || f.Partial {
		t.Errorf("control: flag %v partial %v, want fading", f.State, f.Partial)
	}

	// Off at the last close; a burst of IEX volume that paced against
	// consolidated averages would read 2.0 does not form it.
	e3, d3 := paceEngine(t, nyDate(2025, 3, 3))
	now = nyAt(d3, 10, 0, 5)
	burst := minuteBars("IWM", nyAt(d3, 9, 30, 0), nyAt(d3, 10, 0, 0), 101, 10_000) // 300,000 by 10:00 (F = 0.15)
	e3.apply(Input{Now: now, Provenance: iexOnly(d3), IntradayUpdates: burst})
	s = e3.Snapshot(now)
	if ss, f := mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge); f.State != FlagOff || !f.Partial || !ss.RVOLPartial || !near(ss.RVOLPace.V, 0.3/0.15) {
		t.Errorf("IEX burst: flag %v partial %v, RVOLPace %+v partial %v; want off (held), partial, 2.0 marked partial", f.State, f.Partial, ss.RVOLPace, ss.RVOLPartial)
	}
	// Once the horizon passes 09:45 the consolidated pace decides (and is not partial).
	prov := &Provenance{Prices: "IEX", Volume: "SIP to 09:45, IEX after", VolumePartial: true, VolumeConsolidatedTo: nyAt(d3, 9, 45, 0)}
	now = nyAt(d3, 10, 0, 30)
	e3.apply(Input{Now: now, Provenance: prov})
	s = e3.Snapshot(now)
	if ss, f := mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge); f.State != FlagForming || f.Partial || ss.RVOLPartial || !near(ss.RVOLPace.V, 0.15/0.09) {
		t.Errorf("SIP to 09:45: flag %v partial %v, RVOLPace %+v partial %v; want forming on 0.15 ÷ 0.09", f.State, f.Partial, ss.RVOLPace, ss.RVOLPartial)
	}
}

// TestClosedDayWidenedByLateConsolidatedMinutes: the day closes at 16:00
// with its last 15 minutes still IEX's (marked partial); at 16:15 the
// consolidated minutes arrive and raise the closed bar's volume, which
// turns the surge on for that close.
func TestClosedDayWidenedByLateConsolidatedMinutes(t *testing.T) {
	e, d := paceEngine(t, nyDate(2025, 3, 3))
	cl := sessionClose(d)
	h1545 := nyAt(d, 15, 45, 0)
	day := minuteBars("IWM", nyAt(d, 9, 30, 0), h1545, 101, 2000) // 375 × 2,000 = 750,000
	day = append(day, minuteBars("IWM", h1545, cl, 101, 50)...)   // 750 (IEX)
	prov := &Provenance{Prices: "IEX", Volume: "SIP to 15:45, IEX after", VolumePartial: true, VolumeConsolidatedTo: h1545}
	e.apply(Input{Now: cl.Add(time.Minute), Provenance: prov, IntradayUpdates: day})
	s := e.Snapshot(cl.Add(time.Minute))
	ss, f := mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge)
	if ss.RVOL20 != Some(0.75075) || !ss.RVOLPartial || f.State != FlagOff || !f.Partial {
		t.Errorf("at 16:01: RVOL20 %+v partial %v, flag %v partial %v; want 0.75075 partial, off partial", ss.RVOL20, ss.RVOLPartial, f.State, f.Partial)
	}
	late := minuteBars("IWM", h1545, cl, 101, 60_000) // 900,000 consolidated
	at := cl.Add(15 * time.Minute)
	e.apply(Input{Now: at, Provenance: &Provenance{Prices: "IEX", Volume: "SIP"}, IntradayUpdates: late})
	s = e.Snapshot(at)
	ss, f = mustSym(t, s, "IWM"), mustFlag(t, s, FlagSmallVolumeSurge)
	if ss.RVOL20 != Some(1.65) || ss.RVOLPace != ss.RVOL20 || ss.RVOLPartial {
		t.Errorf("at 16:15: RVOL20 %+v RVOLPace %+v partial %v; want 1.65 both, not partial", ss.RVOL20, ss.RVOLPace, ss.RVOLPartial)
	}
	wantFlag(t, "surge after the consolidated close", f, FlagConfirmed, d.Format("2006-01-02"))
	if f.Partial || f.CloseValue != Some(1.65) {
		t.Errorf("flag partial %v close value %+v, want false, 1.65", f.Partial, f.CloseValue)
	}
	if n := len(s.FlagChanges); n == 0 || s.FlagChanges[n-1].Flag != FlagSmallVolumeSurge || !s.FlagChanges[n-1].On || !s.FlagChanges[n-1].Date.Equal(d) {
		t.Errorf("flag changes %+v: want small_volume_surge on, dated %s", s.FlagChanges, d.Format("2006-01-02"))
	}
}

// TestUpdateIntradayMatchesAModel drives random updates (new minutes,
// corrections of some minutes of a range, two runs of one symbol back to
// back, now and then the whole day with minutes left out) and checks
// today's bars against an independent model — a map from minute to bar
// where each update replaces its minute and a whole day replaces the map —
// for 1- and 5-minute bars; the daily bar is widened by the bars; published
// closes are never changed; a corrected minute allocates nothing.
func TestUpdateIntradayMatchesAModel(t *testing.T) {
	for _, tf := range []Timeframe{Minute1, Minute5} {
		cfg := pairConfig()
		cfg.Intraday = tf
		e := newEngine(t, cfg)
		days := tradingDays(e.cal, nyDate(2025, 3, 3), 25)
		e.LoadHistory(map[string][]Bar{"IWM": flatBars("IWM", days, constSeries(25, 100), 1e6), "SPY": flatBars("SPY", days, constSeries(25, 400), 1e6)})
		d := e.cal.NextTradingDate(days[24])
		open := nyAt(d, 9, 30, 0)
		model := map[time.Time]Bar{}
		r := rand.New(rand.NewPCG(uint64(tf), 7))
		type pub struct{ got, want []float64 }
		var pubs []pub
		hi, lo, vol := 0.0, 1e9, 0.0
		end := 0 // minutes streamed so far
		for step := range 400 {
			if step%37 == 36 { // the whole day, some minutes left out
				var day []Bar
				clear(model)
				for m := range end {
					if r.IntN(5) > 0 {
						b := randBar(r, open.Add(time.Duration(m)*time.Minute))
						day = append(day, b)
						model[b.Time] = b
					}
				}
				e.LoadIntraday(map[string][]Bar{"IWM": day})
			} else {
				var in []Bar
				for range 1 + r.IntN(2) {
					var run []Bar
					switch k := r.IntN(10); {
					case k < 6 || end < 5: // the next minutes
						n := 1 + r.IntN(3)
						for m := end; m < end+n && m < 389; m++ {
							run = append(run, randBar(r, open.Add(time.Duration(m)*time.Minute)))
						}
						end = min(end+n, 389)
					default: // corrections of some minutes of a range
						a := r.IntN(end)
						for m := a; m < min(a+1+r.IntN(20), end); m++ {
							if r.IntN(4) > 0 {
								run = append(run, randBar(r, open.Add(time.Duration(m)*time.Minute)))
							}
						}
					}
					for _, b := range run {
						b.Symbol = "IWM"
						in = append(in, b)
					}
				}
				// The daily bar is widened after each run (a symbol's bars
				// in time order), as the feed's day stood then.
				for k, b := range in {
					if k > 0 && !b.Time.After(in[k-1].Time) {
						hi, lo, vol = widened(model, hi, lo, vol)
					}
					model[b.Time] = b
				}
				if r.IntN(3) == 0 { // another symbol's bar after
					b := randBar(r, open.Add(time.Duration(r.IntN(end+1))*time.Minute))
					b.Symbol = "SPY"
					e.UpdateIntraday(append(in, b))
				} else {
					e.UpdateIntraday(in)
				}
			}
			want := modelCloses(model, tf)
			hi, lo, vol = widened(model, hi, lo, vol)
			s := e.Snapshot(open.Add(time.Duration(end) * time.Minute))
			ss := mustSym(t, s, "IWM")
			if !slices.Equal(ss.Intraday, want) || ss.IntradayForming {
				t.Fatalf("%v step %d: closes %v, want %v", tf, step, ss.Intraday, want)
			}
			if b := e.bySym("IWM").forming; b.High != hi || b.Low != lo || b.Volume != vol || ss.DayVolume != vol {
				t.Fatalf("%v step %d: daily bar %+v, want high %v low %v volume %v", tf, step, b, hi, lo, vol)
			}
			pubs = append(pubs, pub{ss.Intraday, slices.Clone(ss.Intraday)})
		}
		for i, p := range pubs {
			if !slices.Equal(p.got, p.want) {
				t.Fatalf("%v: published closes of snapshot %d changed", tf, i)
			}
		}
		fix := []Bar{{Symbol: "IWM", Time: open.Add(100 * time.Minute), Open: 100, High: 101, Low: 99, Close: 100, Volume: 5}}
		if n := testing.AllocsPerRun(50, func() { e.UpdateIntraday(fix) }); n > 0 {
			t.Errorf("%v: a corrected minute allocates %v times", tf, n)
		}
	}
}

// widened is the daily bar's high, low and volume widened by the model's day.
func widened(model map[time.Time]Bar, hi, lo, vol float64) (float64, float64, float64) {
	sum := 0.0
	for _, b := range model {
		sum, hi, lo = sum+b.Volume, max(hi, b.High), min(lo, b.Low)
	}
	return hi, lo, max(vol, sum)
}

func randBar(r *rand.Rand, at time.Time) Bar {
	c := 100 + float64(r.IntN(400))/100
	return Bar{Time: at, Open: c, High: c + float64(r.IntN(50))/100, Low: c - float64(r.IntN(50))/100, Close: c, Volume: float64(r.IntN(5000))}
}

// modelCloses returns the model's closes by bar of tf, oldest first.
func modelCloses(model map[time.Time]Bar, tf Timeframe) []float64 {
	keys := make([]time.Time, 0, len(model))
	for k := range model {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].Before(keys[j]) })
	var out []float64
	var last time.Time
	for _, k := range keys {
		b := k.Truncate(tf.Duration())
		if len(out) > 0 && b.Equal(last) {
			out[len(out)-1] = model[k].Close
			continue
		}
		out, last = append(out, model[k].Close), b
	}
	return out
}

// TestSeedCountsTheWholeDayVolume: after a day of loaded minutes, a
// quote's cumulative day volume splits as it would have live: the new
// minute gets only what traded since (the builder once counted just the 32
// minutes it keeps for revisions and gave the new minute most of the day).
func TestSeedCountsTheWholeDayVolume(t *testing.T) {
	e := newEngine(t, pairConfig())
	d := tradingDays(e.cal, nyDate(2025, 3, 3), 1)[0]
	b, err := NewBarBuilder("IWM", Minute1, e.cal)
	if err != nil {
		t.Fatal(err)
	}
	day := minuteBars("IWM", nyAt(d, 9, 30, 0), nyAt(d, 11, 10, 0), 100, 1000) // 100 minutes: 100,000
	b.Seed(day, nil)
	ev := b.Add(Quote{Symbol: "IWM", Price: 100, DayVolume: 100_500, Time: nyAt(d, 11, 10, 20)}, nil)
	if len(ev) != 1 || ev[0].Bar.Volume != 500 {
		t.Fatalf("events %+v: want one forming minute of 500 shares", ev)
	}
	// A late print of the last loaded minute: that minute's volume is what
	// the day had traded by then minus what came before it.
	ev = b.Add(Quote{Symbol: "IWM", Price: 100.5, DayVolume: 100_000, Time: nyAt(d, 11, 9, 50)}, nil)
	if len(ev) != 1 || ev[0].Kind != BarRevised || ev[0].Bar.Volume != 1000 || ev[0].Bar.High != 100.5 {
		t.Fatalf("events %+v: want the 11:09 minute revised to high 100.5, volume 1000", ev)
	}
}
