// Package members reads the member list of a breadth universe: the iShares
// holdings file of IWM (Russell 2000) or IJR (S&P SmallCap 600), a CSV with
// a Ticker column, or a file with one symbol per line. Tickers are kept in
// a canonical form (share classes with a dot: BRK.B) and converted for each
// feed with ForFeed (Yahoo and Stooq want BRK-B).
//
// The iShares file has a preamble (fund name, "Fund Holdings as of", …),
// then the header `Ticker,Name,Sector,Asset Class,Market Value,Weight (%),…`,
// one row per holding — equities, but also cash, money-market funds,
// futures and other derivatives — and a trailing disclaimer. Only rows with
// Asset Class "Equity" and a listed ticker are members.
package members

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Universe names accepted by [breadth] universe besides a file path.
const (
	IWM = "iwm"
	IJR = "ijr"
)

// Formats a list can have.
const (
	FormatIShares = "ishares"
	FormatCSV     = "csv"
	FormatLines   = "lines"
)

// List is a parsed members list.
type List struct {
	Symbols []string // canonical tickers, in file order, unique
	Format  string   // FormatIShares, FormatCSV or FormatLines
	// AsOf is the iShares file's "Fund Holdings as of" date as written
	// (e.g. "Oct 10, 2025"); "" for other formats.
	AsOf string
	// NonEquity counts holdings rows that are not equities (cash, futures,
	// money-market funds…).
	NonEquity int
	// Skipped lists equity rows (or lines) whose ticker is not a usable
	// symbol.
	Skipped []Skipped
	// Duplicates counts repeated symbols dropped.
	Duplicates int
}

// Skipped is a row that was left out.
type Skipped struct {
	Line   int    // 1-based line in the file
	Ticker string // as written (sanitised by the caller before display)
	Reason string
}

// ErrNoMembers is returned when a file yields no usable symbol.
var ErrNoMembers = errors.New("members: no member symbols")

// MaxSize bounds a members file (the iShares IWM file is ~0.5 MB).
const MaxSize = 16 << 20

// iSharesClass maps the concatenated share-class tickers the iShares files
// use to the exchange's form. Only listed ones are split: NASDAQ tickers
// such as RUSHA, FOXA or GOOGL are real tickers and stay whole.
var iSharesClass = map[string]string{
	"BRKA": "BRK.A", "BRKB": "BRK.B", "BFA": "BF.A", "BFB": "BF.B",
	"LENB": "LEN.B", "GEFB": "GEF.B", "HEIA": "HEI.A", "UHALB": "UHAL.B",
	"MOGA": "MOG.A", "MOGB": "MOG.B", "LGFA": "LGF.A", "LGFB": "LGF.B",
	"CRDA": "CRD.A", "CRDB": "CRD.B", "CWENA": "CWEN.A", "BIOB": "BIO.B",
	"AKOA": "AKO.A", "AKOB": "AKO.B", "GTNA": "GTN.A", "HVTA": "HVT.A",
	"MKCV": "MKC.V", "WSOB": "WSO.B", "STZB": "STZ.B", "TAPA": "TAP.A",
	"AGMA": "AGM.A", "BHA": "BH.A", "EBRB": "EBR.B", "PBRA": "PBR.A",
}

var (
	// strictRe is a listed US equity ticker (iShares rows): letters, with an
	// optional one-letter class.
	strictRe = regexp.MustCompile(`^[A-Z]{1,5}(\.[A-Z])?$`)
	// looseRe accepts what a user's own list may hold (e.g. BRK.B, RY.TO).
	looseRe = regexp.MustCompile(`^[A-Z0-9][A-Z0-9]{0,9}(\.[A-Z0-9]{1,4})?$`)
	classRe = regexp.MustCompile(`^([A-Z]{1,5})[ ./-]([A-Z])$`)
)

// Canonical returns the canonical form of a ticker as written in a list:
// upper case, share classes with a dot (BRK/B, BRK-B, "BRK B" → BRK.B), and
// the iShares concatenated classes split (BRKB → BRK.B) when ishares.
func Canonical(t string, ishares bool) string {
	t = strings.ToUpper(strings.TrimSpace(t))
	if m := classRe.FindStringSubmatch(t); m != nil {
		return m[1] + "." + m[2]
	}
	if ishares {
		if c, ok := iSharesClass[t]; ok {
			return c
		}
	}
	return t
}

// ForFeed converts a canonical ticker to the form a feed uses: Yahoo and
// Stooq write share classes with a dash (BRK-B); Alpaca, replay and demo
// keep the dot.
func ForFeed(sym, feed string) string {
	switch strings.ToLower(feed) {
	case "yahoo", "stooq":
		return strings.ReplaceAll(sym, ".", "-")
	}
	return sym
}

// FromFeed is ForFeed's inverse for a member list: it maps a feed's ticker
// back to the canonical one.
func FromFeed(sym, feed string) string {
	switch strings.ToLower(feed) {
	case "yahoo", "stooq":
		if m := classRe.FindStringSubmatch(sym); m != nil {
			return m[1] + "." + m[2]
		}
	}
	return sym
}

// ReadFile parses the members file at path.
func ReadFile(path string) (List, error) {
	f, err := os.Open(path)
	if err != nil {
		return List{}, fmt.Errorf("members: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxSize+1))
	if err != nil {
		return List{}, fmt.Errorf("members: read %s: %w", path, err)
	}
	if len(data) > MaxSize {
		return List{}, fmt.Errorf("members: %s is larger than %d MB", path, MaxSize>>20)
	}
	l, err := Parse(data)
	if err != nil {
		return l, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// Parse reads a members list: an iShares holdings file, a CSV with a
// Ticker (or Symbol) column, or one symbol per line (blank lines and lines
// starting with # are ignored).
func Parse(data []byte) (List, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, 0) >= 0 {
		return List{}, errors.New("members: binary data, not a text list")
	}
	lines := splitLines(data)
	hdr, col := findHeader(lines)
	var l List
	var err error
	if hdr < 0 {
		l, err = parseLines(lines)
	} else {
		l, err = parseCSV(lines, hdr, col)
	}
	if err != nil {
		return l, err
	}
	if len(l.Symbols) == 0 {
		return l, ErrNoMembers
	}
	return l, nil
}

func splitLines(data []byte) []string {
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), MaxSize)
	for sc.Scan() {
		out = append(out, strings.TrimRight(sc.Text(), "\r"))
	}
	return out
}

// firstField returns a CSV line's first field, unquoted and trimmed.
func firstField(line string) string {
	f, _, _ := strings.Cut(line, ",")
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(f), `"`))
}

// findHeader returns the index of the header line and its Ticker (or
// Symbol) column: the first non-empty line when it has such a column (a
// plain CSV), else a line within the first 40 that also has an "Asset
// Class" column (the iShares header after its preamble). -1 when none.
func findHeader(lines []string) (int, int) {
	first := true
	for i, line := range lines[:min(len(lines), 40)] {
		if strings.TrimSpace(line) == "" {
			continue
		}
		r := csv.NewReader(strings.NewReader(line))
		r.LazyQuotes = true
		rec, err := r.Read()
		if err != nil {
			first = false
			continue
		}
		tcol, ac := -1, false
		for j, f := range rec {
			switch strings.ToLower(strings.TrimSpace(f)) {
			case "ticker", "symbol":
				if tcol < 0 {
					tcol = j
				}
			case "asset class":
				ac = true
			}
		}
		if tcol >= 0 && (first || ac) {
			return i, tcol
		}
		first = false
	}
	return -1, -1
}

func (l *List) add(seen map[string]bool, sym string) {
	if seen[sym] {
		l.Duplicates++
		return
	}
	seen[sym] = true
	l.Symbols = append(l.Symbols, sym)
}

func parseLines(lines []string) (List, error) {
	l := List{Format: FormatLines}
	seen := map[string]bool{}
	for i, line := range lines {
		s := strings.TrimSpace(line)
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		if strings.ContainsAny(s, ",;\t") {
			return l, fmt.Errorf("members: line %d: %q looks like CSV but the file has no Ticker column", i+1, clip(s))
		}
		sym := Canonical(s, false)
		if !looseRe.MatchString(sym) {
			l.Skipped = append(l.Skipped, Skipped{Line: i + 1, Ticker: s, Reason: "not a ticker"})
			continue
		}
		l.add(seen, sym)
	}
	return l, nil
}

func parseCSV(lines []string, hdr, tcol int) (List, error) {
	r := csv.NewReader(strings.NewReader(strings.Join(lines[hdr:], "\n")))
	r.LazyQuotes = true
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return List{}, fmt.Errorf("members: header: %w", err)
	}
	col := map[string]int{}
	for j, f := range head {
		col[strings.ToLower(strings.TrimSpace(f))] = j
	}
	ac, hasAC := col["asset class"]
	ex, hasEx := col["exchange"]
	l := List{Format: FormatCSV}
	if hasAC {
		l.Format = FormatIShares
		l.AsOf = holdingsAsOf(lines[:hdr])
	}
	seen := map[string]bool{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		line += hdr
		if err != nil {
			return l, fmt.Errorf("members: line %d: %w", line, err)
		}
		if len(rec) <= tcol || (len(head) > 1 && len(rec) < 2) {
			continue // the disclaimer or another trailer line
		}
		raw := strings.TrimSpace(rec[tcol])
		if hasAC {
			if len(rec) <= ac {
				continue
			}
			if !strings.EqualFold(strings.TrimSpace(rec[ac]), "Equity") {
				l.NonEquity++
				continue
			}
			if hasEx && len(rec) > ex && strings.HasPrefix(strings.ToUpper(strings.TrimSpace(rec[ex])), "NO MARKET") {
				l.Skipped = append(l.Skipped, Skipped{Line: line, Ticker: raw, Reason: "unlisted"})
				continue
			}
		}
		if raw == "" {
			continue
		}
		sym := Canonical(raw, hasAC)
		ok := looseRe.MatchString(sym)
		if hasAC {
			ok = strictRe.MatchString(sym)
		}
		if !ok {
			l.Skipped = append(l.Skipped, Skipped{Line: line, Ticker: raw, Reason: "not a listed ticker"})
			continue
		}
		l.add(seen, sym)
	}
	return l, nil
}

// holdingsAsOf finds `Fund Holdings as of,"Oct 10, 2025"` in the preamble.
func holdingsAsOf(pre []string) string {
	for _, line := range pre {
		if strings.EqualFold(firstField(line), "Fund Holdings as of") {
			r := csv.NewReader(strings.NewReader(line))
			r.LazyQuotes = true
			if rec, err := r.Read(); err == nil && len(rec) > 1 {
				return clip(strings.TrimSpace(rec[1]))
			}
		}
	}
	return ""
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
