package signals

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Query selects records (the zero Query selects all).
type Query struct {
	// Since keeps the changes on bars dated on or after this trading date
	// (YYYY-MM-DD; the bar_time's date in New York): a replay's or a
	// backlog's lines by the data's date, not by when they were written.
	Since string
	// SeenSince keeps the changes seen (wall clock) at or after it.
	SeenSince time.Time
	// Flag keeps one flag's changes: a flag id, RotationID(sector) (the
	// sector's name in any case), or RotationFlag for every rotation line.
	Flag string
}

// RotationFlag is the Query.Flag that selects every rotation line.
const RotationFlag = "rotation"

// IsRotationFlag reports whether id selects rotation lines: RotationFlag,
// or RotationID of a sector ("rotation:Technology", "rotation:pair").
func IsRotationFlag(id string) bool {
	return id == RotationFlag || strings.HasPrefix(id, rotationPrefix) && len(id) > len(rotationPrefix)
}

// Filter returns the records q selects, in their order.
func Filter(recs []Record, q Query) []Record {
	var out []Record
	for _, r := range recs {
		if q.Since != "" && r.BarTime.In(calendar.Location()).Format(time.DateOnly) < q.Since {
			continue
		}
		if !q.SeenSince.IsZero() && r.Seen.Before(q.SeenSince) {
			continue
		}
		if q.Flag != "" && !flagMatches(r, q.Flag) {
			continue
		}
		out = append(out, r)
	}
	return out
}

func flagMatches(r Record, flag string) bool {
	switch {
	case flag == RotationFlag:
		return r.Kind == KindRotation
	case strings.HasPrefix(flag, rotationPrefix):
		return r.Kind == KindRotation && strings.EqualFold(r.Flag, flag)
	}
	return r.Flag == flag
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
		// NOTE says why a state reads as it does beside the comparison
		// ("off 1.798 > 1.500 … down day").
		fmt.Fprintln(tw, "SEEN\tFLAG\tCHANGE\tVALUE\tVS\tTHRESHOLD\tSINCE\tBAR TIME (EXCHANGE)\tFEED\tNOTE")
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
			val, cmp, thr := "-", "", "-"
			if r.Value != nil {
				val, cmp, thr = Compared(*r.Value, r.Threshold)
			}
			if r.Kind == KindRotation {
				// A quadrant change has no value or threshold; since is the week's close.
				val, cmp, thr = "-", "", "-"
				if r.Initial {
					change = "at start: " + r.From + " → " + r.To
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
				r.Seen.Local().Format("2006-01-02 15:04:05"), r.Flag, change, val, cmp,
				thr, dash(r.Since), r.BarTime.Format("2006-01-02 15:04"), feed, termsafe.Strip(r.Note))
		}
		return tw.Flush()
	}
	return fmt.Errorf("unknown format %q (want table, csv or json)", format)
}

var csvHeader = []string{"seen", "flag", "from", "to", "value", "threshold", "since", "bar_time", "feed", "simulated", "initial", "text", "closed", "note"}

func csvRow(r Record) []string {
	return []string{
		r.Seen.Format(time.RFC3339), r.Flag, r.From, r.To, value(r.Value, 'g'),
		strconv.FormatFloat(r.Threshold, 'g', -1, 64), r.Since, r.BarTime.Format(time.RFC3339), r.Feed,
		strconv.FormatBool(r.Simulated), strconv.FormatBool(r.Initial), r.Text, strconv.FormatBool(r.Closed), r.Note,
	}
}

func value(v *float64, f byte) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, f, -1, 64)
}

// Compared formats a value and the threshold it was compared against for
// people: both with the same number of decimals — about four significant
// digits, more until they differ when they are not equal, so the
// comparison the state implies is visible — and the sign between them
// (">", "<" or "="). Rounding both to the same decimals keeps their order,
// so the strings never contradict the sign. Machine forms (JSON, CSV) keep
// every digit.
func Compared(v, thr float64) (value, sign, threshold string) {
	switch {
	case v > thr:
		sign = ">"
	case v < thr:
		sign = "<"
	default:
		sign = "="
	}
	if math.IsNaN(v) || math.IsNaN(thr) || math.IsInf(v, 0) || math.IsInf(thr, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64), sign, strconv.FormatFloat(thr, 'g', -1, 64)
	}
	// Decimals for four significant digits of the larger magnitude.
	m := max(math.Abs(v), math.Abs(thr))
	dec := 3
	if m > 0 {
		dec = max(0, 3-int(math.Floor(math.Log10(m))))
	}
	for {
		value, threshold = strconv.FormatFloat(v, 'f', dec, 64), strconv.FormatFloat(thr, 'f', dec, 64)
		if value != threshold || v == thr || dec >= 20 {
			break
		}
		dec++
	}
	if value == threshold && v != thr { // closer than 20 decimals show
		return strconv.FormatFloat(v, 'g', -1, 64), sign, strconv.FormatFloat(thr, 'g', -1, 64)
	}
	// Zeros both end with say nothing ("64.00 > 60.00" is "64 > 60"):
	// dropping a shared last character keeps different strings different.
	for dec > 0 && strings.HasSuffix(value, "0") && strings.HasSuffix(threshold, "0") {
		value, threshold, dec = value[:len(value)-1], threshold[:len(threshold)-1], dec-1
	}
	value, threshold = strings.TrimSuffix(value, "."), strings.TrimSuffix(threshold, ".")
	return value, sign, threshold
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
