package doctor

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/config"
)

// TestDiffNamesChangedSettingsNotSecrets: every changed leaf is named by
// its TOML key with its value, a secret only as set.
func TestDiffNamesChangedSettingsNotSecrets(t *testing.T) {
	c := config.Default()
	c.Feed = "auto"
	c.Pair.Small = "QQQ"
	c.Poll.Open = 30 * time.Second
	c.Watchlist.Symbols = []string{"DIA"}
	c.Feeds.Stooq.APIKey = "hunter2"
	got := diff("", reflect.ValueOf(c), reflect.ValueOf(config.Default()))
	want := []Setting{{Key: "feed", Value: "auto"}, {Key: "pair.small", Value: "QQQ"}, {Key: "watchlist.symbols", Value: "[DIA]"},
		{Key: "poll.open", Value: "30s"}, {Key: "feeds.stooq.api_key", Secret: true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("diff\n got %+v\nwant %+v", got, want)
	}
	if d := diff("", reflect.ValueOf(config.Default()), reflect.ValueOf(config.Default())); len(d) != 0 {
		t.Fatalf("defaults differ from themselves: %+v", d)
	}
}

// TestClockLevels: the offset is local minus server at the middle of the
// request; 5 s is a warning, 2 minutes a failure.
func TestClockLevels(t *testing.T) {
	sent := time.Date(2026, 1, 5, 15, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		server time.Time
		lat    time.Duration
		level  Level
		off    float64
		word   string
	}{
		{sent.Add(time.Second), 2 * time.Second, OK, 0, "ahead of"},
		{sent.Add(-10 * time.Second), 0, Warn, 10, "ahead of"},
		{sent.Add(3 * time.Minute), 0, Fail, -180, "behind"},
	} {
		c := checkClock([]FeedCheck{{Name: "x"}, {Name: "yahoo", date: tc.server, sent: sent, lat: tc.lat}})
		if c.Status != tc.level || c.Offset == nil || *c.Offset != tc.off || c.Against != "yahoo" || !strings.Contains(c.Detail, tc.word) {
			t.Errorf("server %v: %+v offset %v", tc.server, c.Verdict, c.Offset)
		}
	}
	if c := checkClock(nil); c.Status != Info || c.Offset != nil {
		t.Errorf("no reply: %+v", c)
	}
}

// TestRunIsBoundedByItsBudget: a probe that ignores its context does not
// hold the run up past the budget; it is reported as not answering.
func TestRunIsBoundedByItsBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		stuck := func(context.Context) (httpx.Reply, error) { <-release; return httpx.Reply{}, nil }
		start := time.Now()
		r := Run(context.Background(), Options{Config: config.Loaded{Config: config.Default()}, Budget: 3 * time.Second,
			Feeds: []FeedProbe{{Name: "yahoo", Probe: stuck}}, Uses: []string{"yahoo"}})
		if took := time.Since(start); took != 3*time.Second {
			t.Fatalf("took %v, want the 3s budget", took)
		}
		if f := r.Feeds[0]; f.Status != Fail || f.Problem != "timeout" || r.FeedWorks {
			t.Fatalf("stuck probe: %+v works %v", f, r.FeedWorks)
		}
	})
}
