package app

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/capwatch/capwatch/engine"
)

// ErrNoAnalogs means the snapshot has no analog study (not enough history).
var ErrNoAnalogs = errors.New("no analog study: the pair needs at least 201 joined daily bars")

// WriteAnalogs prints the analog study's event table as "table", "csv" or "json".
// json is the snapshot's "analogs" object; csv has one row per event with the
// columns date, rel_1m … rel_12m, large_1m … large_12m (percent, empty when null).
func WriteAnalogs(w io.Writer, a *engine.Analogs, format string) error {
	if a == nil {
		return ErrNoAnalogs
	}
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(a)
	case "csv":
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"date", "rel_1m", "rel_3m", "rel_6m", "rel_12m", "large_1m", "large_3m", "large_6m", "large_12m"})
		for _, e := range a.Events {
			_ = cw.Write([]string{e.Date,
				csvNum(e.RelPct.M1), csvNum(e.RelPct.M3), csvNum(e.RelPct.M6), csvNum(e.RelPct.M12),
				csvNum(e.LargePct.M1), csvNum(e.LargePct.M3), csvNum(e.LargePct.M6), csvNum(e.LargePct.M12)})
		}
		cw.Flush()
		return cw.Error()
	case "table", "":
		ew := &errWriter{w: w}
		last := "none"
		if a.LastEvent != nil {
			last = *a.LastEvent
		}
		ew.printf("Event: %s · history from %s · %s · last %s\n\n", a.Event, orDash(a.HistoryFrom), Count(len(a.Events), "event"), last)
		tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "date\trel 1m\trel 3m\trel 6m\trel 12m\tlarge 1m\tlarge 3m\tlarge 6m\tlarge 12m\t\n")
		for _, e := range a.Events {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Date,
				fmtPct(e.RelPct.M1), fmtPct(e.RelPct.M3), fmtPct(e.RelPct.M6), fmtPct(e.RelPct.M12),
				fmtPct(e.LargePct.M1), fmtPct(e.LargePct.M3), fmtPct(e.LargePct.M6), fmtPct(e.LargePct.M12))
		}
		tw.Flush()
		ew.printf("\n")
		writeHorizons(ew, a.Horizons)
		writeBreadthSplit(ew, a.Breadth)
		ew.printf("\nrel = change of the small/large ratio; large = the large-cap leg. Past outcomes, not a forecast.\n")
		return ew.err
	}
	return fmt.Errorf("analogs: unknown format %q (use table, csv or json)", format)
}

func csvNum(n engine.Num) string {
	v, ok := n.Get()
	if !ok {
		return ""
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// writeBreadthSplit is the table format's breadth split: per horizon, the
// events breadth confirmed and the others, each with its n.
func writeBreadthSplit(ew *errWriter, b *engine.AnalogBreadth) {
	if b == nil {
		return
	}
	if b.HistoryTooShort {
		ew.printf("\nBreadth at the events: the members' history is too short (%s before it).\n", Count(b.Uncovered, "event"))
		return
	}
	ew.printf("\nBreadth at the events (%% of members above their 50-day average ≥ %.0f%% = confirmed; %s before the members' history not counted; too recent = breadth known, no outcome at that horizon yet; today's members only):\n", b.Threshold, Count(b.Uncovered, "event"))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "horizon\tconfirmed n\tled\tmedian\tnot confirmed n\tled\tmedian\ttoo recent\t\n")
	for i := range min(len(b.Confirmed), len(b.NotConfirmed)) {
		c, n := b.Confirmed[i], b.NotConfirmed[i]
		// The groups' n count outcomes, Covered counts events: the rest
		// are too recent, so each row adds up with the events not
		// counted to every event (QA-4 N7, the dashboard's "· 1 too recent").
		recent := max(b.Covered-c.N-n.N, 0)
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s\t%s\t%d\t\n", c.Horizon, c.N, fmtShare(c.RelHitRate), fmtPct(c.RelMedianPct), n.N, fmtShare(n.RelHitRate), fmtPct(n.RelMedianPct), recent)
	}
	tw.Flush()
}

// fmtShare is a 0..1 share as a whole percentage, "—" when absent.
func fmtShare(n engine.Num) string {
	if !n.Valid {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", n.V*100)
}
