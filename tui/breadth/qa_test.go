package breadth

import (
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/capwatch/capwatch/engine"
)

// TestEqualWeightAgainstTheBreadthLeg (QA-1 3): after the pair key switched
// the pair to IWC/IWM, the members' equal-weight return is still compared
// with their own index's return (the breadth's leg, IWM), and the line names
// that leg, never the new pair's small leg beside a number that is not its
// return.
func TestEqualWeightAgainstTheBreadthLeg(t *testing.T) {
	in := fixture()
	in.Breadth.Leg = "IWM"
	in.Breadth.EWReturn21dPct, in.Breadth.CWReturn21dPct = engine.Some(-5.3), engine.Some(-4.7)
	st := NewStyles(true, false, true)
	for _, small := range []string{"IWM", "IWC", "IJR"} {
		in.Small = small
		got := plain(Render(in, 100, 10, st))
		if !strings.Contains(got, "21d equal-weight -5.3% vs IWM -4.7%  narrow") {
			t.Errorf("pair's small leg %s:\n%s", small, got)
		}
	}
}

// TestStripLabelsSayWhatEachItemIs (QA-1 3): every item of the strip is
// named by what it is (its pair, "2y"), at every width: no two shown items
// carry the same name (the old "IWM✓ … IWM✗"), each shown name is an
// item's whole label, and what does not fit is counted ("+2 more"), so
// shown + more = all items.
func TestStripLabelsSayWhatEachItemIs(t *testing.T) {
	in := fixture()
	in.Small = "IWC"
	in.Confirm = []engine.Confirmation{
		{ID: "iwm_qqq", Kind: "pair", Label: "IWM/QQQ", State: engine.ConfirmConfirms},
		{ID: "ijr_spy", Kind: "pair", Label: "IJR/SPY", State: engine.ConfirmConfirms},
		{ID: "rsp_spy", Kind: "pair", Label: "RSP/SPY", State: engine.ConfirmConfirms},
		{ID: "iwc_iwm", Kind: "pair", Label: "IWC/IWM", State: engine.ConfirmDiverges},
		{ID: "hyg_lqd", Kind: "credit", Label: "HYG/LQD", State: engine.ConfirmDiverges},
		{ID: "dgs2", Kind: "yield", Label: "2y yield", State: engine.ConfirmDiverges},
	}
	names := map[string]bool{"IWM/QQQ": true, "IJR/SPY": true, "RSP/SPY": true, "IWC/IWM": true, "HYG/LQD": true, "2y": true}
	item := regexp.MustCompile(`(\S+?)([✓✗?])`)
	more := regexp.MustCompile(`\+(\d+) more`)
	st := NewStyles(true, false, true)
	sawAll, sawMore := false, false
	for w := 24; w <= 120; w++ {
		line := ""
		for _, l := range Render(in, w, 10, st) {
			if p := ansi.Strip(l); strings.Contains(p, "confirm:") {
				line = p
			}
		}
		if line == "" {
			t.Fatalf("width %d: no strip", w)
		}
		_, items, _ := strings.Cut(line, "confirm:")
		seen := map[string]bool{}
		for _, m := range item.FindAllStringSubmatch(items, -1) {
			if !names[m[1]] || seen[m[1]] {
				t.Fatalf("width %d: item %q is not one item's own name (or shown twice): %q", w, m[1], line)
			}
			seen[m[1]] = true
		}
		n := len(seen)
		if m := more.FindStringSubmatch(items); m != nil {
			sawMore = true
			n += int(m[1][0] - '0')
		} else {
			sawAll = true
		}
		if n != len(in.Confirm) {
			t.Fatalf("width %d: %d items shown or counted, want %d: %q", w, n, len(in.Confirm), line)
		}
	}
	if !sawAll || !sawMore {
		t.Errorf("the widths tried never showed every item (%v) or never cut the strip (%v)", sawAll, sawMore)
	}
}

// TestLoadFailureSaysWhy (QA-1 8): a load that failed says its cause in the
// panel, whole (wrapped over the panel's lines), and in one line; it is not
// "loading" and not "0 of 0 members failed".
func TestLoadFailureSaysWhy(t *testing.T) {
	st := NewStyles(true, false, true)
	cause := "members list: cannot reach iShares: no such host www.ishares.com"
	for _, l := range []*engine.BreadthLoad{
		{Done: true, Error: cause},
		{Members: 0, Error: cause}, // a list failure reported before the end
	} {
		for _, w := range []int{30, 38, 60, 120} {
			lines := Render(Input{Load: l}, w, 6, st)
			got := strings.Join(strings.Fields(plain(lines)), " ")
			if !strings.Contains(got, "✖ "+cause) {
				t.Errorf("width %d: the cause is not on the panel:\n%s", w, plain(lines))
			}
			if strings.Contains(got, "loading") || strings.Contains(got, "0 of 0") {
				t.Errorf("width %d: %q", w, got)
			}
		}
		if got := plain(Render(Input{Load: l}, 200, 1, st)); !strings.Contains(got, cause) {
			t.Errorf("one line: %q", got)
		}
	}
	// With values from an earlier load, the failure of a refresh is said
	// under the coverage line.
	in := fixture()
	in.Load = &engine.BreadthLoad{Members: 1962, Loaded: 1962, Done: true, Error: "member histories: Yahoo rate limit (HTTP 429)"}
	if got := plain(Render(in, 100, 10, st)); !strings.Contains(got, "✖ member histories: Yahoo rate limit (HTTP 429)") {
		t.Errorf("values and a failed refresh:\n%s", got)
	}
}

// TestNoMemberDataBeforeItsStart (QA-1 17): a replay from before the
// members' files begin says so, with the date, instead of "loading 600/600".
func TestNoMemberDataBeforeItsStart(t *testing.T) {
	st := NewStyles(true, false, true)
	l := &engine.BreadthLoad{Members: 600, Loaded: 600, Done: true, Starts: "2023-11-29"}
	for _, h := range []int{1, 4} {
		got := plain(Render(Input{Load: l}, 80, h, st))
		if !strings.Contains(got, "no member data before 2023-11-29") || strings.Contains(got, "loading") {
			t.Errorf("height %d: %q", h, got)
		}
	}
}

// TestWaitingWhileMembersLoad (QA-1 2): the breadth flags wait ("loading
// 450/600") while the breadth is partial or absent during the first load,
// and not once it is done, nor during a later refresh of a whole breadth.
func TestWaitingWhileMembersLoad(t *testing.T) {
	loading := &engine.BreadthLoad{Members: 600, Loaded: 450}
	for _, c := range []struct {
		b    *engine.Breadth
		l    *engine.BreadthLoad
		want string
	}{
		{&engine.Breadth{Partial: true}, loading, "loading 450/600"},
		{nil, loading, "loading 450/600"},
		{&engine.Breadth{}, loading, ""}, // a refresh: the breadth is whole
		{&engine.Breadth{}, &engine.BreadthLoad{Members: 600, Loaded: 600, Done: true}, ""},
		{nil, nil, ""},
	} {
		if got := Waiting(c.b, c.l); got != c.want {
			t.Errorf("Waiting(%+v, %+v) = %q, want %q", c.b, c.l, got, c.want)
		}
	}
	in := fixture()
	in.Breadth.Partial, in.Load = true, loading
	if got := plain(Render(in, 80, 1, NewStyles(true, false, true))); !strings.HasPrefix(got, "loading 450/600 members · so far >50d") {
		t.Errorf("one line while partial: %q", got)
	}
}
