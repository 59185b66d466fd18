package signals

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// Filter keeps the records seen on or after since (zero: all) whose flag is
// flag ("" : all).
func Filter(recs []Record, since time.Time, flag string) []Record {
	var out []Record
	for _, r := range recs {
		if !since.IsZero() && r.Seen.Before(since) {
			continue
		}
		if flag != "" && r.Flag != flag {
			continue
		}
		out = append(out, r)
	}
	return out
}

// Formats lists the formats Write accepts.
func Formats() []string { return []string{"table", "csv", "json"} }

// Write prints records as an aligned table, CSV (with a header row) or JSON
// lines (the log's own format: every field, round-trips with ReadAll).
func Write(w io.Writer, recs []Record, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		for _, r := range recs {
			if err := enc.Encode(r); err != nil {
				return err
			}
		}
		return nil
	case "csv":
		cw := csv.NewWriter(w)
		if err := cw.Write(csvHeader); err != nil {
			return err
		}
		for _, r := range recs {
			if err := cw.Write(csvRow(r)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case "table":
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		// Seen is the local wall clock; the bar's time stays in the exchange's
		// zone, as recorded (09:30 is the open).
		fmt.Fprintln(tw, "SEEN\tFLAG\tCHANGE\tVALUE\tTHRESHOLD\tSINCE\tBAR TIME (EXCHANGE)\tFEED")
		for _, r := range recs {
			feed := r.Feed
			if r.Simulated {
				feed += " (simulated)"
			}
			change := r.From + " → " + r.To
			switch {
			case r.Initial && r.From == "off":
				change = "at start: " + r.To
			case r.Initial: // caught up at start from the history
				change += " (at start)"
			}
			thr := strconv.FormatFloat(r.Threshold, 'g', 6, 64)
			if r.Kind == KindRotation {
				thr = "-" // a quadrant change has no threshold; since is the week's close
				if r.Initial {
					change = "at start: " + r.From + " → " + r.To
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				r.Seen.Local().Format("2006-01-02 15:04:05"), r.Flag, change, value4(r.Value),
				thr, dash(r.Since), r.BarTime.Format("2006-01-02 15:04"), feed)
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown format %q (want table, csv or json)", format)
}

var csvHeader = []string{"seen", "flag", "from", "to", "value", "threshold", "since", "bar_time", "feed", "simulated", "initial", "text", "closed"}

func csvRow(r Record) []string {
	return []string{
		r.Seen.Format(time.RFC3339), r.Flag, r.From, r.To, value(r.Value, 'g'),
		strconv.FormatFloat(r.Threshold, 'g', -1, 64), r.Since, r.BarTime.Format(time.RFC3339), r.Feed,
		strconv.FormatBool(r.Simulated), strconv.FormatBool(r.Initial), r.Text, strconv.FormatBool(r.Closed),
	}
}

func value(v *float64, f byte) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, f, -1, 64)
}

// value4 is a value for the table: four significant digits.
func value4(v *float64) string {
	if v == nil {
		return "-"
	}
	return strconv.FormatFloat(*v, 'g', 4, 64)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
