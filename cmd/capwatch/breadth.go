package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/feeds/alpaca"
	"github.com/capwatch/capwatch/feeds/daycache"
	"github.com/capwatch/capwatch/feeds/demo"
	"github.com/capwatch/capwatch/feeds/fred"
	"github.com/capwatch/capwatch/feeds/histcache"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/feeds/members"
	"github.com/capwatch/capwatch/feeds/yahoo"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/config"
)

// breadthSetup is a run's breadth universe and confirmation strip, and what
// the pipeline loads for them.
type breadthSetup struct {
	universe *breadth.Universe // nil: breadth off
	strip    *breadth.Strip    // nil: no confirmation items
	load     *app.Breadth      // nil: nothing to load
}

// install hands the universe and the strip to the engine.
func (b breadthSetup) install(eng *engine.Engine) {
	if b.universe != nil {
		eng.SetBreadth(b.universe)
	}
	if b.strip != nil {
		eng.SetConfirm(b.strip)
	}
}

// shows reports whether the dashboard has a breadth panel to show.
func (b breadthSetup) shows() bool { return b.universe != nil || b.strip != nil }

// memberYahooRate is Yahoo's request budget for the members' histories
// (per second): gentle, on top of the pair's own polling.
const memberYahooRate = 1.0

// memberHistoryRange is how much history a member's first Yahoo fetch asks
// for (the cache extends it after that).
const memberHistoryRange = "5y"

// newBreadth builds the breadth universe and the confirmation strip for the
// configured feed: the demo's synthetic members, replay's DIR/members.csv
// (or --members), a live feed's iShares holdings (or a members file) with
// the members' history from Yahoo through the history cache.
func newBreadth(c *command, feed feeds.Feed) (breadthSetup, error) {
	cfg := c.cfg
	var out breadthSetup
	ld := &app.Breadth{}
	if len(cfg.Confirm) > 0 {
		s, err := breadth.NewStrip(cfg.Confirm)
		if err != nil {
			return out, usagef("confirm: %v", err)
		}
		out.strip = s
		ld.Series = seriesLoader(c, feed, s.Series())
	}
	universe := cfg.Breadth.Universe
	path := c.f.members
	switch {
	case path != "":
		universe = path
	case universe == config.BreadthOff:
		universe = ""
	case cfg.Feed == config.FeedReplay:
		universe = ""
		p := filepath.Join(cfg.Feeds.Replay.Data, "members.csv")
		if _, err := os.Stat(p); err == nil {
			universe, path = p, p
		}
	case cfg.Feed == config.FeedDemo:
		universe = "demo"
	case !members.IsFund(universe):
		path = universe
	}
	if universe != "" {
		u, err := breadth.New(breadth.Config{Universe: universe, AboveSMA50: cfg.Breadth.AboveSMA50, MaxBars: cfg.Breadth.MaxBars})
		if err != nil {
			return out, usagef("breadth: %v", err)
		}
		out.universe = u
		if err := memberSource(c, feed, ld, universe, path); err != nil {
			return out, err
		}
		u.SetMembers(universe, ld.Members)
	}
	if out.universe != nil || ld.Series != nil {
		out.load = ld
	}
	return out, nil
}

// memberSource fills ld's members list and history loader.
func memberSource(c *command, feed feeds.Feed, ld *app.Breadth, universe, path string) error {
	if path != "" {
		l, err := members.ReadFile(path)
		if err != nil {
			return usagef("%v", err) // it says "members: …" itself
		}
		for _, s := range l.Skipped {
			c.log.Warn("members: skipped", "file", path, "line", s.Line, "ticker", httpx.Sanitize(s.Ticker), "reason", s.Reason)
		}
		ld.Members = l.Symbols
	}
	switch f := feed.(type) {
	case *demo.Feed:
		if path == "" {
			ld.Members = demo.Members()
		}
		ld.Load, ld.Stream, ld.Batch = f.History, true, localMemberBatch
		ld.Note = "synthetic members (DEMO)"
		return nil
	}
	if c.cfg.Feed == config.FeedReplay {
		ld.Load, ld.Stream, ld.Batch = feed.History, true, localMemberBatch
		return nil
	}
	// A live feed: the members' history from Alpaca (multi-symbol bars)
	// when its keys are set, else from Yahoo at a gentle budget, cached
	// and asked at most once a session; only Alpaca's own stream carries
	// the members' minute bars (feed "auto" may fail over to Yahoo, which
	// cannot poll 2,000 symbols): otherwise breadth is end of day.
	ld.Note = "end of day (members' daily closes)"
	ld.Refresh = func(now time.Time) time.Duration { return app.NextEvening(calendar.NYSE(), now) }
	if path == "" {
		src, err := c.membersSource()
		if err != nil {
			return err
		}
		ld.List = func(ctx context.Context) (string, []string, error) {
			l, f, err := src.Load(ctx, universe)
			if err != nil {
				return "", nil, errors.New(httpx.MessageOf(err))
			}
			if f.Stale && !errors.Is(f.Err, daycache.ErrNotCached) {
				c.log.Warn("members: holdings list may be stale", "universe", universe, "fetched", f.Fetched, "err", f.Err)
			}
			return universe, l.Symbols, nil
		}
	}
	src, feedName, err := c.memberHistoryFeed()
	if err != nil {
		return err
	}
	var hist feeds.Feed = src
	var complete func([]string) map[string][]engine.Bar
	if c.e.CacheDir != "" {
		hc, err := histcache.New(src, histcache.Options{
			Dir: filepath.Join(c.e.CacheDir, "capwatch"), Clock: c.e.Clock, Calendar: calendar.NYSE(), Logger: c.log,
			OncePerSession: true, FailureTTL: memberFailureTTL,
		})
		if err != nil {
			return fmt.Errorf("members: history cache: %w", err)
		}
		hist, complete = hc, hc.Complete
	}
	ld.Batch = 10 // one Yahoo request per member: a batch is ~10 s at 1/s
	if feedName == config.FeedAlpaca {
		ld.Batch = 200 // one multi-symbol request (paginated) per batch
		if c.cfg.Feed == config.FeedAlpaca {
			ld.Stream, ld.Note = true, "live from Alpaca's minute bars"
		}
	}
	ld.Load = func(ctx context.Context, ms []string) (feeds.History, error) {
		back := make(map[string]string, len(ms))
		ask := make([]string, len(ms))
		for i, s := range ms {
			ask[i] = members.ForFeed(s, feedName)
			back[ask[i]] = s
		}
		h, err := hist.History(ctx, ask)
		out := feeds.History{Daily: make(map[string][]engine.Bar, len(h.Daily))}
		for s, bars := range h.Daily {
			out.Daily[back[s]] = bars
		}
		for _, e := range h.Errors {
			e.Symbol = back[e.Symbol]
			out.Errors = append(out.Errors, e)
		}
		return out, err
	}
	if complete != nil {
		ld.Cached = func(ms []string) map[string][]engine.Bar {
			ask := make([]string, len(ms))
			for i, s := range ms {
				ask[i] = members.ForFeed(s, feedName)
			}
			got := complete(ask)
			out := make(map[string][]engine.Bar, len(got))
			for i, s := range ms {
				if b, ok := got[ask[i]]; ok {
					out[s] = b
				}
			}
			return out
		}
	}
	return nil
}

// localMemberBatch is how many members' histories one load of a local
// feed (demo, replay) asks for. Such a load is faster than the engine
// takes the members in; the pipeline loads a batch only once the engine
// has applied the one before the last (internal/app's loadMembers), so at
// most two batches of bars are alive: 1.2 MB of the demo's three-year
// members (756 × 80 bytes each) — BENCHMARKS.md "Memory".
const localMemberBatch = 10

// memberFailureTTL is how long a member whose history failed is not asked
// again (doubling with each failure in a row, up to a day): a delisted or
// renamed ticker costs one request a day, not one per start.
const memberFailureTTL = 6 * time.Hour

// memberHistoryFeed is where the members' daily history comes from: Alpaca
// (its multi-symbol bars, at a gentle rate beside the pair's requests) when
// its keys are set and the feed is alpaca or auto, else Yahoo at
// memberYahooRate.
func (c *command) memberHistoryFeed() (feeds.Feed, string, error) {
	a := c.cfg.Feeds.Alpaca
	if (c.cfg.Feed == config.FeedAlpaca || c.cfg.Feed == config.FeedAuto) && a.KeyID != "" && a.SecretKey != "" {
		f, err := alpaca.New(alpaca.Options{
			FeedOptions: httpx.FeedOptions{BaseURL: a.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
				RatePerSec: memberAlpacaRate, Burst: 1},
			KeyID: a.KeyID.Reveal(), SecretKey: a.SecretKey.Reveal(), StreamURL: a.StreamURL, Feed: a.Feed, Logger: c.log,
		})
		if err != nil {
			return nil, "", usagef("members: %v", err)
		}
		return f, config.FeedAlpaca, nil
	}
	yf, err := yahoo.New(yahoo.Options{FeedOptions: httpx.FeedOptions{
		BaseURL: c.cfg.Feeds.Yahoo.BaseURL, Client: c.e.HTTP, Clock: c.e.Clock, Calendar: calendar.NYSE(),
		RatePerSec: memberYahooRate, Burst: 1,
	}, HistoryRange: memberHistoryRange})
	if err != nil {
		return nil, "", usagef("members: %v", err)
	}
	return yf, config.FeedYahoo, nil
}

// memberAlpacaRate is Alpaca's request budget for the members' histories
// (per second), beside the pair's own (the free plan allows 200 a minute).
const memberAlpacaRate = 1.0

// membersSource is the iShares holdings download, cached for the day.
func (c *command) membersSource() (*members.Source, error) {
	dc, err := c.dayCache("iShares")
	if err != nil {
		return nil, err
	}
	return &members.Source{Cache: dc}, nil
}

// dayCache is a daily download cache under the user cache directory (a
// temporary directory when there is none: then every run fetches again).
// `capwatch status` only reads it (the iShares list and FRED's series as
// the dashboard or snapshot last fetched them): a tmux line asks the
// network for the pair only.
func (c *command) dayCache(source string) (*daycache.Cache, error) {
	cl, err := httpx.NewClient(httpx.ClientOptions{Source: source, HTTP: c.e.HTTP, Clock: c.e.Clock, Accept: "text/csv,*/*"})
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(os.TempDir(), "capwatch-daily")
	if c.e.CacheDir != "" {
		dir = filepath.Join(c.e.CacheDir, "capwatch", "daily")
	}
	return daycache.New(daycache.Options{Dir: dir, Client: cl, Clock: c.e.Clock, Logger: c.log, CacheOnly: c.name == "status"})
}

// seriesLoader loads the confirmation strip's series: the demo's synthetic
// ones, replay's DIR/<ID>.csv (FRED's format) when present, else FRED.
func seriesLoader(c *command, feed feeds.Feed, ids []string) func(context.Context) (map[string][]engine.Observation, error) {
	if len(ids) == 0 {
		return nil
	}
	conv := func(obs []fred.Obs) []engine.Observation {
		out := make([]engine.Observation, len(obs))
		for i, o := range obs {
			out[i] = engine.Observation{Time: o.Time, Value: o.Value}
		}
		return out
	}
	if d, ok := feed.(*demo.Feed); ok {
		return func(context.Context) (map[string][]engine.Observation, error) {
			out := map[string][]engine.Observation{}
			var errs []error
			for _, id := range ids {
				obs, err := d.Series(id)
				if err != nil {
					errs = append(errs, &app.SeriesError{ID: id, Err: err})
					continue
				}
				out[id] = obs
			}
			return out, errors.Join(errs...)
		}
	}
	if c.cfg.Feed == config.FeedReplay {
		dir := c.cfg.Feeds.Replay.Data
		return func(context.Context) (map[string][]engine.Observation, error) {
			out := map[string][]engine.Observation{}
			var errs []error
			for _, id := range ids {
				path := filepath.Join(dir, id+".csv")
				data, err := os.ReadFile(path)
				if errors.Is(err, fs.ErrNotExist) {
					// Not in the replay: the item says "no file: DGS2", as
					// a pair item without a leg's file does.
					errs = append(errs, &app.SeriesError{ID: id, Err: errors.New("replay: no file " + path)})
					continue
				}
				if err != nil {
					errs = append(errs, &app.SeriesError{ID: id, Err: fmt.Errorf("replay: %w", err)})
					continue
				}
				obs, err := fred.Parse(data, id)
				if err != nil {
					errs = append(errs, &app.SeriesError{ID: id, Err: fmt.Errorf("replay: %s: %w", path, err)})
					continue
				}
				if !c.asOf.IsZero() {
					obs = cutObs(obs, c.asOf)
				}
				out[id] = conv(obs)
			}
			return out, errors.Join(errs...)
		}
	}
	return func(ctx context.Context) (map[string][]engine.Observation, error) {
		dc, err := c.dayCache("FRED")
		if err != nil {
			return nil, err
		}
		src := &fred.Source{Cache: dc}
		out := map[string][]engine.Observation{}
		var errs []error
		for _, id := range ids {
			obs, f, err := src.Series(ctx, id)
			if err != nil {
				errs = append(errs, &app.SeriesError{ID: id, Err: errors.New(httpx.MessageOf(err))})
				continue
			}
			if f.Stale && !errors.Is(f.Err, daycache.ErrNotCached) {
				c.log.Warn("fred: series may be stale", "series", id, "fetched", f.Fetched, "err", f.Err)
			}
			out[id] = conv(obs)
		}
		return out, errors.Join(errs...)
	}
}

// cutObs keeps the observations dated on or before asOf's New York date.
func cutObs(obs []fred.Obs, asOf time.Time) []fred.Obs {
	d := asOf.In(calendar.Location()).Format("2006-01-02")
	n := len(obs)
	for n > 0 && obs[n-1].Date() > d {
		n--
	}
	return obs[:n]
}
