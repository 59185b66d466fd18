package breadth

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/capwatch/capwatch/engine"
	talib "github.com/markcheno/go-talib"
)

func TestConfirmPairAgainstTalib(t *testing.T) {
	days := tradingDays(120)
	var numD, denD []Day
	var numC, denC []float64
	var ratios []float64
	for i, d := range days {
		n := 100 + 10*math.Sin(float64(i)/9) + float64(i)/10
		dn := 300 + 5*math.Cos(float64(i)/7)
		hasNum, hasDen := i%17 != 3, i%13 != 5 // gaps on both legs
		if hasNum {
			numD, numC = append(numD, d), append(numC, n)
		}
		if hasDen {
			denD, denC = append(denD, d), append(denC, dn)
		}
		if hasNum && hasDen {
			ratios = append(ratios, n/dn)
		}
	}
	spec, err := ConfirmSpec{Kind: "pair", Symbols: "iwm/qqq"}.Normalize()
	if err != nil {
		t.Fatal(err)
	}
	sma := talib.Sma(ratios, ConfirmSMA)
	last := len(ratios) - 1
	c := ConfirmPair(spec, barsOf("IWM", numD, numC), barsOf("QQQ", denD, denC), Live{})
	if c.ID != "iwm_qqq" || c.Label != "IWM/QQQ" || c.Kind != "pair" {
		t.Errorf("id/label/kind = %q %q %q", c.ID, c.Label, c.Kind)
	}
	if c.Value.V != ratios[last] || c.Reference.V != sma[last] || !c.Reference.Valid {
		t.Fatalf("value %v ref %v, want %v %v", c.Value, c.Reference, ratios[last], sma[last])
	}
	want := engine.ConfirmDiverges
	if ratios[last] > sma[last] {
		want = engine.ConfirmConfirms
	}
	if c.State != want || c.Forming || c.AsOf != days[len(days)-1].String() {
		t.Errorf("state %s forming %v as_of %s, want %s false %s", c.State, c.Forming, c.AsOf, want, days[len(days)-1])
	}

	// Live: the forming bar equals appending it as a closed bar.
	nd := days[len(days)-1] + 3
	for _, px := range []float64{90, 140} { // one below, one above the average
		live := ConfirmPair(spec, barsOf("IWM", numD, numC), barsOf("QQQ", denD, denC), Live{Day: nd, Num: px, Den: 300})
		closed := ConfirmPair(spec, barsOf("IWM", append(numD[:len(numD):len(numD)], nd), append(numC[:len(numC):len(numC)], px)),
			barsOf("QQQ", append(denD[:len(denD):len(denD)], nd), append(denC[:len(denC):len(denC)], 300)), Live{})
		if !live.Forming || live.Value != closed.Value || live.Reference != closed.Reference || live.State != closed.State || live.AsOf != closed.AsOf {
			t.Errorf("live %+v, closed %+v", live, closed)
		}
	}
}

func TestConfirmPairShortHistory(t *testing.T) {
	days := tradingDays(49)
	cl := make([]float64, len(days))
	for i := range cl {
		cl[i] = 10 + float64(i)
	}
	spec, _ := ConfirmSpec{Kind: "credit", Symbols: "HYG/LQD"}.Normalize()
	c := ConfirmPair(spec, barsOf("HYG", days, cl), barsOf("LQD", days, cl), Live{})
	if c.State != engine.ConfirmUnknown || !c.Value.Valid || c.Reference.Valid {
		t.Errorf("49 joint bars: %+v, want unknown with a value and no reference", c)
	}
	c = ConfirmPair(spec, nil, barsOf("LQD", days, cl), Live{Day: days[0] + 100, Num: 1, Den: 1})
	if c.State != engine.ConfirmUnknown || c.Value.Valid || c.AsOf != "" || c.Forming {
		t.Errorf("no bars: %+v, want unknown and empty", c)
	}
}

func TestConfirmYield(t *testing.T) {
	days := tradingDays(30)
	mk := func(n int, last float64) []YieldObs {
		var out []YieldObs
		for i := range n {
			out = append(out, YieldObs{Day: days[i], Value: 4.00})
		}
		out[n-1].Value = last
		return out
	}
	spec, _ := ConfirmSpec{Kind: "yield"}.Normalize()
	if spec.Series != "DGS2" || spec.ID != "dgs2" || spec.Label != "2y yield" {
		t.Fatalf("defaults: %+v", spec)
	}
	cases := []struct {
		obs   []YieldObs
		state string
		ref   bool
	}{
		{mk(22, 3.90), engine.ConfirmConfirms, true}, // fell vs 21 observations earlier
		{mk(22, 4.00), engine.ConfirmDiverges, true}, // unchanged is not a fall
		{mk(30, 4.10), engine.ConfirmDiverges, true}, // rose
		{mk(21, 3.00), engine.ConfirmUnknown, false}, // only 20 earlier observations
		{nil, engine.ConfirmUnknown, false},
	}
	for i, tc := range cases {
		c := ConfirmYield(spec, tc.obs)
		if c.State != tc.state || c.Reference.Valid != tc.ref {
			t.Errorf("case %d: %+v, want state %s ref %v", i, c, tc.state, tc.ref)
		}
		if tc.ref && (c.Reference.V != 4.00 || c.Value.V != tc.obs[len(tc.obs)-1].Value) {
			t.Errorf("case %d: value %v ref %v", i, c.Value, c.Reference)
		}
	}
}

func TestScore(t *testing.T) {
	cs := []engine.Confirmation{
		{State: engine.ConfirmConfirms}, {State: engine.ConfirmDiverges},
		{State: engine.ConfirmUnknown}, {State: engine.ConfirmConfirms},
	}
	if n, k := Score(cs); n != 2 || k != 3 {
		t.Errorf("Score = %d/%d, want 2/3", n, k)
	}
}

func TestNormalizeConfirms(t *testing.T) {
	def, err := NormalizeConfirms(DefaultConfirms())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range def {
		ids = append(ids, s.ID)
	}
	if got := strings.Join(ids, ","); got != "iwm_qqq,ijr_spy,rsp_spy,iwc_iwm,hyg_lqd,dgs2" {
		t.Errorf("default ids %s", got)
	}
	bad := []ConfirmSpec{
		{Kind: "pair", Symbols: "IWM"},
		{Kind: "pair", Symbols: "IWM/IWM"},
		{Kind: "pair", Symbols: "IWM/QQQ", Series: "DGS2"},
		{Kind: "yield", Symbols: "IWM/QQQ"},
		{Kind: "yield", Series: "dgs 2"},
		{Kind: "ratio", Symbols: "IWM/QQQ"},
		{Kind: "pair", Symbols: "IWM/QQQ", ID: "Has Space"},
	}
	for _, s := range bad {
		if _, err := s.Normalize(); !errors.Is(err, ErrConfirm) {
			t.Errorf("%+v: err %v, want ErrConfirm", s, err)
		}
	}
	if _, err := NormalizeConfirms([]ConfirmSpec{{Kind: "pair", Symbols: "IWM/QQQ"}, {Kind: "credit", Symbols: "iwm/qqq"}}); err == nil {
		t.Error("duplicate ids accepted")
	}
}
