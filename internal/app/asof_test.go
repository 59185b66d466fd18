package app

import (
	"errors"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/fake"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestBuildSnapshotAsOfOutsideTheData: with any feed, an AsOf before all
// the data is an *AsOfError naming the data's first and last dates; after
// the last trading date AfterData says so, a weekend after it does not
// (issue 14 item 16).
func TestBuildSnapshotAsOfOutsideTheData(t *testing.T) {
	iwm := genBars("IWM", 260, 200, 10, 0.05)
	spy := genBars("SPY", 250, 500, 5, 0.1)[10:] // starts later
	f := fake.New(fake.Options{History: feeds.History{Daily: map[string][]engine.Bar{"IWM": iwm, "SPY": spy}}})
	cal := calendar.NYSE()
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	before := cal.PrevTradingDate(iwm[0].Time)
	_, err := BuildSnapshot(t.Context(), BuildOptions{Feed: f, Config: pairConfig(), Calendar: cal, AsOf: before.Add(13 * time.Hour)})
	ae, ok := errors.AsType[*AsOfError](err)
	if !ok || day(ae.First) != day(iwm[0].Time) || day(ae.Last) != day(iwm[259].Time) ||
		err.Error() != "--as-of "+day(before)+" is before the data, which runs from "+day(iwm[0].Time)+" to "+day(iwm[259].Time) {
		t.Fatalf("err = %v", err)
	}
	// The first date itself is in the data.
	if _, err := BuildSnapshot(t.Context(), BuildOptions{Feed: f, Config: pairConfig(), Calendar: cal, AsOf: iwm[0].Time}); err != nil {
		t.Fatalf("as of the first date: %v", err)
	}
	last := iwm[259].Time
	next := cal.NextTradingDate(last)
	s, err := BuildSnapshot(t.Context(), BuildOptions{Feed: f, Config: pairConfig(), Calendar: cal, AsOf: next.AddDate(0, 0, 3)})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := AfterData(next.AddDate(0, 0, 3), s.AsOf, cal), "--as-of "+day(next.AddDate(0, 0, 3))+" is after the data's last date "+day(last); got != want {
		t.Errorf("AfterData = %q, want %q", got, want)
	}
	if got := AfterData(next.AddDate(0, 0, -1), s.AsOf, cal); next.AddDate(0, 0, -1).After(last) && got != "" {
		t.Errorf("a closed day right after the data: %q", got)
	}
	if got := AfterData(last, s.AsOf, cal); got != "" {
		t.Errorf("the last date itself: %q", got)
	}
}
