package main

import (
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/markcheno/go-talib"
)

// The replay test data of feeds/replay: IWM (Yahoo format), SPY (Stooq
// format), XLK (shuffled lower-case columns, with null rows) and psct.csv.
const replayDir = "../../feeds/replay/testdata/replay"

// ohlcv is one CSV parsed independently of the project's parser.
type ohlcv struct {
	dates               []string
	open, high, low, cl []float64
	vol                 []float64
	skipped             int // rows up to asOf with a missing or non-positive price
	firstSkipped        int // the file line of the first one (0: none)
}

// readCSV parses a daily CSV with encoding/csv: any column order,
// case-insensitive headers, rows with a missing or non-positive price skipped,
// rows after asOf (YYYY-MM-DD, "" = all) dropped.
func readCSV(t *testing.T, name, asOf string) ohlcv {
	t.Helper()
	f, err := os.Open(filepath.Join(replayDir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	type row struct {
		d             string
		o, h, l, c, v float64
	}
	var rs []row
	var out ohlcv
	for i, r := range rows[1:] {
		num := func(k string) (float64, bool) {
			v, err := strconv.ParseFloat(r[col[k]], 64)
			return v, err == nil && !math.IsNaN(v)
		}
		o, ok1 := num("open")
		h, ok2 := num("high")
		l, ok3 := num("low")
		c, ok4 := num("close")
		d := r[col["date"]]
		if asOf != "" && d > asOf {
			continue
		}
		if !(ok1 && ok2 && ok3 && ok4) || o <= 0 || h <= 0 || l <= 0 || c <= 0 {
			if out.skipped++; out.firstSkipped == 0 {
				out.firstSkipped = i + 2 // the header is line 1; no blank lines
			}
			continue
		}
		v, _ := num("volume")
		rs = append(rs, row{d, o, h, l, c, v})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].d < rs[j].d })
	for _, r := range rs {
		out.dates = append(out.dates, r.d)
		out.open = append(out.open, r.o)
		out.high = append(out.high, r.h)
		out.low = append(out.low, r.l)
		out.cl = append(out.cl, r.c)
		out.vol = append(out.vol, r.v)
	}
	return out
}

func last(x []float64) float64 { return x[len(x)-1] }

func pctChange(a, b float64) float64 { return (a/b - 1) * 100 }

// checkNum compares a JSON value (number or null) with want (NaN = null).
func checkNum(t *testing.T, what string, got any, want float64) {
	t.Helper()
	if math.IsNaN(want) {
		if got != nil {
			t.Errorf("%s = %v, want null", what, got)
		}
		return
	}
	g, ok := got.(float64)
	if !ok {
		t.Errorf("%s = %v, want %v", what, got, want)
		return
	}
	if math.Abs(g-want) > 1e-9*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.15g, want %.15g", what, g, want)
	}
}

func snapshotJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	h := newHarness(t)
	code, out, errOut := h.run(append([]string{"snapshot", "--feed", "replay", "--data", replayDir, "--format", "json"}, args...)...)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return m
}

func bySymbol(t *testing.T, m map[string]any, sym string) map[string]any {
	t.Helper()
	for _, s := range m["symbols"].([]any) {
		if s := s.(map[string]any); s["symbol"] == sym {
			return s
		}
	}
	t.Fatalf("symbol %s missing", sym)
	return nil
}

func TestSnapshotReplayMatchesTalib(t *testing.T) {
	for _, tc := range []struct {
		asOf, wantAsOf, wantNext string
	}{
		{"", "2025-11-21T16:00:00-05:00", "2025-11-24T04:00:00-05:00"},
		{"2025-07-03", "2025-07-03T13:00:00-04:00", "2025-07-07T04:00:00-04:00"}, // early close before July 4th
		{"2025-06-29", "2025-06-27T16:00:00-04:00", "2025-06-30T04:00:00-04:00"}, // a Sunday: the Friday before
	} {
		t.Run("as-of "+tc.asOf, func(t *testing.T) {
			var args []string
			if tc.asOf != "" {
				args = []string{"--as-of", tc.asOf}
			}
			m := snapshotJSON(t, args...)
			if m["as_of"] != tc.wantAsOf || m["feed"] != "replay" {
				t.Errorf("as_of %v feed %v, want %s replay", m["as_of"], m["feed"], tc.wantAsOf)
			}
			sess := m["session"].(map[string]any)
			if sess["state"] != "closed" || sess["next_change"] != tc.wantNext {
				t.Errorf("session %v, want closed, next %s", sess, tc.wantNext)
			}
			iwm := readCSV(t, "IWM.csv", tc.asOf)
			spy := readCSV(t, "SPY.csv", tc.asOf)
			for _, leg := range []struct {
				sym string
				d   ohlcv
			}{{"IWM", iwm}, {"SPY", spy}, {"XLK", readCSV(t, "XLK.csv", tc.asOf)}, {"PSCT", readCSV(t, "psct.csv", tc.asOf)}} {
				checkSymbol(t, bySymbol(t, m, leg.sym), leg.d)
			}
			checkPair(t, m["pair"].(map[string]any), iwm, spy)
			checkFlags(t, m["flags"].([]any), iwm, spy)
			checkSector(t, m, readCSV(t, "XLK.csv", tc.asOf), readCSV(t, "psct.csv", tc.asOf))
			checkRisk(t, m["risk"], iwm, spy)
			checkErrors(t, m["errors"].([]any))
			if a, ok := m["analogs"].(map[string]any); !ok || a["history_from"] != iwm.dates[0] || len(a["horizons"].([]any)) != 4 {
				t.Errorf("analogs %v", m["analogs"])
			}
		})
	}
}

func checkSymbol(t *testing.T, s map[string]any, d ohlcv) {
	t.Helper()
	n := len(d.cl)
	sym := s["symbol"].(string) + "."
	at := func(x []float64) float64 { return x[n-1] }
	checkNum(t, sym+"last", s["last"], d.cl[n-1])
	checkNum(t, sym+"prev_close", s["prev_close"], d.cl[n-2])
	checkNum(t, sym+"change_pct", s["change_pct"], pctChange(d.cl[n-1], d.cl[n-2]))
	checkNum(t, sym+"sma20", s["sma20"], at(talib.Sma(d.cl, 20)))
	checkNum(t, sym+"sma50", s["sma50"], at(talib.Sma(d.cl, 50)))
	checkNum(t, sym+"sma200", s["sma200"], at(talib.Sma(d.cl, 200)))
	checkNum(t, sym+"ema20", s["ema20"], at(talib.Ema(d.cl, 20)))
	checkNum(t, sym+"rsi14", s["rsi14"], at(talib.Rsi(d.cl, 14)))
	checkNum(t, sym+"atr14", s["atr14"], at(talib.Atr(d.high, d.low, d.cl, 14)))
	up, mid, lo := talib.BBands(d.cl, 20, 2, 2, talib.SMA)
	checkNum(t, sym+"bb_upper", s["bb_upper"], at(up))
	checkNum(t, sym+"bb_middle", s["bb_middle"], at(mid))
	checkNum(t, sym+"bb_lower", s["bb_lower"], at(lo))
	checkNum(t, sym+"donchian_high_20", s["donchian_high_20"], at(talib.Max(d.high, 20)))
	checkNum(t, sym+"donchian_low_20", s["donchian_low_20"], at(talib.Min(d.low, 20)))
	mean := 0.0
	for _, v := range d.vol[n-21 : n-1] {
		mean += v
	}
	checkNum(t, sym+"rvol20", s["rvol20"], d.vol[n-1]/(mean/20))
	for _, k := range []int{1, 5, 21, 63} {
		key := "return_" + strconv.Itoa(k) + "d"
		checkNum(t, sym+key, s[key], pctChange(d.cl[n-1], d.cl[n-1-k]))
	}
	if s["stale"] != false {
		t.Errorf("%sstale = %v", sym, s["stale"])
	}
	if _, ok := s["data_time"].(string); !ok {
		t.Errorf("%sdata_time = %v", sym, s["data_time"])
	}
	// Skipped rows are counted (issue 14 item 7).
	checkNum(t, sym+"skipped_rows", s["skipped_rows"], float64(d.skipped))
	if d.firstSkipped == 0 {
		if s["first_skipped_line"] != nil {
			t.Errorf("%sfirst_skipped_line = %v, want null", sym, s["first_skipped_line"])
		}
	} else {
		checkNum(t, sym+"first_skipped_line", s["first_skipped_line"], float64(d.firstSkipped))
	}
}

// joined returns the ratio small/large on the dates both have.
func joined(small, large ohlcv) (dates []string, r []float64) {
	idx := map[string]int{}
	for i, d := range large.dates {
		idx[d] = i
	}
	for i, d := range small.dates {
		if j, ok := idx[d]; ok {
			dates = append(dates, d)
			r = append(r, small.cl[i]/large.cl[j])
		}
	}
	return dates, r
}

func checkPair(t *testing.T, p map[string]any, iwm, spy ohlcv) {
	t.Helper()
	_, r := joined(iwm, spy)
	n := len(r)
	if p["small"] != "IWM" || p["large"] != "SPY" {
		t.Errorf("pair %v/%v", p["small"], p["large"])
	}
	checkNum(t, "ratio", p["ratio"], r[n-1])
	checkNum(t, "ratio_change_pct", p["ratio_change_pct"], pctChange(r[n-1], r[n-2]))
	checkNum(t, "ratio_sma50", p["ratio_sma50"], last(talib.Sma(r, 50)))
	want200 := math.NaN()
	if n >= 200 {
		want200 = last(talib.Sma(r, 200))
	}
	checkNum(t, "ratio_sma200", p["ratio_sma200"], want200)
	checkNum(t, "ratio_high_20", p["ratio_high_20"], slices.Max(r[n-21:n-1]))
	checkNum(t, "ratio_rsi14", p["ratio_rsi14"], last(talib.Rsi(r, 14)))
	checkNum(t, "ratio_roc20", p["ratio_roc20"], last(talib.Roc(r, 20)))
}

// checkFlags checks the state and run start of the ratio flags against a
// direct evaluation of their conditions on every closed bar.
func checkFlags(t *testing.T, flags []any, iwm, spy ohlcv) {
	t.Helper()
	dates, r := joined(iwm, spy)
	n := len(r)
	sma50 := talib.Sma(r, 50)
	conds := map[string]func(i int) (held, defined bool){
		engine.FlagRatioAboveSMA50: func(i int) (bool, bool) { return r[i] > sma50[i], i >= 49 },
		engine.FlagRatioNewHigh20d: func(i int) (bool, bool) {
			if i < 20 {
				return false, false
			}
			return r[i] > slices.Max(r[i-20:i]), true
		},
	}
	seen := 0
	for _, f := range flags {
		f := f.(map[string]any)
		cond, ok := conds[f["id"].(string)]
		if !ok {
			continue
		}
		seen++
		held, _ := cond(n - 1)
		wantState, wantSince := "off", any(nil)
		if held {
			i := n - 1
			for i > 0 {
				h, def := cond(i - 1)
				if !h || !def {
					break
				}
				i--
			}
			wantState, wantSince = "confirmed", dates[i]
		}
		if f["state"] != wantState || f["since"] != wantSince {
			t.Errorf("flag %s: state %v since %v, want %v %v", f["id"], f["state"], f["since"], wantState, wantSince)
		}
	}
	// This replay directory has no members list: the two breadth flags,
	// which need a universe, are not listed.
	if seen != len(conds) || len(flags) != len(engine.FlagIDs)-2 {
		t.Errorf("flags: %d listed, %d checked", len(flags), seen)
	}
}

func checkSector(t *testing.T, m map[string]any, xlk, psct ohlcv) {
	t.Helper()
	for _, s := range m["sectors"].([]any) {
		s := s.(map[string]any)
		if s["sector"] != "Technology" {
			continue
		}
		if s["large"] != "XLK" || s["small"] != "PSCT" {
			t.Errorf("technology legs %v %v", s["large"], s["small"])
		}
		for _, h := range []struct {
			key  string
			bars int
		}{{"1d", 1}, {"1w", 5}, {"1m", 21}, {"3m", 63}} {
			lr := pctChange(last(xlk.cl), xlk.cl[len(xlk.cl)-1-h.bars])
			sr := pctChange(last(psct.cl), psct.cl[len(psct.cl)-1-h.bars])
			checkNum(t, "XLK "+h.key, s["large_return_pct"].(map[string]any)[h.key], lr)
			checkNum(t, "PSCT "+h.key, s["small_return_pct"].(map[string]any)[h.key], sr)
			checkNum(t, "spread "+h.key, s["spread_pct"].(map[string]any)[h.key], sr-lr)
		}
		return
	}
	t.Error("no Technology sector")
}

func checkRisk(t *testing.T, risk any, iwm, spy ohlcv) {
	t.Helper()
	r, ok := risk.(map[string]any)
	if !ok {
		t.Fatalf("risk = %v", risk)
	}
	logRet := func(c []float64) []float64 {
		out := make([]float64, len(c)-1)
		for i := 1; i < len(c); i++ {
			out[i-1] = math.Log(c[i] / c[i-1])
		}
		return out
	}
	sv := last(talib.StdDev(logRet(iwm.cl), 63, 1)) * math.Sqrt(252) * 100
	lv := last(talib.StdDev(logRet(spy.cl), 63, 1)) * math.Sqrt(252) * 100
	checkNum(t, "small_vol63_pct", r["small_vol63_pct"], sv)
	checkNum(t, "large_vol63_pct", r["large_vol63_pct"], lv)
	checkNum(t, "vol_ratio", r["vol_ratio"], sv/lv)
	checkNum(t, "beta63", r["beta63"], last(talib.Beta(spy.cl, iwm.cl, 63)))
	dd := func(c []float64) float64 {
		if len(c) < 252 {
			return math.NaN()
		}
		return (last(c)/last(talib.Max(c, 252)) - 1) * 100
	}
	checkNum(t, "small_drawdown_pct", r["small_drawdown_pct"], dd(iwm.cl))
	checkNum(t, "large_drawdown_pct", r["large_drawdown_pct"], dd(spy.cl))
	dv := func(d ohlcv) float64 {
		s := 0.0
		for i := len(d.cl) - 20; i < len(d.cl); i++ {
			s += d.cl[i] * d.vol[i]
		}
		return s / 20
	}
	checkNum(t, "small_dollar_volume20", r["small_dollar_volume20"], dv(iwm))
	checkNum(t, "large_dollar_volume20", r["large_dollar_volume20"], dv(spy))
}

// checkErrors: every default symbol without a CSV file is reported, and only those.
func checkErrors(t *testing.T, errs []any) {
	t.Helper()
	var got []string
	for _, e := range errs {
		e := e.(map[string]any)
		if e["message"] == "" {
			t.Errorf("empty message for %v", e["symbol"])
		}
		got = append(got, e["symbol"].(string))
	}
	var want []string
	for _, s := range engine.DefaultConfig().Symbols() {
		if !slices.Contains([]string{"IWM", "SPY", "XLK", "PSCT"}, s) {
			want = append(want, s)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("errors for %v, want %v", got, want)
	}
}

func TestSnapshotTextAndAnalogs(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("snapshot", "--feed", "replay", "--data", replayDir, "--format", "text")
	// XLK.csv has null rows on lines 102 and 252 (feeds/replay/gen_test.go).
	if code != exitOK || !strings.Contains(out, "IWM/SPY ratio 0.3636") || !strings.Contains(out, "Errors") ||
		!strings.Contains(out, "\nNotices\n  XLK: 2 rows skipped from "+filepath.Join(replayDir, "XLK.csv")+", first line 102: missing open\n") {
		t.Fatalf("text: exit %d %s\n%s", code, errOut, out)
	}
	code, out, errOut = h.run("analogs", "--feed", "replay", "--data", replayDir, "--format", "csv")
	if code != exitOK || !strings.HasPrefix(out, "date,rel_1m,rel_3m,rel_6m,rel_12m,large_1m,large_3m,large_6m,large_12m\n") {
		t.Fatalf("analogs csv: exit %d %s\n%s", code, errOut, out)
	}
	code, _, errOut = h.run("snapshot", "--feed", "replay", "--data", t.TempDir())
	if code != exitFailure || !strings.HasPrefix(errOut, "capwatch: replay: no symbol has data (DIA: replay: no file") {
		t.Fatalf("empty dir: exit %d %q", code, errOut)
	}
	code, _, errOut = h.run("snapshot", "--feed", "replay", "--data", filepath.Join(t.TempDir(), "nope"))
	if code != exitUsage || !strings.Contains(errOut, "check --data") {
		t.Fatalf("missing dir: exit %d %q", code, errOut)
	}
}

// TestStatusFromCache: the second call inside the TTL is served from the
// cache (it succeeds although the data is broken: the broken IWM.csv keeps
// the good one's size and time, which the cache key holds — a file that
// changes them is read again, TestStatusReplayLineFollowsTheFiles); after
// the TTL it is not.
func TestStatusFromCache(t *testing.T) {
	h := newHarness(t)
	data := t.TempDir()
	for _, f := range []string{"IWM.csv", "SPY.csv"} {
		b, err := os.ReadFile(filepath.Join(replayDir, f))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(data, f), string(b), 0o600)
	}
	args := []string{"status", "--feed", "replay", "--data", data}
	code, first, errOut := h.run(args...)
	// 4 of the 8 flags judged confirmed (no members: no breadth flags;
	// sector_breadth is not judged without the sector pairs' files).
	want := "REPLAY IWM/SPY 0.3636 ▼0.6% 4/8 ↑50d S>200d S×gold lead21d · 2025-11-21 · 1 no data · 21 err\n"
	if code != exitOK || first != want {
		t.Fatalf("first: exit %d %q %s, want prefix %q", code, first, errOut, want)
	}
	iwm := filepath.Join(data, "IWM.csv")
	st, err := os.Stat(iwm)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, iwm, strings.Repeat("\x00", int(st.Size())), 0o600)
	if err := os.Chtimes(iwm, st.ModTime(), st.ModTime()); err != nil {
		t.Fatal(err)
	}
	h.e.Clock.(interface{ Advance(time.Duration) }).Advance(30 * time.Second)
	code, second, _ := h.run(args...)
	if code != exitOK || second != first {
		t.Fatalf("cached: exit %d %q, want %q", code, second, first)
	}
	code, tm, _ := h.run(append(args, "--tmux")...)
	if code != exitOK || !strings.HasPrefix(tm, "#[fg=magenta]REPLAY#[default] IWM/SPY 0.3636 #[fg=red]▼0.6%#[default]") {
		t.Fatalf("tmux: %q", tm)
	}
	h.e.Clock.(interface{ Advance(time.Duration) }).Advance(31 * time.Second)
	_, third, _ := h.run(args...)
	if third == first {
		t.Fatal("served from the cache after the TTL")
	}
	// The feed fails after the TTL: the last known line, marked.
	if err := os.RemoveAll(data); err != nil {
		t.Fatal(err)
	}
	h.e.Clock.(interface{ Advance(time.Duration) }).Advance(61 * time.Second)
	code, fourth, _ := h.run(args...)
	if code == exitOK || fourth != strings.TrimSuffix(third, "\n")+" · replay down\n" {
		t.Fatalf("feed down: exit %d %q", code, fourth)
	}
}

func BenchmarkStatusCLICached(b *testing.B) {
	h := newHarness(b)
	args := []string{"status", "--feed", "replay", "--data", replayDir, "--log-level", "error"}
	if code, _, errOut := h.run(args...); code != exitOK {
		b.Fatal(errOut)
	}
	b.ReportAllocs()
	for b.Loop() {
		if code, _, _ := h.run(args...); code != exitOK {
			b.Fatal("status failed")
		}
	}
}
