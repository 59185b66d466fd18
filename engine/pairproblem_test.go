package engine

import "testing"

// TestPairProblem: the pair legs' errors in one line — the small leg's,
// the large leg's, both, or one cause for both said once — and nothing
// for other symbols' errors.
func TestPairProblem(t *testing.T) {
	pair := PairSnapshot{Small: "IWM", Large: "SPY"}
	noFile := SymbolError{Symbol: "SPY", Message: "replay: no file data/SPY.csv"}
	other := SymbolError{Symbol: "XLK", Message: "replay: no file data/XLK.csv"}
	for _, tc := range []struct {
		errs []SymbolError
		want string
	}{
		{nil, ""},
		{[]SymbolError{other}, ""},
		{[]SymbolError{other, noFile}, "SPY: replay: no file data/SPY.csv"},
		{[]SymbolError{{Symbol: "IWM", Message: `IWM.csv:45: bad low "x"`}, other}, `IWM: IWM.csv:45: bad low "x"`},
		{[]SymbolError{noFile, {Symbol: "IWM", Message: "no data"}}, "IWM: no data; SPY: replay: no file data/SPY.csv"},
		{[]SymbolError{{Symbol: "SPY", Message: "refused"}, {Symbol: "IWM", Message: "refused"}}, "refused (IWM, SPY)"},
	} {
		s := &Snapshot{Pair: pair, Errors: tc.errs}
		if got := s.PairProblem(); got != tc.want {
			t.Errorf("%v: %q, want %q", tc.errs, got, tc.want)
		}
	}
}
