// Package csvbars reads daily OHLCV bars from the CSV download formats of
// Stooq (Date,Open,High,Low,Close,Volume) and Yahoo Finance
// (Date,Open,High,Low,Close,Adj Close,Volume).
//
// The file is read with encoding/csv (RFC 4180: quoted fields may hold
// commas; CRLF or LF line ends; a UTF-8 byte order mark is dropped). Columns
// may come in any order and headers are matched case-insensitively (spaces,
// '_' and '-' are ignored, so "Adj Close", "adj_close" and "AdjClose" are the
// same column). Unknown columns are ignored. Dates are YYYY-MM-DD; every
// bar's Time is midnight America/New_York of that date, in
// calendar.Location() (one shared *time.Location, so bars from every feed
// compare equal with == and work as map keys). Numbers may carry thousands
// separators in strict groups of three ("1,234.50", quoted).
//
// Rows whose Open, High, Low or Close is missing ("", "null", "NaN", "-",
// infinite) or not positive are skipped and counted (Stats.Skips), never
// invented. So are rows with a price above MaxPrice (`close "1e308" above
// 1e12`: no market quotes such a price, and prices that large overflow the
// indicators' sums) or a volume above MaxVolume (`volume "1e308" above 1e15`),
// and malformed rows, with what was wrong as the reason: a
// bad date, a word where a number belongs (`bad open "abc"`, the volume too),
// a short row (`expected 7 fields, got 6`), a stray quote on one line, a date
// that cannot be a bar's:
//   - after today (`date 2031-01-01 after today`): today is the wall clock's
//     date in UTC+14, the first time zone to reach a date, so a bar an
//     exchange ahead of New York dated today is kept (Options.Now; never a
//     replay's --as-of, so old files replay as before). A clock before 2026
//     (before this rule was written: a machine whose clock was never set, a
//     testing/synctest bubble's year 2000) cannot say what is future and is
//     not used;
//   - a stray row out of the file's order beyond its ends (`date 2026-03-01
//     out of order (the file runs 2024-01-02 to 2025-11-21)`): in a file
//     whose dates mostly rise (or mostly fall), a row other than the first or
//     last, dated after the file's last row (before its first; mirrored for a
//     falling file) and after the row below it (before the row above it),
//     while the rows around it are in order with each other. A file made of
//     two sorted runs, appended corrections and reversed files load as
//     before (sorted, the last row of a date wins).
//
// One garbled row costs that row, not the file. A missing or non-positive
// Volume becomes 0. Close is the unadjusted (split-adjusted only, for
// Yahoo) close; Adj Close is accepted but ignored so that OHLC stay
// mutually consistent.
//
// A file that is not a readable CSV at all is an error naming the file and
// line: binary data or UTF-16 at the start, an empty file, no header (or
// the first line is data), a missing or duplicate column, a line longer
// than 64 KiB, a quote left open across lines, or data rows that are all
// malformed (not one bar parsed), e.g. `AAPL.csv:17: bad date "2024-13-01"`.
//
// Bytes from the file reach an error message only as printable text: a
// file that is not text says "not a CSV file (binary data)", and a cell
// that is not printable text is shown as (unprintable).
package csvbars

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// maxLine bounds a single CSV line (a daily bar line is < 100 bytes).
const maxLine = 64 * 1024

// sniffLen is how much of the start of a file is checked for binary data.
const sniffLen = 1024

// ErrBinary is wrapped by the error of a file that is not text.
var ErrBinary = errors.New("not a CSV file (binary data)")

// MaxPrice is the largest price a row may carry: far above any price a
// market quotes (Berkshire A is under 1e6, even bitcoin in Vietnamese dong
// under 1e10) and far enough below float64's limit that sums and squares of
// prices stay finite. A row with a larger price is skipped and counted.
const MaxPrice = 1e12

// MaxVolume is the largest volume a row may carry: far above any real day's
// volume, in shares or in dollars, and small enough that sums and averages
// of volumes stay finite. A row with a larger volume is skipped and counted.
const MaxVolume = 1e15

// Options tune ParseWith.
type Options struct {
	// Now is the wall clock's time: a row dated after today (see the
	// package doc) is malformed. Zero means time.Now().
	Now time.Time
}

// Stats describes what Parse read.
type Stats struct {
	Rows       int    // data rows read (non-blank lines after the header), including skipped ones
	Skipped    int    // rows skipped: a price missing or not positive, or the row malformed (= len(Skips))
	Skips      []Skip // the skipped rows, in file order
	Duplicates int    // rows replaced by a later row with the same date (last wins)
}

// Skip is one skipped row.
type Skip struct {
	Line   int       // 1-based line number in the file
	Date   time.Time // the row's date (midnight New York); zero when the date is what was wrong
	Reason string    // what was wrong, e.g. "missing close", "low not positive", `bad open "abc"`
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

// skipReasons[k][0] is "missing <price k>", [k][1] "<price k> not positive"
// (constants, so a skipped row costs no allocation for its reason).
var skipReasons = [4][2]string{
	{"missing open", "open not positive"},
	{"missing high", "high not positive"},
	{"missing low", "low not positive"},
	{"missing close", "close not positive"},
}

// Parse reads a daily CSV for symbol. name is used in error messages (usually
// the file name, e.g. "AAPL.csv"). The bars are sorted oldest first with one
// bar per date (a later row for the same date replaces an earlier one).
func Parse(r io.Reader, name, symbol string) ([]engine.Bar, Stats, error) {
	return ParseWith(r, name, symbol, Options{})
}

// ParseWith is Parse with options (the wall clock that says which dates are
// in the future).
func ParseWith(r io.Reader, name, symbol string, o Options) ([]engine.Bar, Stats, error) {
	var st Stats
	ny := calendar.Location()
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	ty, tm, td := now.In(firstZone).Date()
	today := time.Date(ty, tm, td, 0, 0, 0, 0, ny)
	if now.Before(clockTrusted) {
		today = time.Time{}
	}
	ll := &lineLimit{r: r}
	br := bufio.NewReader(ll)
	if err := sniff(br); err != nil {
		return nil, st, fmt.Errorf("%s: %w", name, err)
	}
	cr := csv.NewReader(br) // reuses br: csv wraps only readers smaller than bufio's default
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true

	var idx [numCols]int
	for i := range idx {
		idx[i] = -1
	}
	haveHeader := false
	need := 0 // minimum number of fields in a data row
	rows := make([]row, 0, 512)
	var firstBad error // the first malformed row, the file's error if no row parses
	malformed := func(line int, t time.Time, reason string) {
		if firstBad == nil {
			firstBad = fmt.Errorf("%s:%d: %s", name, line, reason)
		}
		st.Skipped++
		st.Skips = append(st.Skips, Skip{Line: line, Date: t, Reason: reason})
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			if pe, ok := errors.AsType[*csv.ParseError](err); ok && haveHeader && pe.Err != nil && pe.StartLine == pe.Line && !errors.Is(err, errLineTooLong) {
				// A stray quote within one line: that row is garbled, the
				// reader goes on at the next line.
				st.Rows++
				malformed(pe.Line, time.Time{}, pe.Err.Error())
				continue
			}
			return nil, st, readError(name, err, ll)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // a line of spaces
		}
		if !haveHeader {
			if err := parseHeader(rec, &idx); err != nil {
				return nil, st, fmt.Errorf("%s:%d: %w", name, line, err)
			}
			for _, i := range idx {
				need = max(need, i+1)
			}
			haveHeader = true
			continue
		}
		st.Rows++
		if len(rec) < need {
			malformed(line, time.Time{}, fmt.Sprintf("expected %d fields, got %d", need, len(rec)))
			continue
		}
		ds := strings.TrimSpace(rec[idx[colDate]])
		t, ok := parseDate(ds, ny)
		if !ok {
			malformed(line, time.Time{}, "bad date "+quote(ds))
			continue
		}
		if !today.IsZero() && t.After(today) {
			malformed(line, time.Time{}, "date "+ds+" after today")
			continue
		}
		var px [4]float64
		reason, bad := "", false
		for k, c := range [4]column{colOpen, colHigh, colLow, colClose} {
			cell := strings.TrimSpace(rec[idx[c]])
			v, present, err := parseNum(cell)
			if err != nil {
				malformed(line, t, "bad "+colNames[c]+" "+quote(cell))
				bad = true
				break
			}
			switch {
			case reason != "":
			case !present:
				reason = skipReasons[k][0]
			case v <= 0:
				reason = skipReasons[k][1]
			case v > MaxPrice:
				reason = colNames[c] + " " + quote(cell) + " above 1e12"
			}
			px[k] = v
		}
		if bad {
			continue
		}
		if reason != "" {
			st.Skipped++
			st.Skips = append(st.Skips, Skip{Line: line, Date: t, Reason: reason})
			continue
		}
		vol := 0.0
		if i := idx[colVolume]; i >= 0 {
			cell := strings.TrimSpace(rec[i])
			v, present, err := parseNum(cell)
			if err != nil {
				malformed(line, t, "bad volume "+quote(cell))
				continue
			}
			if present && v > MaxVolume {
				malformed(line, t, "volume "+quote(cell)+" above 1e15")
				continue
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
	if !haveHeader {
		return nil, st, fmt.Errorf("%s: empty file (no header)", name)
	}
	if len(rows) == 0 && firstBad != nil {
		// Not one row parsed and some did not parse at all: this is not
		// the CSV it claims to be (a page of text, a broken export).
		return nil, st, firstBad
	}
	if strays := strayRows(rows); len(strays) > 0 {
		first, last := rows[0].bar.Time, rows[len(rows)-1].bar.Time
		if first.After(last) {
			first, last = last, first
		}
		span := " out of order (the file runs " + first.Format(time.DateOnly) + " to " + last.Format(time.DateOnly) + ")"
		for _, i := range strays {
			malformed(rows[i].line, time.Time{}, "date "+rows[i].bar.Time.Format(time.DateOnly)+span)
		}
		slices.SortStableFunc(st.Skips, func(a, b Skip) int { return a.Line - b.Line })
		kept := rows[:0]
		for i, r := range rows {
			if _, stray := slices.BinarySearch(strays, i); !stray {
				kept = append(kept, r)
			}
		}
		rows = kept
	}
	// Sort by date, keeping file order among equal dates, then keep the last
	// row of each date.
	byDate := func(a, b row) int { return a.bar.Time.Compare(b.bar.Time) }
	if !slices.IsSortedFunc(rows, byDate) {
		slices.SortStableFunc(rows, byDate)
	}
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

// row is a parsed data row and its line.
type row struct {
	bar  engine.Bar
	line int
}

// clockTrusted is when a wall clock starts to be believed: a clock before
// 2026 is wrong (this rule was written in 2026).
var clockTrusted = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// firstZone is the first time zone to reach a date (Kiribati, UTC+14).
var firstZone = time.FixedZone("UTC+14", 14*60*60)

// strayRows returns the indexes (rising) of the rows, in file order, whose
// date is out of the file's order beyond its ends (the package doc's rule):
// in a file whose dates mostly rise, row i (not the first or last) with
//
//	date(i) > date(last) and date(i) > date(i+1) and date(i-1) <= date(i+1), or
//	date(i) < date(first) and date(i) < date(i-1) and date(i-1) <= date(i+1);
//
// mirrored for a file whose dates mostly fall.
func strayRows(rows []row) []int {
	n := len(rows)
	if n < 3 {
		return nil
	}
	k := make([]int64, n)
	ups, downs := 0, 0
	for i, r := range rows {
		k[i] = r.bar.Time.Unix()
		if i > 0 {
			switch {
			case k[i] > k[i-1]:
				ups++
			case k[i] < k[i-1]:
				downs++
			}
		}
	}
	if downs > ups { // a falling file: mirror it
		for i := range k {
			k[i] = -k[i]
		}
	}
	var out []int
	for i := 1; i < n-1; i++ {
		if k[i-1] > k[i+1] {
			continue
		}
		if (k[i] > k[n-1] && k[i] > k[i+1]) || (k[i] < k[0] && k[i] < k[i-1]) {
			out = append(out, i)
		}
	}
	return out
}

// readError turns an error of the CSV reader into one naming the file and
// line.
func readError(name string, err error, ll *lineLimit) error {
	if errors.Is(err, errLineTooLong) {
		return fmt.Errorf("%s:%d: line longer than %d bytes", name, ll.line, maxLine)
	}
	if pe, ok := errors.AsType[*csv.ParseError](err); ok && pe.Err != nil {
		if pe.StartLine > 0 && pe.StartLine < pe.Line {
			// A quote left open: the row it starts swallowed the lines after it.
			return fmt.Errorf("%s:%d: %w (the quoted field runs on to line %d)", name, pe.StartLine, pe.Err, pe.Line)
		}
		return fmt.Errorf("%s:%d: %w", name, pe.Line, pe.Err)
	}
	return fmt.Errorf("%s: read: %w", name, err)
}

// sniff drops a UTF-8 byte order mark and rejects a file whose start is not
// text: a UTF-16 file, NUL bytes or invalid UTF-8.
func sniff(br *bufio.Reader) error {
	head, err := br.Peek(sniffLen)
	if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) {
		if errors.Is(err, errLineTooLong) {
			return nil // reported with its line by the CSV reader
		}
		return fmt.Errorf("read: %w", err)
	}
	if bytes.HasPrefix(head, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
		head = head[3:]
	}
	if bytes.HasPrefix(head, []byte("\xff\xfe")) || bytes.HasPrefix(head, []byte("\xfe\xff")) {
		return errors.New("UTF-16 text, not a UTF-8 CSV file (save it as CSV UTF-8)")
	}
	if len(head) == sniffLen { // the window may cut the last rune
		if i := lastRuneStart(head); i >= 0 && !utf8.FullRune(head[i:]) {
			head = head[:i]
		}
	}
	if !isText(head) {
		return ErrBinary
	}
	return nil
}

// lastRuneStart is the index of the byte that starts the last (possibly
// incomplete) UTF-8 sequence of b, or -1.
func lastRuneStart(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			return i
		}
	}
	return -1
}

// isText reports whether b is valid UTF-8 without NUL bytes (control
// characters in text are left to the cells' checks, which name the line).
func isText(b []byte) bool {
	return utf8.Valid(b) && bytes.IndexByte(b, 0) < 0
}

// errLineTooLong is returned by lineLimit.
var errLineTooLong = errors.New("line too long")

// lineLimit passes a reader through, failing once a line grows longer than
// maxLine bytes (a file without line breaks is not read into memory whole).
// line is the 1-based number of the line being read.
type lineLimit struct {
	r    io.Reader
	run  int // bytes of the current line so far
	line int
}

func (l *lineLimit) Read(p []byte) (int, error) {
	if l.line == 0 {
		l.line = 1
	}
	n, err := l.r.Read(p)
	b := p[:n]
	if i := bytes.IndexByte(b, '\n'); i < 0 {
		l.run += len(b)
	} else if l.run+i > maxLine {
		l.run += i
	} else {
		// Lines inside the chunk: at most one more check per chunk, since a
		// chunk (bufio's 4 KiB) is shorter than maxLine.
		l.line += bytes.Count(b, []byte{'\n'})
		l.run = len(b) - bytes.LastIndexByte(b, '\n') - 1
	}
	if l.run > maxLine {
		return 0, errLineTooLong
	}
	return n, err
}

// parseHeader maps header names to column indexes.
func parseHeader(fields []string, idx *[numCols]int) error {
	for _, f := range fields {
		if _, ok := parseDate(strings.TrimSpace(f), time.UTC); ok {
			return errors.New("no header: the first line is data (want a header such as Date,Open,High,Low,Close,Volume)")
		}
	}
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
			return fmt.Errorf("missing column %q in header %s", colNames[c], quote(strings.Join(fields, ",")))
		}
	}
	return nil
}

func normHeader(f string) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c == ' ' || c == '_' || c == '-' || c == '"' || c == '\t':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseDate parses YYYY-MM-DD as midnight in loc.
func parseDate(s string, loc *time.Location) (time.Time, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return time.Time{}, false
	}
	num := func(b string) (int, bool) {
		n := 0
		for i := 0; i < len(b); i++ {
			c := b[i]
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
	if d > daysIn(y, m) { // e.g. 2024-02-30
		return time.Time{}, false
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, loc), true
}

// daysIn is the number of days of month m (1–12) of year y.
func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseNum parses a cell. present=false for the spellings of "missing".
func parseNum(s string) (v float64, present bool, err error) {
	switch s {
	case "", "null", "NULL", "Null", "NaN", "nan", "NAN", "-", "N/A", "n/a", "NA":
		return 0, false, nil
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil {
		g, ok := ungroup(s)
		if !ok {
			return 0, false, err
		}
		if v, err = strconv.ParseFloat(g, 64); err != nil {
			return 0, false, err
		}
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, nil
	}
	return v, true, nil
}

// ungroup removes the thousands separators of a number written with strict
// groups of three ("1,234,567.5" → "1234567.5"). Anything else ("1,5",
// "12,34", "1,,234") is not a grouped number: ok is false.
func ungroup(s string) (string, bool) {
	if !strings.Contains(s, ",") {
		return "", false
	}
	intPart, frac, _ := strings.Cut(s, ".")
	sign := ""
	if intPart != "" && (intPart[0] == '-' || intPart[0] == '+') {
		sign, intPart = intPart[:1], intPart[1:]
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return "", false
	}
	for i, g := range groups {
		if (i > 0 && len(g) != 3) || strings.Trim(g, "0123456789") != "" {
			return "", false
		}
	}
	out := sign + strings.Join(groups, "")
	if strings.Contains(s, ".") {
		out += "." + frac
	}
	return out, true
}

// quote renders a cell for an error message: Go-quoted and truncated when it
// is printable text, else "(unprintable)": bytes from a file reach a
// terminal only as printable text, never escaped or raw.
func quote(s string) string {
	const maxShow = 40
	if !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return "(unprintable)"
	}
	if utf8.RuneCountInString(s) > maxShow {
		r := []rune(s)
		return strconv.Quote(string(r[:maxShow])) + "…"
	}
	return strconv.Quote(s)
}
