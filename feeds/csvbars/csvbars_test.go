package csvbars

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

func nyDate(t *testing.T, s string) time.Time {
	t.Helper()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	d, err := time.ParseInLocation("2006-01-02", s, ny)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func parseFile(t *testing.T, file, sym string) ([]engine.Bar, Stats) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bars, st, err := Parse(f, file, sym)
	if err != nil {
		t.Fatalf("Parse(%s): %v", file, err)
	}
	return bars, st
}

func TestParseFormats(t *testing.T) {
	tests := []struct {
		file    string
		sym     string
		want    []engine.Bar // Time is filled from date
		dates   []string
		rows    int
		skipped []int
	}{
		{
			file: "stooq_iwm.csv", sym: "IWM",
			dates: []string{"2024-01-02", "2024-01-03", "2024-01-04"},
			want: []engine.Bar{
				{Open: 200, High: 201.5, Low: 198.25, Close: 199.75, Volume: 31e6},
				{Open: 199.5, High: 200, Low: 195.5, Close: 196, Volume: 35e6},
				{Open: 196.1, High: 197.9, Low: 195, Close: 197.5, Volume: 28e6},
			},
			rows: 3,
		},
		{
			file: "yahoo_spy.csv", sym: "SPY",
			dates: []string{"2024-07-01", "2024-07-03"},
			want: []engine.Bar{
				{Open: 545, High: 548.5, Low: 544, Close: 547.25, Volume: 40e6},
				{Open: 547.5, High: 551, Low: 547, Close: 550.5, Volume: 32e6},
			},
			rows: 3, skipped: []int{3},
		},
		{
			file: "shuffled.csv", sym: "PSCT",
			dates: []string{"2024-03-04", "2024-03-05"},
			want: []engine.Bar{
				{Open: 45.2, High: 46.5, Low: 45.1, Close: 46.25, Volume: 0},
				{Open: 45, High: 46, Low: 44.8, Close: 45.5, Volume: 1000},
			},
			rows: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			bars, st := parseFile(t, tc.file, tc.sym)
			if len(bars) != len(tc.want) {
				t.Fatalf("got %d bars, want %d: %+v", len(bars), len(tc.want), bars)
			}
			for i, w := range tc.want {
				w.Symbol = tc.sym
				w.Time = nyDate(t, tc.dates[i])
				g := bars[i]
				if !g.Time.Equal(w.Time) || g.Symbol != w.Symbol || g.Open != w.Open || g.High != w.High ||
					g.Low != w.Low || g.Close != w.Close || g.Volume != w.Volume {
					t.Errorf("bar %d = %+v, want %+v", i, g, w)
				}
				if g.Date() != tc.dates[i] {
					t.Errorf("bar %d Date() = %s, want %s", i, g.Date(), tc.dates[i])
				}
			}
			if st.Rows != tc.rows || st.Skipped != len(tc.skipped) || !slices.Equal(skipLines(st), tc.skipped) {
				t.Errorf("stats = %+v, want rows %d skipped %v", st, tc.rows, tc.skipped)
			}
		})
	}
}

func TestParseTimeIsNYMidnight(t *testing.T) {
	in := "Date,Open,High,Low,Close,Volume\n2024-01-02,1,1,1,1,1\n2024-07-01,1,1,1,1,1\n"
	bars, _, err := Parse(strings.NewReader(in), "x.csv", "X")
	if err != nil {
		t.Fatal(err)
	}
	// Winter: EST = UTC-5; summer: EDT = UTC-4 (hand-computed).
	want := []time.Time{
		time.Date(2024, 1, 2, 5, 0, 0, 0, time.UTC),
		time.Date(2024, 7, 1, 4, 0, 0, 0, time.UTC),
	}
	for i, b := range bars {
		if !b.Time.Equal(want[i]) {
			t.Errorf("bar %d time %v (UTC %v), want UTC %v", i, b.Time, b.Time.UTC(), want[i])
		}
		if b.Time.Location().String() != "America/New_York" {
			t.Errorf("bar %d location %s", i, b.Time.Location())
		}
	}
}

func TestParseSkipsMissingAndNonPositive(t *testing.T) {
	in := strings.Join([]string{
		"Date,Open,High,Low,Close,Volume", // line 1
		"2024-01-02,10,11,9,10.5,100",     // 2 ok
		"2024-01-03,,11,9,10.5,100",       // 3 empty open
		"2024-01-04,10,NaN,9,10.5,100",    // 4 NaN high
		"2024-01-05,10,11,0,10.5,100",     // 5 zero low
		"2024-01-08,10,11,9,-1,100",       // 6 negative close
		"",                                // 7 blank: ignored, not a row
		"2024-01-09,10,11,9,10.5,null",    // 8 ok, volume missing -> 0
		"2024-01-10,10,11,9,10.5",         // 9 short row (the header has 6 columns): skipped, malformed
	}, "\n")
	bars, st, err := Parse(strings.NewReader(in), "T.csv", "T")
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 2 || bars[0].Date() != "2024-01-02" || bars[1].Date() != "2024-01-09" || bars[1].Volume != 0 {
		t.Errorf("bars = %+v", bars)
	}
	if st.Rows != 7 || st.Skipped != 5 || !slices.Equal(skipLines(st), []int{3, 4, 5, 6, 9}) {
		t.Errorf("stats = %+v", st)
	}
	if r := st.Skips[4].Reason; r != "expected 6 fields, got 5" {
		t.Errorf("short row's reason %q", r)
	}
}

// TestParseSkipsMalformedRows (QA-2 M2): one garbled row among good ones is
// skipped and counted with its line and what was wrong, like a missing
// price; the good rows all load. It was an error that rejected the file.
func TestParseSkipsMalformedRows(t *testing.T) {
	const hdr = "Date,Open,High,Low,Close,Adj Close,Volume\n" // Yahoo's 7 columns
	good := func(b *strings.Builder, from time.Time, n int) {
		for i := range n {
			fmt.Fprintf(b, "%s,10,11,9,10.5,10.5,100\n", from.AddDate(0, 0, i).Format(time.DateOnly))
		}
	}
	d0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ name, row, reason string }{
		{"word for a price", "2025-01-02,abc,1,1,1,1,100", `bad open "abc"`},
		{"short row", "2025-01-02,1,1,1,1,100", "expected 7 fields, got 6"},
		{"bad date", "2024-13-01,1,1,1,1,1,1", `bad date "2024-13-01"`},
		{"no such day", "2023-04-31,1,1,1,1,1,1", `bad date "2023-04-31"`},
		{"word for volume", "2025-01-02,1,1,1,1,1,lots", `bad volume "lots"`},
		{"decimal comma", `2025-01-02,"1,5",1,1,1,1,1`, `bad open "1,5"`},
		{"control characters", "2025-01-02,1,\x1b[31m,1,1,1,1", "bad high (unprintable)"},
		{"stray quote", `2025-01-02,1"2,1,1,1,1,1`, `bare " in non-quoted-field`},
		// QA-3 F8: a date no bar can have, a price no market quotes.
		{"date after today", "2099-01-02,1,1,1,1,1,1", "date 2099-01-02 after today"},
		{"stray date after the file's end", "2026-03-02,1,1,1,1,1,1", "date 2026-03-02 out of order (the file runs 2024-01-01 to 2025-08-08)"},
		{"stray date before the file's start", "1999-01-04,1,1,1,1,1,1", "date 1999-01-04 out of order (the file runs 2024-01-01 to 2025-08-08)"},
		{"absurd close", "2024-06-03,1,1,1,1e308,1,1", `close "1e308" above 1e12`},
		{"absurd high", "2024-06-03,1,1.5e12,1,1,1,1", `high "1.5e12" above 1e12`},
		{"absurd volume", "2024-06-03,1,1,1,1,1,1e308", `volume "1e308" above 1e15`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			b.WriteString(hdr)
			good(&b, d0, 99)             // lines 2..100
			b.WriteString(tc.row + "\n") // line 101
			good(&b, d0.AddDate(1, 0, 0), 220)
			bars, st, err := Parse(strings.NewReader(b.String()), "IWM.csv", "IWM")
			if err != nil {
				t.Fatalf("one bad row rejected the file: %v", err)
			}
			if len(bars) != 99+220 || st.Rows != 320 || st.Skipped != 1 {
				t.Fatalf("%d bars, stats %+v; want 319 bars, 320 rows, 1 skipped", len(bars), st)
			}
			if sk := st.Skips[0]; sk.Line != 101 || sk.Reason != tc.reason {
				t.Errorf("skip %+v, want line 101 %q", sk, tc.reason)
			}
		})
	}
	// A file whose rows all fail to parse is not the CSV it claims to be:
	// the first bad row is the file's error.
	_, _, err := Parse(strings.NewReader(hdr+"2025-01-02,abc,1,1,1,1,100\n2025-01-03,1,1,1\n"), "IWM.csv", "IWM")
	if err == nil || err.Error() != `IWM.csv:2: bad open "abc"` {
		t.Errorf("all rows malformed: err = %v", err)
	}
	// A quote left open swallows the lines after it: an error, not a skip.
	_, _, err = Parse(strings.NewReader(hdr+"2025-01-02,1,1,1,1,1,1\n2025-01-03,\"1,1,1,1,1,1\n2025-01-06,1,1,1,1,1,1\n"), "IWM.csv", "IWM")
	if err == nil || !strings.HasPrefix(err.Error(), "IWM.csv:3: ") {
		t.Errorf("open quote: err = %v", err)
	}
}

func TestParseSortsAndDedupes(t *testing.T) {
	in := "Date,Open,High,Low,Close,Volume\n" +
		"2024-01-04,3,3,3,3,3\n" +
		"2024-01-02,1,1,1,1,1\n" +
		"2024-01-03,2,2,2,2,2\n" +
		"2024-01-02,9,9,9,9,9\n" // replaces the earlier 2024-01-02
	bars, st, err := Parse(strings.NewReader(in), "d.csv", "D")
	if err != nil {
		t.Fatal(err)
	}
	var got []float64
	for _, b := range bars {
		got = append(got, b.Close)
	}
	if !slices.Equal(got, []float64{9, 2, 3}) || st.Duplicates != 1 || st.Rows != 4 {
		t.Errorf("closes %v stats %+v; want [9 2 3], 1 duplicate", got, st)
	}
}

func TestParseOptionalVolumeColumnCRLFAndBOM(t *testing.T) {
	in := "\xef\xbb\xbf\"Date\",\"Open\",\"High\",\"Low\",\"Close\"\r\n2024-01-02,1.5,2,1,1.75\r\n"
	bars, _, err := Parse(strings.NewReader(in), "b.csv", "B")
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 1 || bars[0].Close != 1.75 || bars[0].Volume != 0 {
		t.Errorf("bars = %+v", bars)
	}
}

func TestParseSkipsAllCountedWithDatesAndReasons(t *testing.T) {
	var b strings.Builder
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	d := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 150 {
		fmt.Fprintf(&b, "%s,null,null,null,null,0\n", d.AddDate(0, 0, i).Format("2006-01-02"))
	}
	b.WriteString("2020-06-01,1,2,0,1,5\n")
	bars, st, err := Parse(strings.NewReader(b.String()), "c.csv", "C")
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 0 || st.Skipped != 151 || len(st.Skips) != 151 {
		t.Fatalf("bars %d stats skipped=%d skips=%d", len(bars), st.Skipped, len(st.Skips))
	}
	first, last := st.Skips[0], st.Skips[150]
	if first.Line != 2 || first.Date.Format(time.DateOnly) != "2020-01-01" || first.Reason != "missing open" {
		t.Errorf("first skip %+v", first)
	}
	if last.Line != 152 || last.Date.Format(time.DateOnly) != "2020-06-01" || last.Reason != "low not positive" {
		t.Errorf("last skip %+v", last)
	}
}

func TestParseErrors(t *testing.T) {
	hdr := "Date,Open,High,Low,Close,Volume\n"
	tests := []struct {
		name, in, want string
	}{
		// Rows that do not parse are skipped (TestParseSkipsMalformedRows),
		// but a file with no row that parses is an error naming the first.
		{"bad month", hdr + strings.Repeat("2024-13-01,1,1,1,1,1\n", 15), `AAPL.csv:2: bad date "2024-13-01"`},
		{"feb 30", hdr + "2024-02-30,1,1,1,1,1\n", `AAPL.csv:2: bad date "2024-02-30"`},
		{"1900 not leap", hdr + "1900-02-29,1,1,1,1,1\n", `AAPL.csv:2: bad date "1900-02-29"`},
		{"apr 31", hdr + "2023-04-31,1,1,1,1,1\n", `AAPL.csv:2: bad date "2023-04-31"`},
		{"us date", hdr + "01/02/2024,1,1,1,1,1\n", `AAPL.csv:2: bad date "01/02/2024"`},
		{"bad number", hdr + "2024-01-02,1,abc,1,1,1\n", `AAPL.csv:2: bad high "abc"`},
		{"bad volume", hdr + "2024-01-02,1,1,1,1,lots\n", `AAPL.csv:2: bad volume "lots"`},
		{"control chars quoted", hdr + "2024-01-02,\x1b[31m,1,1,1,1\n", `AAPL.csv:2: bad open (unprintable)`},
		{"missing close", "Date,Open,High,Low,Volume\n", `AAPL.csv:1: missing column "close" in header "Date,Open,High,Low,Volume"`},
		{"duplicate column", "Date,Open,High,Low,Close,close\n", `AAPL.csv:1: duplicate column "close"`},
		{"empty", "", `AAPL.csv: empty file (no header)`},
		{"blank only", "\n \n", `AAPL.csv: empty file (no header)`},
		{"no header", "2024-01-02,1,1,1,1,1\n2024-01-03,1,1,1,1,1\n", `AAPL.csv:1: no header: the first line is data (want a header such as Date,Open,High,Low,Close,Volume)`},
		{"stooq no data", "No data", `AAPL.csv:1: missing column "date" in header "No data"`},
		{"long line", hdr + strings.Repeat("x", maxLine+10), `AAPL.csv:2: line longer than 65536 bytes`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Parse(strings.NewReader(tc.in), "AAPL.csv", "AAPL")
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("err = %q\nwant  %q", err.Error(), tc.want)
			}
		})
	}
}

// FuzzParse checks that no input panics and that successful parses satisfy
// the documented invariants. Seeds: testdata/*.csv and testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.csv"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		bars, st, err := Parse(bytes.NewReader(data), "fuzz.csv", "FZ")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.csv") {
				t.Errorf("error does not name the file: %v", err)
			}
			if !printable(err.Error()) {
				t.Errorf("error shows unprintable bytes from the file: %q", err.Error())
			}
			return
		}
		if st.Skipped > st.Rows || len(st.Skips) != st.Skipped ||
			len(bars)+st.Skipped+st.Duplicates != st.Rows {
			t.Errorf("inconsistent stats %+v for %d bars", st, len(bars))
		}
		for _, sk := range st.Skips {
			if !printable(sk.Reason) {
				t.Errorf("skip reason shows unprintable bytes from the file: %q", sk.Reason)
			}
		}
		tomorrow := time.Now().AddDate(0, 0, 2) // UTC+14's today is at most tomorrow in New York
		for i, b := range bars {
			if b.Time.After(tomorrow) {
				t.Fatalf("bar %d dated after today: %v", i, b.Time)
			}
			for _, v := range []float64{b.Open, b.High, b.Low, b.Close} {
				if !(v > 0) || v > MaxPrice {
					t.Fatalf("bar %d has bad price %v", i, v)
				}
			}
			if b.Volume < 0 || math.IsNaN(b.Volume) || b.Volume > MaxVolume {
				t.Fatalf("bar %d has bad volume %v", i, b.Volume)
			}
			if h, m, s := b.Time.Clock(); h != 0 || m != 0 || s != 0 {
				t.Fatalf("bar %d not at midnight: %v", i, b.Time)
			}
			if i > 0 && !bars[i-1].Time.Before(b.Time) {
				t.Fatalf("bars not strictly increasing at %d", i)
			}
		}
	})
}

// writeBench builds n rows of a plausible daily file.
func benchFile(sym string, n int, seed float64) []byte {
	var b bytes.Buffer
	b.WriteString("Date,Open,High,Low,Close,Adj Close,Volume\n")
	d := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	p := 100 + seed
	for i := 0; i < n; {
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			p *= 1 + 0.01*math.Sin(float64(i)*0.7+seed)
			fmt.Fprintf(&b, "%s,%.2f,%.2f,%.2f,%.2f,%.4f,%d\n", d.Format("2006-01-02"), p, p*1.01, p*0.99, p*1.002, p*0.98, 1000000+i*37)
			i++
		}
		d = d.AddDate(0, 0, 1)
	}
	_ = sym
	return b.Bytes()
}

// BenchmarkParse20Symbols2Years parses 20 files of 504 daily rows each (one op = all 20).
func BenchmarkParse20Symbols2Years(b *testing.B) {
	files := make([][]byte, 20)
	for i := range files {
		files[i] = benchFile(fmt.Sprintf("S%d", i), 504, float64(i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for i, data := range files {
			bars, _, err := Parse(bytes.NewReader(data), "s.csv", "S")
			if err != nil || len(bars) != 504 {
				b.Fatalf("file %d: %d bars, %v", i, len(bars), err)
			}
		}
	}
}

func TestParseUsesSharedLocation(t *testing.T) {
	bars, _, err := Parse(strings.NewReader("Date,Open,High,Low,Close\n2024-01-02,1,1,1,1\n"), "l.csv", "L")
	if err != nil {
		t.Fatal(err)
	}
	if bars[0].Time.Location() != calendar.Location() {
		t.Error("bar time not in calendar.Location()")
	}
}

// skipLines lists the line numbers of the skipped rows.
func skipLines(st Stats) []int {
	var out []int
	for _, s := range st.Skips {
		out = append(out, s.Line)
	}
	return out
}

// printable reports whether s is valid UTF-8 made of printable runes.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) })
}

// randomBytes returns n seeded pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

// A file of random bytes is "not a CSV file (binary data)": none of its
// bytes reach the message, escaped or not (issue 14 item 9).
func TestParseRandomBytesIsBinary(t *testing.T) {
	for seed := range uint64(20) {
		for _, n := range []int{3, 100, 2000, 100_000} {
			_, _, err := Parse(bytes.NewReader(randomBytes(seed, n)), "PSCT.csv", "PSCT")
			if err == nil {
				t.Fatalf("seed %d n %d: no error", seed, n)
			}
			// 3 random bytes may happen to be text; then the message is
			// about the header, still printable.
			if n >= 100 && err.Error() != "PSCT.csv: not a CSV file (binary data)" {
				t.Errorf("seed %d n %d: err = %q", seed, n, err)
			}
			if !printable(err.Error()) {
				t.Errorf("seed %d n %d: unprintable message %q", seed, n, err)
			}
		}
	}
}

// Binary bytes after a good start, and a UTF-16 file, are named without
// showing their bytes.
func TestParseBinaryLaterAndUTF16(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	for i := range 60 {
		fmt.Fprintf(&b, "2024-01-%02d,1,1,1,1,1\n", 1+i%28)
	}
	b.WriteString("2024-03-01,6\x8c\xd1\xe6\x9b\x89,1,1,1,1\n")
	_, st, err := Parse(&b, "X.csv", "X")
	if err != nil || st.Skipped != 1 || st.Skips[0].Line != 62 || st.Skips[0].Reason != "bad open (unprintable)" {
		t.Errorf("err = %v, skips %+v; want line 62 skipped: bad open (unprintable)", err, st.Skips)
	}
	utf16 := []byte("\xff\xfeD\x00a\x00t\x00e\x00")
	_, _, err = Parse(bytes.NewReader(utf16), "U.csv", "U")
	if err == nil || err.Error() != "U.csv: UTF-16 text, not a UTF-8 CSV file (save it as CSV UTF-8)" {
		t.Errorf("utf-16: err = %v", err)
	}
	// A multi-byte rune cut by the sniffing window is still text.
	head := "Date,Open,High,Low,Close,Name\n" + strings.Repeat("2024-01-02,1,1,1,1,é\n", 60)
	if _, _, err := Parse(strings.NewReader(head), "E.csv", "E"); err != nil {
		t.Errorf("text with é across the sniff window: %v", err)
	}
}

// Quoted fields may hold commas (a name column, thousands separators);
// the hand-rolled splitter this replaced shifted every column after them.
func TestParseQuotedFieldsWithCommas(t *testing.T) {
	in := "Date,Name,Open,High,Low,Close,Volume\n" +
		"2024-01-02,\"iShares Russell 2000, ETF\",\"1,234.50\",\"1,240\",1230.25,1238,\"31,000,000\"\n" +
		"2024-01-03,\"say \"\"hi\"\", twice\",10,11,9,10.5,100\n"
	bars, st, err := Parse(strings.NewReader(in), "Q.csv", "Q")
	if err != nil {
		t.Fatal(err)
	}
	if len(bars) != 2 || st.Rows != 2 {
		t.Fatalf("bars %+v stats %+v", bars, st)
	}
	b := bars[0]
	if b.Open != 1234.5 || b.High != 1240 || b.Low != 1230.25 || b.Close != 1238 || b.Volume != 31e6 {
		t.Errorf("bar 0 = %+v", b)
	}
	if b := bars[1]; b.Open != 10 || b.Close != 10.5 || b.Volume != 100 {
		t.Errorf("bar 1 = %+v", b)
	}
	// Only strict groups of three are thousands separators: a decimal
	// comma is an error, never a number 10 or 100 times too large.
	for _, cell := range []string{"1,5", "12,34", "1,,234", "1234,567", ",123"} {
		in := "Date,Open,High,Low,Close\n2024-01-02,\"" + cell + "\",1,1,1\n"
		_, _, err := Parse(strings.NewReader(in), "Q.csv", "Q")
		if want := fmt.Sprintf("Q.csv:2: bad open %q", cell); err == nil || err.Error() != want {
			t.Errorf("%s: err = %v, want %s", cell, err, want)
		}
	}
	// A stray quote skips its row, with its line, not a silent mis-split.
	_, st, err = Parse(strings.NewReader("Date,Open,High,Low,Close\n2024-01-02,1,1,1,1\n2024-01-03,1\"2,1,1,1\n"), "Q.csv", "Q")
	if err != nil || st.Skipped != 1 || st.Skips[0].Line != 3 {
		t.Errorf("stray quote: err = %v, skips %+v", err, st.Skips)
	}
}

// A non-numeric cell deep in a file names its line (here line 45).
func TestParseNonNumericCellLine45(t *testing.T) {
	var b strings.Builder
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	d := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 43 {
		fmt.Fprintf(&b, "%s,1,2,1,2,100\n", d.AddDate(0, 0, i).Format(time.DateOnly))
	}
	b.WriteString("2024-03-05,1,2,x,3,100\n")
	bars, st, err := Parse(strings.NewReader(b.String()), "XLK.csv", "XLK")
	if err != nil || len(bars) != 43 || st.Skipped != 1 || st.Skips[0].Line != 45 || st.Skips[0].Reason != `bad low "x"` {
		t.Errorf("err = %v, %d bars, skips %+v; want 43 bars, line 45 skipped: bad low \"x\"", err, len(bars), st.Skips)
	}
}

// TestParseFutureIsTheWallClocks (QA-3 F8): "after today" is the injected
// wall clock's date in UTC+14, the first zone to reach a date: at 10:00 UTC
// on 2026-12-07 it is already 2026-12-08 there (00:00), so a bar dated
// 2026-12-08 (an exchange ahead of New York) is kept and one dated
// 2026-12-09 is skipped. A file dated long before the clock is untouched.
func TestParseFutureIsTheWallClocks(t *testing.T) {
	in := "Date,Open,High,Low,Close,Volume\n" +
		"2026-12-04,1,1,1,1,1\n" +
		"2026-12-07,2,2,2,2,2\n" +
		"2026-12-08,3,3,3,3,3\n" +
		"2026-12-09,4,4,4,4,4\n" + // line 5
		"2031-01-01,5,5,5,5,5\n" // line 6
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	bars, st, err := ParseWith(strings.NewReader(in), "F.csv", "F", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range bars {
		got = append(got, b.Date())
	}
	if !slices.Equal(got, []string{"2026-12-04", "2026-12-07", "2026-12-08"}) {
		t.Errorf("bars %v, want up to 2026-12-08", got)
	}
	want := []Skip{{Line: 5, Reason: "date 2026-12-09 after today"}, {Line: 6, Reason: "date 2031-01-01 after today"}}
	if st.Rows != 5 || st.Skipped != 2 || !slices.Equal(st.Skips, want) {
		t.Errorf("stats %+v, want skips %+v", st, want)
	}
	// A minute earlier it is still 2026-12-07 in UTC+14: 2026-12-08 is after today.
	_, st, _ = ParseWith(strings.NewReader(in), "F.csv", "F", Options{Now: now.Add(-10*time.Hour - time.Minute)})
	if st.Skipped != 3 || st.Skips[0].Reason != "date 2026-12-08 after today" {
		t.Errorf("at %v: stats %+v", now.Add(-10*time.Hour-time.Minute), st)
	}
	// Parse uses the real clock: a row a year from now is skipped.
	next := time.Now().AddDate(1, 0, 0).Format(time.DateOnly)
	_, st, _ = Parse(strings.NewReader("Date,Open,High,Low,Close\n2024-01-02,1,1,1,1\n"+next+",1,1,1,1\n"), "F.csv", "F")
	if st.Skipped != 1 || st.Skips[0].Reason != "date "+next+" after today" {
		t.Errorf("Parse: stats %+v", st)
	}
	// A clock before 2026 is wrong (never set, a synctest bubble's 2000):
	// no row is in its future.
	bars, st, err = ParseWith(strings.NewReader(in), "F.csv", "F", Options{Now: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil || len(bars) != 5 || st.Skipped != 0 {
		t.Errorf("clock in 2000: %d bars, stats %+v, %v", len(bars), st, err)
	}
	// A file whose every row is in the future is not usable: its first row is the error.
	_, _, err = ParseWith(strings.NewReader("Date,Open,High,Low,Close\n2031-01-01,1,1,1,1\n"), "F.csv", "F", Options{Now: now})
	if err == nil || err.Error() != "F.csv:2: date 2031-01-01 after today" {
		t.Errorf("all future: err = %v", err)
	}
}

// TestParseMaxPriceBoundary: MaxPrice itself is a price, anything above it
// is not.
func TestParseMaxPriceBoundary(t *testing.T) {
	in := "Date,Open,High,Low,Close\n" +
		"2024-01-02,1e12,1e12,1e12,1e12\n" +
		"2024-01-03,1,1,1,1000000000001\n" +
		"2024-01-04,1,\"1,000,000,000,001\",1,1\n"
	bars, st, err := Parse(strings.NewReader(in), "P.csv", "P")
	if err != nil {
		t.Fatal(err)
	}
	want := []Skip{
		{Line: 3, Date: nyDate(t, "2024-01-03"), Reason: `close "1000000000001" above 1e12`},
		{Line: 4, Date: nyDate(t, "2024-01-04"), Reason: `high "1,000,000,000,001" above 1e12`},
	}
	if len(bars) != 1 || bars[0].Close != 1e12 || len(st.Skips) != 2 {
		t.Fatalf("bars %+v stats %+v", bars, st)
	}
	for i, w := range want {
		if g := st.Skips[i]; g.Line != w.Line || !g.Date.Equal(w.Date) || g.Reason != w.Reason {
			t.Errorf("skip %d = %+v, want %+v", i, g, w)
		}
	}
}

// TestParseStrayDates (QA-3 F8): a single row dated beyond the file's ends
// while its neighbours are in order is skipped; files in other orders load
// as before (sorted, the last row of a date wins), nothing skipped.
func TestParseStrayDates(t *testing.T) {
	file := func(dates ...string) string {
		var b strings.Builder
		b.WriteString("Date,Open,High,Low,Close\n")
		for i, d := range dates {
			fmt.Fprintf(&b, "%s,%d,%d,%d,%d\n", d, i+1, i+1, i+1, i+1)
		}
		return b.String()
	}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		in     string
		bars   []string // dates kept, oldest first
		skips  []int    // lines
		reason string   // the first skip's
	}{
		{"after the end", file("2025-01-02", "2025-01-03", "2026-03-02", "2025-01-06", "2025-01-07"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"}, []int{4},
			"date 2026-03-02 out of order (the file runs 2025-01-02 to 2025-01-07)"},
		{"before the start", file("2025-01-02", "2025-01-03", "2015-01-05", "2025-01-06", "2025-01-07"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"}, []int{4},
			"date 2015-01-05 out of order (the file runs 2025-01-02 to 2025-01-07)"},
		{"two strays", file("2025-01-02", "2026-05-01", "2025-01-03", "2025-01-06", "2026-03-02", "2025-01-07"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"}, []int{3, 6},
			"date 2026-05-01 out of order (the file runs 2025-01-02 to 2025-01-07)"},
		{"falling file", file("2025-01-07", "2025-01-06", "2026-03-02", "2025-01-03", "2025-01-02"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"}, []int{4},
			"date 2026-03-02 out of order (the file runs 2025-01-02 to 2025-01-07)"},
		// Loaded as before:
		{"reversed", file("2025-01-07", "2025-01-06", "2025-01-03", "2025-01-02"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"}, nil, ""},
		{"older run appended", file("2025-01-06", "2025-01-07", "2025-01-08", "2024-01-02", "2024-01-03", "2024-01-04"),
			[]string{"2024-01-02", "2024-01-03", "2024-01-04", "2025-01-06", "2025-01-07", "2025-01-08"}, nil, ""},
		{"corrections appended", file("2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-03", "2025-01-06"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07"}, nil, ""},
		{"a late last row", file("2025-01-02", "2025-01-03", "2025-01-06", "2026-03-02"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2026-03-02"}, nil, ""},
		{"an early first row", file("2015-01-05", "2025-01-03", "2025-01-06", "2025-01-07"),
			[]string{"2015-01-05", "2025-01-03", "2025-01-06", "2025-01-07"}, nil, ""},
		{"a row out of place inside the range", file("2025-01-02", "2025-01-07", "2025-01-03", "2025-01-06", "2025-01-08"),
			[]string{"2025-01-02", "2025-01-03", "2025-01-06", "2025-01-07", "2025-01-08"}, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bars, st, err := ParseWith(strings.NewReader(tc.in), "S.csv", "S", Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, b := range bars {
				got = append(got, b.Date())
			}
			if !slices.Equal(got, tc.bars) {
				t.Errorf("bars %v, want %v", got, tc.bars)
			}
			if !slices.Equal(skipLines(st), tc.skips) || st.Skipped != len(tc.skips) {
				t.Fatalf("skipped lines %v (count %d), want %v", skipLines(st), st.Skipped, tc.skips)
			}
			if len(tc.skips) > 0 && (st.Skips[0].Reason != tc.reason || !st.Skips[0].Date.IsZero()) {
				t.Errorf("first skip %+v, want %q with no date", st.Skips[0], tc.reason)
			}
		})
	}
}
