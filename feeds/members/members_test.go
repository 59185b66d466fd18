package members

import (
	"errors"
	"os"
	"slices"
	"testing"
)

func TestParseIShares(t *testing.T) {
	data, err := os.ReadFile("testdata/ishares_iwm.csv")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"CRDO", "FN", "MOG.A", "LGF.A", "RUSHA", "ZETA", "BRK.B"}
	if !slices.Equal(l.Symbols, want) {
		t.Errorf("symbols %v, want %v", l.Symbols, want)
	}
	if l.Format != FormatIShares || l.AsOf != "Oct 10, 2025" {
		t.Errorf("format %q as_of %q", l.Format, l.AsOf)
	}
	if l.NonEquity != 3 {
		t.Errorf("non-equity rows %d, want 3 (money market, cash, futures)", l.NonEquity)
	}
	if l.Duplicates != 1 {
		t.Errorf("duplicates %d, want 1 (fn)", l.Duplicates)
	}
	var skipped []string
	for _, s := range l.Skipped {
		skipped = append(skipped, s.Ticker+":"+s.Reason)
	}
	wantSkip := []string{"GTXI:unlisted", "-:unlisted", "1099634D:not a listed ticker"}
	if !slices.Equal(skipped, wantSkip) {
		t.Errorf("skipped %v, want %v", skipped, wantSkip)
	}
	if l.Skipped[0].Line != 18 {
		t.Errorf("GTXI reported on line %d, want 18", l.Skipped[0].Line)
	}
}

func TestParsePlainCSVAndLines(t *testing.T) {
	for _, tc := range []struct {
		file, format string
		want         []string
		dups, skip   int
	}{
		{"testdata/plain.csv", FormatCSV, []string{"AAPL", "BRK.B", "RY.TO"}, 1, 0},
		{"testdata/lines.txt", FormatLines, []string{"CRDO", "FN", "BRK.B"}, 0, 1},
	} {
		l, err := ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		if l.Format != tc.format || !slices.Equal(l.Symbols, tc.want) || l.Duplicates != tc.dups || len(l.Skipped) != tc.skip {
			t.Errorf("%s: %+v, want format %s symbols %v dups %d skipped %d", tc.file, l, tc.format, tc.want, tc.dups, tc.skip)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for name, in := range map[string]string{
		"empty":       "",
		"comments":    "# nothing\n\n",
		"no column":   "Name,Weight\nApple,5\n",
		"binary":      "AAPL\x00\x01",
		"only cash":   "Ticker,Name,Asset Class\nUSD,USD CASH,Cash\n",
		"only header": "Ticker\n",
	} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Parse([]byte("Ticker\n")); !errors.Is(err, ErrNoMembers) {
		t.Errorf("header only: %v, want ErrNoMembers", err)
	}
	if _, err := ReadFile("testdata/does-not-exist.csv"); err == nil {
		t.Error("missing file: no error")
	}
}

func TestTickerForms(t *testing.T) {
	for _, tc := range []struct {
		in      string
		ishares bool
		want    string
	}{
		{"BRKB", true, "BRK.B"}, {"BRKB", false, "BRKB"}, {"brk/b", false, "BRK.B"},
		{"BRK B", false, "BRK.B"}, {"BF-B", true, "BF.B"}, {"RUSHA", true, "RUSHA"},
		{"GOOGL", true, "GOOGL"}, {" crdo ", false, "CRDO"},
	} {
		if got := Canonical(tc.in, tc.ishares); got != tc.want {
			t.Errorf("Canonical(%q, %v) = %q, want %q", tc.in, tc.ishares, got, tc.want)
		}
	}
	for _, tc := range []struct{ sym, feed, want string }{
		{"BRK.B", "yahoo", "BRK-B"}, {"BRK.B", "stooq", "BRK-B"}, {"BRK.B", "alpaca", "BRK.B"},
		{"CRDO", "yahoo", "CRDO"}, {"BRK.B", "replay", "BRK.B"},
	} {
		got := ForFeed(tc.sym, tc.feed)
		if got != tc.want {
			t.Errorf("ForFeed(%q, %q) = %q, want %q", tc.sym, tc.feed, got, tc.want)
		}
		if back := FromFeed(got, tc.feed); back != tc.sym {
			t.Errorf("FromFeed(%q, %q) = %q, want %q", got, tc.feed, back, tc.sym)
		}
	}
}
