// Package csvbars reads daily OHLCV bars from the CSV download formats of
// Stooq (Date,Open,High,Low,Close,Volume) and Yahoo Finance
// (Date,Open,High,Low,Close,Adj Close,Volume).
//
// Columns may come in any order and headers are matched case-insensitively
// (spaces, '_' and '-' are ignored, so "Adj Close", "adj_close" and "AdjClose"
// are the same column). Unknown columns are ignored. Dates are YYYY-MM-DD;
// every bar's Time is midnight America/New_York of that date, in
// calendar.Location() (one shared *time.Location, so bars from every feed
// compare equal with == and work as map keys).
//
// Rows whose Open, High, Low or Close is missing ("", "null", "NaN", "-",
// infinite) or not positive are skipped and counted, never invented. A
// missing or invalid Volume becomes 0. Close is the unadjusted (split-adjusted
// only, for Yahoo) close; Adj Close is accepted but ignored so that OHLC stay
// mutually consistent. Anything else that does not parse (a bad date, a word
// where a number belongs, a short row) is an error naming the file and line,
// e.g. `AAPL.csv:17: bad date "2024-13-01"`.
package csvbars

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// MaxSkippedLines caps Stats.SkippedLines.
const MaxSkippedLines = 100

// maxLine bounds a single CSV line (a daily bar line is < 100 bytes).
const maxLine = 64 * 1024

// Stats describes what Parse read.
type Stats struct {
	Rows         int   // data rows read (non-blank lines after the header), including skipped ones
	Skipped      int   // rows skipped because a price was missing or not positive
	SkippedLines []int // 1-based line numbers of the skipped rows (at most MaxSkippedLines)
	Duplicates   int   // rows replaced by a later row with the same date (last wins)
}

type column int

const (
	colDate column = iota
	colOpen
	colHigh
	colLow
	colClose
	colAdjClose
	colVolume
	numCols
)

var colNames = [numCols]string{"date", "open", "high", "low", "close", "adjclose", "volume"}

// Parse reads a daily CSV for symbol. name is used in error messages (usually
// the file name, e.g. "AAPL.csv"). The bars are sorted oldest first with one
// bar per date (a later row for the same date replaces an earlier one).
func Parse(r io.Reader, name, symbol string) ([]engine.Bar, Stats, error) {
	var st Stats
	ny := calendar.Location()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxLine)

	var idx [numCols]int
	for i := range idx {
		idx[i] = -1
	}
	haveHeader := false
	need := 0 // minimum number of fields in a data row
	line := 0
	type row struct {
		bar  engine.Bar
		line int
	}
	rows := make([]row, 0, 512)
	var fields [][]byte
	for sc.Scan() {
		line++
		text := bytes.TrimSpace(sc.Bytes())
		if line == 1 {
			text = bytes.TrimPrefix(text, []byte("\xef\xbb\xbf")) // UTF-8 BOM
		}
		if len(text) == 0 {
			continue
		}
		fields = splitFields(fields[:0], text)
		if !haveHeader {
			if err := parseHeader(fields, &idx); err != nil {
				return nil, st, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			for _, i := range idx {
				need = max(need, i+1)
			}
			haveHeader = true
			continue
		}
		st.Rows++
		if len(fields) < need {
			return nil, st, fmt.Errorf("%s:%d: expected %d fields, got %d", name, line, need, len(fields))
		}
		ds := fields[idx[colDate]]
		t, ok := parseDate(ds, ny)
		if !ok {
			return nil, st, fmt.Errorf("%s:%d: bad date %s", name, line, quote(ds))
		}
		var px [4]float64
		skip := false
		for k, c := range [4]column{colOpen, colHigh, colLow, colClose} {
			v, present, err := parseNum(fields[idx[c]])
			if err != nil {
				return nil, st, fmt.Errorf("%s:%d: bad %s %s", name, line, colNames[c], quote(fields[idx[c]]))
			}
			if !present || v <= 0 {
				skip = true
			}
			px[k] = v
		}
		if skip {
			st.Skipped++
			if len(st.SkippedLines) < MaxSkippedLines {
				st.SkippedLines = append(st.SkippedLines, line)
			}
			continue
		}
		vol := 0.0
		if i := idx[colVolume]; i >= 0 {
			v, present, err := parseNum(fields[i])
			if err != nil {
				return nil, st, fmt.Errorf("%s:%d: bad volume %s", name, line, quote(fields[i]))
			}
			if present && v > 0 {
				vol = v
			}
		}
		rows = append(rows, row{
			bar:  engine.Bar{Symbol: symbol, Time: t, Open: px[0], High: px[1], Low: px[2], Close: px[3], Volume: vol},
			line: line,
		})
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, st, fmt.Errorf("%s:%d: line longer than %d bytes", name, line+1, maxLine)
		}
		return nil, st, fmt.Errorf("%s: read: %w", name, err)
	}
	if !haveHeader {
		return nil, st, fmt.Errorf("%s: empty file (no header)", name)
	}
	// Sort by date, keeping file order among equal dates, then keep the last
	// row of each date.
	slices.SortStableFunc(rows, func(a, b row) int { return a.bar.Time.Compare(b.bar.Time) })
	bars := make([]engine.Bar, 0, len(rows))
	for i, r := range rows {
		if i+1 < len(rows) && rows[i+1].bar.Time.Equal(r.bar.Time) {
			st.Duplicates++
			continue
		}
		bars = append(bars, r.bar)
	}
	return bars, st, nil
}

// parseHeader maps header names to column indexes.
func parseHeader(fields [][]byte, idx *[numCols]int) error {
	for i, f := range fields {
		key := normHeader(f)
		for c, n := range colNames {
			if key == n {
				if idx[c] >= 0 {
					return fmt.Errorf("duplicate column %q", colNames[c])
				}
				idx[c] = i
			}
		}
	}
	for _, c := range []column{colDate, colOpen, colHigh, colLow, colClose} {
		if idx[c] < 0 {
			return fmt.Errorf("missing column %q in header %s", colNames[c], quote(bytes.Join(fields, []byte(","))))
		}
	}
	return nil
}

func normHeader(f []byte) string {
	var b strings.Builder
	for _, c := range f {
		switch {
		case c == ' ' || c == '_' || c == '-' || c == '"':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// splitFields splits a line on commas, trimming spaces and surrounding quotes.
func splitFields(dst [][]byte, line []byte) [][]byte {
	for {
		i := bytes.IndexByte(line, ',')
		var f []byte
		if i < 0 {
			f = line
		} else {
			f = line[:i]
		}
		f = bytes.TrimSpace(f)
		if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
			f = bytes.TrimSpace(f[1 : len(f)-1])
		}
		dst = append(dst, f)
		if i < 0 {
			return dst
		}
		line = line[i+1:]
	}
}

// parseDate parses YYYY-MM-DD as midnight in loc.
func parseDate(s []byte, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(s[0:4])
	m, ok2 := num(s[5:7])
	d, ok3 := num(s[8:10])
	if !ok1 || !ok2 || !ok3 || y < 1800 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc)
	if t.Day() != d || int(t.Month()) != m { // e.g. 2024-02-30
		return time.Time{}, false
	}
	return t, true
}

// parseNum parses a cell. present=false for the spellings of "missing".
func parseNum(s []byte) (v float64, present bool, err error) {
	switch string(s) {
	case "", "null", "NULL", "Null", "NaN", "nan", "NAN", "-", "N/A", "n/a", "NA":
		return 0, false, nil
	}
	v, err = strconv.ParseFloat(string(s), 64)
	if err != nil {
		return 0, false, err
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, nil
	}
	return v, true, nil
}

// quote renders a cell for an error message: Go-quoted (control characters
// escaped) and truncated.
func quote(b []byte) string {
	const maxShow = 40
	if len(b) > maxShow {
		return strconv.Quote(string(b[:maxShow])) + "…"
	}
	return strconv.Quote(string(b))
}
