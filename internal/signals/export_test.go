package signals

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// TestCompared (QA-1 item 5): a value and its threshold are printed with
// the same decimals, as many as it takes for different numbers to print
// differently, and the sign between them is the numbers' own order, so
// `confirmed → fading` can never read "0.3837 0.383675". Property on
// random pairs (many a few ulps apart): both strings have the same
// decimals, parse back in the same order as the numbers, differ exactly
// when the numbers do; plus hand-made cases from the QA report.
func TestCompared(t *testing.T) {
	for _, c := range []struct {
		v, thr        float64
		value, sign   string
		threshold     string
		decimalsEqual bool
	}{
		{0.383669, 0.383675, "0.383669", "<", "0.383675", true},
		{0.3849, 0.384914, "0.38490", "<", "0.38491", true},
		{0.3851, 0.3837, "0.3851", ">", "0.3837", true},
		{64, 60, "64", ">", "60", true},
		{55.33, 60, "55.33", "<", "60.00", true},
		{1.5, 1.5, "1.5", "=", "1.5", true},
		{0.7333, 0.615, "0.7333", ">", "0.6150", true},
	} {
		v, sign, thr := Compared(c.v, c.thr)
		if v != c.value || sign != c.sign || thr != c.threshold {
			t.Errorf("Compared(%v, %v) = %q %q %q, want %q %q %q", c.v, c.thr, v, sign, thr, c.value, c.sign, c.threshold)
		}
	}
	decimals := func(s string) int {
		if i := strings.IndexByte(s, '.'); i >= 0 {
			return len(s) - i - 1
		}
		return 0
	}
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		scale := math.Pow(10, float64(r.IntN(8)-4))
		v := (r.Float64()*2 - 0.5) * scale
		thr := v
		switch i % 4 {
		case 0:
			thr = (r.Float64()*2 - 0.5) * scale
		case 1: // a few ulps apart
			for k := r.IntN(5) + 1; k > 0; k-- {
				thr = math.Nextafter(thr, math.Inf(1))
			}
		case 2: // within a millionth
			thr = v * (1 + (r.Float64()-0.5)*1e-6)
		}
		vs, sign, ts := Compared(v, thr)
		pv, err1 := strconv.ParseFloat(vs, 64)
		pt, err2 := strconv.ParseFloat(ts, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("Compared(%v, %v) = %q %q: not numbers", v, thr, vs, ts)
		}
		want := map[bool]string{true: ">", false: "<"}[v > thr]
		if v == thr {
			want = "="
		}
		switch {
		case sign != want:
			t.Fatalf("Compared(%v, %v): sign %q, want %q", v, thr, sign, want)
		case (vs == ts) != (v == thr):
			t.Fatalf("Compared(%v, %v) = %q %q: equal strings for different numbers, or the reverse", v, thr, vs, ts)
		case v > thr && !(pv > pt) || v < thr && !(pv < pt):
			t.Fatalf("Compared(%v, %v) = %q %s %q: the printed numbers contradict the sign", v, thr, vs, sign, ts)
		case decimals(vs) != decimals(ts) && !strings.ContainsAny(vs+ts, "e"):
			t.Fatalf("Compared(%v, %v) = %q %q: different decimals", v, thr, vs, ts)
		}
	}
}

// TestFilterOnTheBarsDate (QA-1 item 16): --since selects by the date of
// the bar a change happened on (bar_time in New York), not by when it was
// written: a replay writes months of bars within minutes. SeenSince
// selects by when it was seen.
func TestFilterOnTheBarsDate(t *testing.T) {
	ny := calendar.Location()
	seen := time.Date(2027, 1, 10, 20, 0, 0, 0, time.UTC) // the replay ran today
	recs := []Record{
		{Flag: "a", BarTime: time.Date(2026, 6, 1, 16, 0, 0, 0, ny), Seen: seen},
		{Flag: "b", BarTime: time.Date(2026, 8, 31, 16, 0, 0, 0, ny), Seen: seen.Add(time.Minute)},
		// 21:00 New York on Aug 31 is Sep 1 in UTC: still the 31st's bar.
		{Flag: "c", BarTime: time.Date(2026, 9, 1, 1, 0, 0, 0, time.UTC), Seen: seen.Add(2 * time.Minute)},
		{Flag: "d", BarTime: time.Date(2026, 9, 1, 9, 30, 0, 0, ny), Seen: seen.Add(3 * time.Minute)},
		{Flag: "e", BarTime: time.Date(2026, 11, 27, 13, 0, 0, 0, ny), Seen: seen.Add(24 * time.Hour)},
	}
	flags := func(rs []Record) string {
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(r.Flag)
		}
		return b.String()
	}
	for _, c := range []struct {
		q    Query
		want string
	}{
		{Query{}, "abcde"},
		{Query{Since: "2026-09-01"}, "de"},
		{Query{Since: "2026-08-31"}, "bcde"},
		{Query{Since: "2026-11-28"}, ""},
		{Query{SeenSince: seen.Add(time.Hour)}, "e"},
		{Query{SeenSince: seen.Add(-time.Hour), Since: "2026-09-01"}, "de"},
		{Query{Flag: "d", Since: "2026-06-01"}, "d"},
	} {
		if got := flags(Filter(recs, c.q)); got != c.want {
			t.Errorf("%+v: %q, want %q", c.q, got, c.want)
		}
	}
}

// TestTableShowsTheComparison (QA-1 item 5): the table's value and
// threshold agree with the change they sit beside.
func TestTableShowsTheComparison(t *testing.T) {
	v1, v2 := 0.383669, 0.383680
	recs := []Record{
		{Flag: "ratio_above_sma200", From: "confirmed", To: "fading", Value: &v1, Threshold: 0.383675, BarTime: t0, Seen: t0},
		{Flag: "ratio_above_sma200", From: "fading", To: "confirmed", Value: &v2, Threshold: 0.383675, BarTime: t0, Seen: t0, Closed: true},
	}
	var buf bytes.Buffer
	if err := Write(&buf, recs, "table"); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.Contains(strings.Join(strings.Fields(lines[0]), " "), "VALUE VS THRESHOLD") {
		t.Fatalf("table:\n%s", buf.String())
	}
	// 0.383675 is 0.38367499… in binary: five decimals tell it from 0.38368.
	for i, want := range []string{"0.383669 < 0.383675", "0.38368 > 0.38367"} {
		if !strings.Contains(strings.Join(strings.Fields(lines[i+1]), " "), want) {
			t.Errorf("row %d %q lacks %q", i+1, lines[i+1], want)
		}
	}
	if m := Message(recs[0]); !strings.Contains(m, "(0.383669 < 0.383675)") {
		t.Errorf("alert message %q", m)
	}
}
