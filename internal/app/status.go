package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/numfmt"
)

// StatusData is what the status line needs from a snapshot. It is what the
// status cache stores, so the line (countdown, staleness) is rendered fresh
// from it at every call.
type StatusData struct {
	Key      string    `json:"key"`      // what was asked (feed, pair, data, as-of); a different key misses the cache
	Computed time.Time `json:"computed"` // wall time the data was computed
	// Stamp is StatusCache.Stamp when this was stored: the fingerprint of
	// the local data files it was computed from ("" for network feeds).
	Stamp     string       `json:"stamp,omitempty"`
	Feed      string       `json:"feed"`
	Live      bool         `json:"live"` // a live feed (not demo or replay)
	Small     string       `json:"small"`
	Large     string       `json:"large"`
	Ratio     engine.Num   `json:"ratio"`
	ChangePct engine.Num   `json:"change_pct"`
	Flags     []StatusFlag `json:"flags"`
	// FlagCount is how many flags the snapshot has (on or off); NoData how
	// many of them could not be judged (engine.Flag.NoData). The line says
	// "2/3", confirmed of those judged, and "6 no data" after the session,
	// as engine.CountFlags counts them for every view.
	FlagCount int       `json:"flag_count,omitempty"`
	NoData    int       `json:"no_data,omitempty"`
	AsOf      time.Time `json:"as_of"` // exchange time of the newest data
	Errors    int       `json:"errors"`
	// PairProblem says why there is no ratio when a leg of the pair has
	// an error (engine.Snapshot.PairProblem: "SPY: replay: no file
	// DIR/SPY.csv"); "" when there is a ratio.
	PairProblem string `json:"pair_problem,omitempty"`
	// Failed is when the last attempt to compute the line failed, if that
	// was after Computed (the rest is then the last known line, if any);
	// Failure says why. A failure is cached for the TTL too.
	Failed  time.Time `json:"failed,omitzero"`
	Failure string    `json:"failure,omitempty"`
}

// Down reports whether the newest result is a failure.
func (d StatusData) Down() bool { return d.Failed.After(d.Computed) }

// Known reports whether d holds a line (not only a failure).
func (d StatusData) Known() bool { return !d.Computed.IsZero() }

// StatusFlag is a flag that is on.
type StatusFlag struct {
	ID    string `json:"id"`
	State string `json:"state"` // forming | confirmed | fading
}

// StatusFromSnapshot extracts the status-line data from a snapshot.
func StatusFromSnapshot(s *engine.Snapshot, key string, live bool, computed time.Time) StatusData {
	d := StatusData{
		Key: key, Computed: computed, Feed: s.Feed, Live: live,
		Small: s.Pair.Small, Large: s.Pair.Large, Ratio: s.Pair.Ratio, ChangePct: s.Pair.RatioChangePct,
		AsOf: s.AsOf, Errors: len(s.Errors),
	}
	n := engine.CountFlags(s.Flags)
	d.FlagCount, d.NoData = n.Total, n.NoData
	for _, f := range s.Flags {
		if f.State != engine.FlagOff {
			d.Flags = append(d.Flags, StatusFlag{ID: f.ID, State: f.State.String()})
		}
	}
	if _, ok := s.Pair.Ratio.Get(); !ok {
		d.PairProblem = s.PairProblem()
	}
	return d
}

// NoRatio is the error of a snapshot without a ratio (`capwatch snapshot`,
// status and analogs exit 1 on it: the one number they are for cannot be
// computed), naming the leg's cause; nil when it has a ratio.
func NoRatio(s *engine.Snapshot) error {
	d := StatusData{Small: s.Pair.Small, Large: s.Pair.Large, Ratio: s.Pair.Ratio}
	if !s.Pair.Ratio.Valid {
		d.PairProblem = s.PairProblem()
	}
	return d.NoRatio()
}

// NoRatio is the error of a status line without a ratio (the command
// exits 1: the one number the line is for cannot be computed), naming the
// leg's cause; nil when the line has a ratio.
func (d StatusData) NoRatio() error {
	if _, ok := d.Ratio.Get(); ok {
		return nil
	}
	pair := Sanitize(d.Small) + "/" + Sanitize(d.Large)
	if d.PairProblem != "" {
		return fmt.Errorf("no ratio for %s: %s", pair, Sanitize(d.PairProblem))
	}
	return fmt.Errorf("no ratio for %s: its legs have no day of data in common", pair)
}

// shortFlags returns the status-line labels of the flags, in display order.
func shortFlags() []struct{ id, label string } {
	return []struct{ id, label string }{
		{engine.FlagRatioAboveSMA50, "↑50d"},
		{engine.FlagRatioAboveSMA200, "↑200d"},
		{engine.FlagRatioNewHigh20d, "↑20dH"},
		{engine.FlagRatioNewHigh52w, "↑52wH"},
		{engine.FlagSmallAboveSMA200, "S>200d"},
		{engine.FlagSmallGoldenCross, "S×gold"},
		{engine.FlagSmallLeads21d, "lead21d"},
		{engine.FlagSmallVolumeSurge, "vol↑"},
		{engine.FlagSectorBreadth, "sectors"}, // not "breadth": the members' breadth is M>50d (QA-2 C6)
		{engine.FlagBreadthAboveSMA50, "M>50d"},
		{engine.FlagBreadthThrust, "thrust"},
	}
}

// StatusOptions tune FormatStatus.
type StatusOptions struct {
	Tmux bool // emit tmux #[fg=…] colour codes
	// StaleAfter is how old live data may be while the market is open
	// (default 20 minutes: a 15-minute delay plus a poll).
	StaleAfter time.Duration
}

// FormatStatus renders the one-line status, e.g.
//
//	IWM/SPY 0.3812 ▲0.8% 2/9 ↑50d ↑20dH · open 2h13m · 2 no data
//
// "2/9" counts the confirmed flags of the snapshot's flags that could be
// judged (breadth's included), "2 no data" those that could not
// (engine.CountFlags, as every view counts them); then each flag that is
// on. Forming flags are shown in parentheses, e.g. "(↑50d)", fading ones with a
// question mark, e.g. "↑50d?" (held at the close, failing live). Demo and replay data
// are labelled DEMO and REPLAY; live data older than it should be carries a
// "stale 3h" marker.
func FormatStatus(d StatusData, now time.Time, cal *calendar.Calendar, o StatusOptions) string {
	if o.StaleAfter <= 0 {
		o.StaleAfter = 20 * time.Minute
	}
	col := func(color, s string) string {
		if !o.Tmux {
			return s
		}
		return "#[fg=" + color + "]" + s + "#[default]"
	}
	txt := func(s string) string {
		s = Sanitize(s)
		if o.Tmux {
			s = strings.ReplaceAll(s, "#", "##") // tmux would run #(…) and expand #{…}
		}
		return s
	}
	var parts []string
	switch d.Feed {
	case "demo":
		parts = append(parts, col("magenta", "DEMO"))
	case "replay":
		parts = append(parts, col("magenta", "REPLAY"))
	}
	head := txt(d.Small) + "/" + txt(d.Large)
	if r, ok := d.Ratio.Get(); ok {
		head += " " + fmt.Sprintf("%.4f", r)
	} else {
		head += " —"
		if d.PairProblem != "" { // why, as the ratio panel says it
			head += " " + col("red", "✖ "+txt(d.PairProblem))
		}
	}
	parts = append(parts, head)
	if c, ok := d.ChangePct.Get(); ok {
		// Direction and colour on the value as shown: a change that rounds
		// to zero at one decimal is flat and unsigned ("=0.0%", not a green
		// "▲0.0%" for +0.03%).
		switch numfmt.Dir(c, 1) {
		case 1:
			parts = append(parts, col("green", "▲"+numfmt.Signed(c, 1)[1:]+"%"))
		case -1:
			parts = append(parts, col("red", "▼"+numfmt.Signed(c, 1)[1:]+"%"))
		default:
			parts = append(parts, "=0.0%")
		}
	}
	on := map[string]string{}
	confirmed := 0
	for _, f := range d.Flags {
		on[f.ID] = f.State
		if f.State == "confirmed" {
			confirmed++
		}
	}
	if judged := d.FlagCount - d.NoData; judged > 0 {
		parts = append(parts, fmt.Sprintf("%d/%d", confirmed, judged))
	}
	flag := func(label, state string) {
		switch state {
		case "confirmed":
			parts = append(parts, col("green", label))
		case "fading": // held at the close, not on the live bar
			parts = append(parts, col("yellow", label+"?"))
		case "forming":
			parts = append(parts, col("yellow", "("+label+")"))
		}
	}
	known := map[string]bool{}
	for _, f := range shortFlags() {
		known[f.id] = true
		flag(f.label, on[f.id])
	}
	for _, f := range d.Flags { // a flag without a short label: its id, never left out
		if !known[f.ID] {
			flag(txt(f.ID), f.State)
		}
	}
	line := strings.Join(parts, " ")

	var tail []string
	switch {
	case !d.Live && d.Feed == "replay" && !d.AsOf.IsZero():
		tail = append(tail, d.AsOf.In(calendar.Location()).Format("2006-01-02"))
	case !d.Live && d.Feed == "demo" && !d.AsOf.IsZero():
		// The demo runs on its own clock: its session as the dashboard
		// shows it at start, at the snapshot's simulated time.
		tail = append(tail, sessionLabel(cal, d.AsOf))
	case !d.Live:
		tail = append(tail, sessionLabel(cal, now))
	default:
		tail = append(tail, sessionLabel(cal, now))
		if age, stale := staleness(d.AsOf, now, cal, o.StaleAfter); stale {
			tail = append(tail, col("red", "stale "+compactDuration(age)))
		}
	}
	if d.NoData > 0 { // flags that could not be judged: not in the count
		tail = append(tail, fmt.Sprintf("%d no data", d.NoData))
	}
	if d.Errors > 0 {
		tail = append(tail, col("yellow", fmt.Sprintf("%d err", d.Errors)))
	}
	return line + " · " + strings.Join(tail, " · ")
}

// sessionLabel is the session and its countdown, to the same instant as the
// dashboard's (calendar.Upcoming): "open 2h13m" to the close, "pre, opens
// 35m" and "closed, opens 12h" to the regular 09:30 open, "after-hours".
func sessionLabel(cal *calendar.Calendar, now time.Time) string {
	_, next := cal.Upcoming(now)
	left := compactDuration(next.Sub(now))
	switch cal.StateAt(now) {
	case calendar.Regular:
		return "open " + left
	case calendar.PreMarket:
		return "pre, opens " + left
	case calendar.AfterHours:
		return "after-hours"
	}
	return "closed, opens " + left
}

// staleness reports how old the data is and whether that is too old: while
// the market is open, older than limit; otherwise, older than the last
// regular session.
func staleness(asOf, now time.Time, cal *calendar.Calendar, limit time.Duration) (time.Duration, bool) {
	if asOf.IsZero() {
		return 0, false
	}
	age := now.Sub(asOf)
	if cal.StateAt(now) == calendar.Regular {
		return age, age > limit
	}
	// The last session that has opened by now.
	last := cal.TradingDate(now)
	if open, _, ok := cal.Session(last); !ok || now.Before(open) {
		last = cal.PrevTradingDate(last)
	}
	return age, cal.TradingDate(asOf).Before(last)
}

// compactDuration formats d as "35s", "47m", "2h13m", "5h" or "3d".
func compactDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d/time.Second), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 10*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%02dm", h, m)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
}

// StatusCache is a short-lived cache of StatusData in one JSON file.
type StatusCache struct {
	Path string
	TTL  time.Duration // default 60 s
	// Stamp fingerprints the data a line is computed from now (a replay's
	// files: names, sizes, times): Load serves only what was stored with
	// the same stamp, so a line is not kept for the TTL after its files
	// changed; Store and StoreFailure stamp what they write. LoadAny (the
	// last known line, for when the feed is down) ignores it.
	Stamp string
}

// Load returns the cached result for key when it is less than TTL old at
// now: a line, or a failure (d.Down(); with the last known line when
// d.Known()).
func (c StatusCache) Load(key string, now time.Time) (StatusData, bool) {
	d, ok := c.LoadAny(key)
	if !ok || d.Stamp != c.Stamp {
		return StatusData{}, false
	}
	at := d.Computed
	if d.Down() {
		at = d.Failed
	}
	if age := now.Sub(at); age < 0 || age >= c.ttl() {
		return StatusData{}, false
	}
	return d, true
}

func (c StatusCache) ttl() time.Duration {
	if c.TTL <= 0 {
		return 60 * time.Second
	}
	return c.TTL
}

// StoreFailure records that computing the line for key failed at now,
// keeping the last known line.
func (c StatusCache) StoreFailure(key string, now time.Time, why string) error {
	d, ok := c.LoadAny(key)
	if !ok {
		d = StatusData{Key: key}
	}
	d.Failed, d.Failure = now, why
	return c.Store(d)
}

// LoadAny returns the cached data computed for key, however old (the last
// known state, for when the feed is down).
func (c StatusCache) LoadAny(key string) (StatusData, bool) {
	b, err := os.ReadFile(c.Path)
	if err != nil {
		return StatusData{}, false
	}
	var d StatusData
	if json.Unmarshal(b, &d) != nil || d.Key != key {
		return StatusData{}, false
	}
	return d, true
}

// Store writes d atomically (temp file + rename).
func (c StatusCache) Store(d StatusData) error {
	d.Stamp = c.Stamp
	b, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("status cache: encode: %w", err)
	}
	dir := filepath.Dir(c.Path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("status cache: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".status-*.json")
	if err != nil {
		return fmt.Errorf("status cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("status cache: write: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("status cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.Path); err != nil {
		return fmt.Errorf("status cache: %w", err)
	}
	return nil
}
