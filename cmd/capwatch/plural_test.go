package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/nettest"
)

// TestDoctorCountsInTheRightNumber (QA-3 F9d): doctor on a replay directory
// said "2 rows skipped in 1 files". The skipped rows are written here, so
// the counts and their nouns are known: one row, one file; two rows, one
// file; two rows, two files.
func TestDoctorCountsInTheRightNumber(t *testing.T) {
	bad := func(lines ...string) []byte { // handCSV with those data rows garbled
		s := handCSV
		for _, d := range lines {
			s = strings.Replace(s, d+",", d+",abc,", 1)
		}
		return []byte(s)
	}
	for _, tc := range []struct {
		change map[string][]byte
		want   string
	}{
		{map[string][]byte{"XLK.csv": bad("2024-05-29")}, "1 row skipped in 1 file"},
		{map[string][]byte{"XLK.csv": bad("2024-05-29", "2024-05-30")}, "2 rows skipped in 1 file"},
		{map[string][]byte{"XLK.csv": bad("2024-05-29"), "IWM.csv": bad("2024-05-30")}, "2 rows skipped in 2 files"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			dir := handReplayDir(t, tc.change)
			h := newHarness(t)
			h.e.HTTP = nettest.Client(nettest.NoSuchHost)
			_, r, _ := doctorJSON(t, h, "--feed", "replay", "--data", dir)
			f := feedCheck(t, r, "replay")
			if !regexp.MustCompile(`; ` + tc.want + `\b`).MatchString(f.Detail) {
				t.Errorf("detail %q does not say %q", f.Detail, tc.want)
			}
		})
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 rows", 1: "1 row", 2: "2 rows", 11: "11 rows"} {
		if got := app.Count(n, "row"); got != want {
			t.Errorf("Count(%d, row) = %q, want %q", n, got, want)
		}
	}
}
