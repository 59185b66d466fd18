package app

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/capwatch/capwatch/engine"
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

	ew.printf("\nFlags\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, f := range j.Flags {
		since := ""
		if f.Since != "" {
			since = "since " + f.Since
		}
		state := f.State.String()
		if f.Partial { // held off on one venue's volume (see engine.Flag.Partial)
			state += " (vol partial)"
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
		ew.printf("\nSectors (small − large, percentage points)\n")
		tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  sector\tsmall\tlarge\t1d\t1w\t1m\t3m\t\n")
		for _, c := range j.Sectors {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", c.Sector, c.Small, c.Large,
				fmtPct(c.Spread.D1), fmtPct(c.Spread.W1), fmtPct(c.Spread.M1), fmtPct(c.Spread.M3))
		}
		tw.Flush()
	}
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
		ew.printf("\nNow what? %d past breakouts (%s) since %s; last %s\n", len(a.Events), a.Event, orDash(a.HistoryFrom), last)
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
