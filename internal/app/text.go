package app

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/capwatch/capwatch/engine"
	ebreadth "github.com/capwatch/capwatch/engine/breadth"
	"github.com/capwatch/capwatch/engine/rotation"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Sanitize removes terminal escape sequences (CSI, OSC, DCS, …) and every
// other control character from s and keeps it on one trimmed line
// (internal/termsafe). Feed strings are clean already (feeds.Sanitized);
// this is for text read back from disk: the status cache, the signal log.
func Sanitize(s string) string { return termsafe.Line(s, 0) }

func fmtNum(n engine.Num, prec int) string {
	v, ok := n.Get()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.*f", prec, v)
}

// fmtPts is a difference of percentages in percentage points ("+1.25",
// "—" when absent).
func fmtPts(n engine.Num) string {
	v, ok := n.Get()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%+.2f", v)
}

func fmtPct(n engine.Num) string {
	v, ok := n.Get()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%+.2f%%", v)
}

// WriteText writes a plain-text report of the snapshot (no colour, no
// escapes: its strings are clean, see WriteJSON).
func WriteText(w io.Writer, s *engine.Snapshot) error {
	j := s
	ew := &errWriter{w: w}
	p := j.Pair
	state := j.Session.State
	if state == "" {
		state = "closed"
	}
	ew.printf("capwatch snapshot · feed %s · as of %s · market %s", j.Feed, rfc3339(j.AsOf), state)
	if !j.Session.NextChange.IsZero() {
		ew.printf(" (next change %s)", rfc3339(j.Session.NextChange))
	}
	ew.printf("\n\n%s/%s ratio %s  change %s  SMA50 %s  SMA200 %s  20d high %s  RSI14 %s  ROC20 %s\n",
		p.Small, p.Large, fmtNum(p.Ratio, 4), fmtPct(p.RatioChangePct), fmtNum(p.RatioSMA50, 4),
		fmtNum(p.RatioSMA200, 4), fmtNum(p.RatioHigh20, 4), fmtNum(p.RatioRSI14, 1), fmtPct(p.RatioROC20))
	if why := s.PairProblem(); !p.Ratio.Valid && why != "" {
		ew.printf("✖ no ratio: %s\n", Sanitize(why))
	}

	ew.printf("\nFlags")
	if n := engine.CountFlags(j.Flags).String(); n != "" { // as the dashboard and status count them
		ew.printf(" %s", n)
	}
	ew.printf("\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for i, f := range j.Flags {
		since := ""
		if f.Since != "" {
			since = "since " + f.Since
		}
		state := f.State.String()
		if j.Flags[i].NoData() { // off, but not judged: not a claim that it is off
			state = "no data"
		}
		if f.Partial { // held off on one venue's volume (see engine.Flag.Partial)
			state += " (vol partial)"
		}
		if f.Note != "" { // why the state reads as it does (engine.Flag.Note)
			state += " (" + Sanitize(f.Note) + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", flagMark(f.State), f.ID, state, since, f.Text)
	}
	tw.Flush()

	ew.printf("\nSymbols\n")
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "symbol\tlast\tchg\tSMA50\tSMA200\tRSI14\tRVOL20\t1w\t1m\t3m\tdata\t\n")
	for _, y := range j.Symbols {
		data := rfc3339(y.DataTime)
		if y.Stale {
			data += " STALE"
		}
		rvol := fmtNum(y.RVOL20, 2)
		if y.RVOLPartial && y.RVOL20.Valid { // one venue's volume: a lower bound
			rvol = "≥" + rvol
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", y.Symbol, fmtNum(y.Last, 2), fmtPct(y.ChangePct),
			fmtNum(y.SMA50, 2), fmtNum(y.SMA200, 2), fmtNum(y.RSI14, 1), rvol,
			fmtPct(y.Ret5d), fmtPct(y.Ret21d), fmtPct(y.Ret63d), data)
	}
	tw.Flush()

	if len(j.Sectors) > 0 {
		// The spreads are differences of two returns: percentage points,
		// printed without a % sign.
		ew.printf("\nSectors (small − large return, percentage points)\n")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  sector\tsmall\tlarge\t1d\t1w\t1m\t3m\t\n")
		for _, c := range j.Sectors {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Sector, c.Small, c.Large,
				fmtPts(c.Spread.D1), fmtPts(c.Spread.W1), fmtPts(c.Spread.M1), fmtPts(c.Spread.M3))
		}
		tw.Flush()
	}
	writeBreadth(ew, j.Breadth, j.BreadthLoad)
	writeConfirmations(ew, j.Confirmations)
	writeRotation(ew, j.Rotation)
	if r := j.Risk; r != nil {
		ew.printf("\nRisk: vol63 %s%% vs %s%% (×%s), beta63 %s, drawdown %s vs %s\n",
			fmtNum(r.SmallVol63Pct, 1), fmtNum(r.LargeVol63Pct, 1), fmtNum(r.VolRatio, 2), fmtNum(r.Beta63, 2),
			fmtPct(r.SmallDrawdownPct), fmtPct(r.LargeDrawdownPct))
	}
	if a := j.Analogs; a != nil {
		last := "none"
		if a.LastEvent != nil {
			last = *a.LastEvent
		}
		ew.printf("\nNow what? %s (%s) since %s; last %s\n", Count(len(a.Events), "past breakout"), a.Event, orDash(a.HistoryFrom), last)
		writeHorizons(ew, a.Horizons)
	}
	if len(j.Errors) > 0 {
		ew.printf("\nErrors\n")
		for _, e := range j.Errors {
			ew.printf("  %s: %s\n", e.Symbol, e.Message)
		}
	}
	if len(j.Notices) > 0 {
		ew.printf("\nNotices\n")
		for _, n := range j.Notices {
			ew.printf("  %s: %s\n", n.Symbol, n.Message)
		}
	}
	return ew.err
}

// writeBreadth is the breadth section: the engine's values for the members
// (nothing without a members list).
func writeBreadth(ew *errWriter, b *engine.Breadth, l *engine.BreadthLoad) {
	if b == nil && l == nil {
		return
	}
	ew.printf("\nBreadth")
	if b == nil {
		switch {
		case l.Done && l.Starts != "" && l.Error == "": // as the dashboard's panel says it
			ew.printf(": no member data before %s (%d of %s failed)\n", l.Starts, l.Failed, Count(l.Members, "member"))
		case l.Done || l.Members == 0:
			ew.printf(": no member history (%d of %s failed)\n", l.Failed, Count(l.Members, "member"))
		default:
			ew.printf(": loading members %d/%d\n", l.Loaded, l.Members)
		}
		writeLoadNotes(ew, l)
		return
	}
	when := "end of day " + b.AsOf
	if b.Forming {
		when = fmt.Sprintf("live %s (%d quoting)", b.AsOf, b.WithBar)
	}
	ew.printf(" · %s · %d/%s · %s", orDash(b.Universe), b.Covered, Count(b.Members, "member"), when)
	if b.Partial && l != nil {
		ew.printf(" · partial: %d/%s loaded so far", l.Loaded, Count(l.Members, "member"))
	}
	ew.printf("\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  above 50-day avg\t%s\tof %d\t\n", fmtPctPlain(b.PctAboveSMA50), b.NSMA50)
	fmt.Fprintf(tw, "  above 200-day avg\t%s\tof %d\t\n", fmtPctPlain(b.PctAboveSMA200), b.NSMA200)
	fmt.Fprintf(tw, "  52-week highs / lows\t%d / %d\tof %d\t\n", b.NewHighs52w, b.NewLows52w, b.N52w)
	fmt.Fprintf(tw, "  advancers / decliners\t%d / %d\t%d unchanged\t\n", b.Advancers, b.Decliners, b.Unchanged)
	fmt.Fprintf(tw, "  A/D line\t%d\tfrom %s\t\n", b.ADLine, orDash(b.HistoryFrom))
	thrust := "none in the history"
	if b.LastThrust != nil {
		thrust = "last thrust " + *b.LastThrust
	}
	fmt.Fprintf(tw, "  Zweig EMA10\t%s\t%s\t\n", fmtNum(b.ZweigEMA10, 3), thrust)
	fmt.Fprintf(tw, "  21d return\t%s equal-weight\tvs %s %s (of %d)\t\n", fmtPct(b.EWReturn21dPct), orDash(b.Leg), fmtPct(b.CWReturn21dPct), b.NReturn21d)
	tw.Flush()
	if l != nil {
		if l.Starts != "" { // not counted as failed: their data begins later
			ew.printf("  members whose data starts later: the first on %s\n", l.Starts)
		}
		writeLoadNotes(ew, l)
	}
}

// writeLoadNotes says what limits the breadth load (failed members, its
// note and error), if anything.
func writeLoadNotes(ew *errWriter, l *engine.BreadthLoad) {
	if l.Failed > 0 && l.Done {
		ew.printf("  %d of %s without data\n", l.Failed, Count(l.Members, "member"))
	}
	for _, line := range l.FailedLines() {
		ew.printf("    %s\n", line)
	}
	if l.SkippedMembers > 0 {
		ew.printf("  %s with rows skipped\n", Count(l.SkippedMembers, "member"))
		for _, line := range l.SkippedLines() {
			ew.printf("    %s\n", line)
		}
	}
	if l.Note != "" {
		ew.printf("  note: %s\n", l.Note)
	}
	if l.Error != "" {
		ew.printf("  error: %s\n", l.Error)
	}
}

// fmtPctPlain is a share in percent without a sign ("62.25%").
func fmtPctPlain(n engine.Num) string {
	v, ok := n.Get()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.2f%%", v)
}

// writeConfirmations is the confirmation strip: its score as the
// dashboard counts it (engine/breadth.Score) and each item.
func writeConfirmations(ew *errWriter, cs []engine.Confirmation) {
	if len(cs) == 0 {
		return
	}
	// "0/0 confirm" said nothing; the dashboard's words (QA-3 F7).
	ew.printf("\nConfirmation strip: %s (pairs and credit: ratio vs its 50-day average; 2y yield: vs 21 days ago)\n", ebreadth.ScoreText(cs))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, c := range cs {
		mark := "?"
		switch c.State {
		case engine.ConfirmConfirms:
			mark = "✓"
		case engine.ConfirmDiverges:
			mark = "✗"
		}
		value, ref := "no data", ""
		if !c.Value.Valid && c.Missing != "" { // why: "no file: DGS2", as the dashboard says it
			value = Sanitize(c.Missing)
		}
		if c.Value.Valid {
			if c.Kind == engine.ConfirmKindYield {
				value = fmt.Sprintf("%.2f%%", c.Value.V)
				if c.Reference.Valid {
					ref = fmt.Sprintf("vs %.2f%% 21 days ago", c.Reference.V)
				}
			} else {
				value = fmt.Sprintf("%.4f", c.Value.V)
				if c.Reference.Valid {
					ref = fmt.Sprintf("vs 50d %.4f", c.Reference.V)
				}
			}
		}
		when := c.AsOf
		if c.Forming && when != "" {
			when += " live"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t\n", mark, c.Label, c.State, value, ref, when)
	}
	tw.Flush()
}

// writeRotation is the rotation map's small-vs-large view: each entry's
// quadrant on the latest weekly point, how many weeks it has been there,
// and the point (the other two views are in the JSON).
func writeRotation(ew *errWriter, r *rotation.Rotation) {
	if r == nil || len(r.SmallVsLarge) == 0 {
		return
	}
	ew.printf("\nRotation (small vs large by sector, weekly: rs-ratio across, rs-momentum up, axes at 100; N %d)\n", r.Window)
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  sector\tpair\tquadrant\tweeks\trs-ratio\trs-momentum\tweek\t\n")
	for i := range r.SmallVsLarge {
		e := &r.SmallVsLarge[i]
		week := "—"
		p, ok := e.Head()
		if !ok && len(e.Tail) > 0 { // a map read back from JSON has its tail only
			p, ok = e.Tail[len(e.Tail)-1], true
		}
		if ok {
			week = p.Week.String()
			if e.Unfinished {
				week += " (so far)"
			}
		}
		q := e.Quadrant.String()
		if q == "" {
			q = "—"
		}
		fmt.Fprintf(tw, "  %s\t%s/%s\t%s\t%d\t%s\t%s\t%s\t\n", e.Sector, e.Asset, e.Benchmark, q, e.WeeksInQuadrant,
			fmtNum(e.RSRatio, 2), fmtNum(e.RSMomentum, 2), week)
	}
	tw.Flush()
}

func writeHorizons(w io.Writer, hs []engine.HorizonStats) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "horizon\tn\tsmall kept leading\tmedian rel\tlarge rose\tany day: kept leading\tany day: large rose\t\n")
	for _, h := range hs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\t\n", h.Horizon, h.N, fmtRate(h.RelHitRate), fmtPct(h.RelMedianPct),
			fmtRate(h.LargeHitRate), fmtRate(h.BaseRelHitRate), fmtRate(h.BaseLargeHitRate))
	}
	tw.Flush()
}

func fmtRate(n engine.Num) string {
	v, ok := n.Get()
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", v*100)
}

func flagMark(state engine.FlagState) string {
	switch state {
	case engine.FlagConfirmed:
		return "●"
	case engine.FlagFading:
		return "◑"
	case engine.FlagForming:
		return "◐"
	}
	return "○"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
