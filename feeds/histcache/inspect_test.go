package histcache

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/calendar"
)

// TestInspect: the summary counts each feed's readable files, their bars,
// bytes and dates, and names the damaged ones; a missing cache is empty.
func TestInspect(t *testing.T) {
	dir := t.TempDir()
	if s, err := Inspect(dir); err != nil || len(s.Feeds) != 0 || s.Bytes != 0 {
		t.Fatalf("missing cache: %+v %v", s, err)
	}
	loc := calendar.Location()
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	bars := func(days ...time.Time) []engine.Bar {
		var out []engine.Bar
		for _, d := range days {
			out = append(out, engine.Bar{Time: d, Open: 1, High: 1, Low: 1, Close: 1, Volume: 1})
		}
		return out
	}
	write := func(feed, sym string, data []byte) {
		t.Helper()
		name, err := fileName(sym)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "history", feed, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	iwm := encode(bars(day(1993, 1, 29), day(2025, 11, 20), day(2025, 11, 21)))
	rut := encode(bars(day(2000, 1, 3), day(2025, 11, 14)))
	write("yahoo", "IWM", iwm)
	write("yahoo", "^RUT", rut)
	write("yahoo", "XLK", []byte("not a cache file"))
	truncated := iwm[:len(iwm)-7]
	write("yahoo", "CON", truncated)
	if err := os.MkdirAll(filepath.Join(dir, "history", "stooq"), 0o700); err != nil {
		t.Fatal(err)
	}
	s, err := Inspect(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Feeds) != 2 || s.Feeds[0].Feed != "stooq" || s.Feeds[0].Symbols != 0 {
		t.Fatalf("feeds %+v", s.Feeds)
	}
	y := s.Feeds[1]
	wantBytes := int64(len(iwm) + len(rut) + len("not a cache file") + len(truncated))
	if y.Feed != "yahoo" || y.Symbols != 2 || y.Bars != 5 || y.Bytes != wantBytes || s.Bytes != wantBytes {
		t.Fatalf("yahoo %+v (bytes want %d)", y, wantBytes)
	}
	if !y.Oldest.Equal(day(1993, 1, 29)) || !y.Newest.Equal(day(2025, 11, 21)) || !y.Stalest.Equal(day(2025, 11, 14)) {
		t.Fatalf("dates %v %v %v", y.Oldest, y.Newest, y.Stalest)
	}
	if !slices.Equal(y.Damaged, []string{"CON", "XLK"}) {
		t.Fatalf("damaged %v", y.Damaged)
	}
}

// TestSymbolOfUndoesFileName: every symbol comes back from its file name.
func TestSymbolOfUndoesFileName(t *testing.T) {
	for _, sym := range []string{"IWM", "BRK-B", "^RUT", "BRK.B", "iwm", "CON", "LPT1", "../../etc", `..\x`, "A_2EB", "_", "X_"} {
		name, err := fileName(sym)
		if err != nil {
			t.Fatal(err)
		}
		if got := symbolOf(name[:len(name)-len(fileExt)]); got != sym {
			t.Errorf("%q → %q → %q", sym, name, got)
		}
	}
}
