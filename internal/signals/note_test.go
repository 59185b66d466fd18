package signals

import (
	"bytes"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestDownDayNoteReachesTheLog (QA-2 M6): small_volume_surge forms on heavy
// volume, then the small leg turns down with the volume still above the
// threshold: the log line "forming → off 1.8 > 1.5" must say why (the
// note "down day"), in the record, the table and the CSV. Real engine, so
// the value and the note are the engine's.
func TestDownDayNoteReachesTheLog(t *testing.T) {
	cal := calendar.NYSE()
	cfg := engine.DefaultConfig()
	cfg.Extras, cfg.Sectors = nil, nil
	e, err := engine.New(cfg, cal)
	if err != nil {
		t.Fatal(err)
	}
	days := []time.Time{day(0)}
	for len(days) < 26 {
		days = append(days, cal.NextTradingDate(days[len(days)-1]))
	}
	bars := func(sym string, px func(i int) float64) []engine.Bar {
		var out []engine.Bar
		for i, d := range days[:25] {
			c := px(i)
			out = append(out, engine.Bar{Symbol: sym, Time: d, Open: c, High: c, Low: c, Close: c, Volume: 1e6})
		}
		return out
	}
	e.LoadHistory(map[string][]engine.Bar{
		"IWM": bars("IWM", func(i int) float64 { return 100 + float64(i) }),
		"SPY": bars("SPY", func(int) float64 { return 400 }),
	})
	tr := NewTrackerWith(openLog(t, filepath.Join(t.TempDir(), "s.jsonl"), 0), TrackerOptions{Feed: "demo", Simulated: true})
	d, prev := days[25], 124.0
	var recs []Record
	for _, q := range []struct {
		hh, mm int
		px     float64
	}{{9, 29, prev}, {14, 0, prev + 1}, {15, 0, prev - 0.01}} {
		at := time.Date(d.Year(), d.Month(), d.Day(), q.hh, q.mm, 0, 0, calendar.Location())
		e.ApplyQuotes([]engine.Quote{{Symbol: "IWM", Price: q.px, DayVolume: 5e6, Time: at}, {Symbol: "SPY", Price: 400, DayVolume: 1e6, Time: at}})
		recs = append(recs, observe(t, tr, e.Snapshot(at))...)
	}
	var off *Record
	for i, r := range recs {
		if r.Flag == engine.FlagSmallVolumeSurge && r.From == "forming" && r.To == "off" {
			off = &recs[i]
		}
	}
	if off == nil || off.Value == nil || !(*off.Value > off.Threshold) {
		t.Fatalf("no forming → off above the threshold in %+v", recs)
	}
	if off.Note != "down day" {
		t.Errorf("forming → off %v > %v: note %q, want \"down day\"", *off.Value, off.Threshold, off.Note)
	}
	var tb, cb bytes.Buffer
	if err := Write(&tb, []Record{*off}, "table"); err != nil {
		t.Fatal(err)
	}
	if row := strings.Split(strings.TrimSpace(tb.String()), "\n")[1]; !strings.Contains(row, "down day") {
		t.Errorf("table row %q lacks the note", row)
	}
	if err := Write(&cb, []Record{*off}, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&cb).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][len(rows[0])-1] != "note" || rows[1][len(rows[1])-1] != "down day" {
		t.Errorf("csv %q (%v), want a last column note = down day", rows, err)
	}
}
