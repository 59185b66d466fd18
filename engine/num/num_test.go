package num

import (
	"encoding/json"
	"math"
	"testing"
)

// TestNumJSONRoundTrip: every finite value survives Marshal/Unmarshal bit
// for bit; absent and non-finite values are null and come back absent.
func TestNumJSONRoundTrip(t *testing.T) {
	for _, v := range []float64{0, -0.5, 0.38471234567891234, 1e-300, math.MaxFloat64, -math.SmallestNonzeroFloat64} {
		b, err := json.Marshal(Some(v))
		if err != nil {
			t.Fatal(err)
		}
		var n Num
		if err := json.Unmarshal(b, &n); err != nil {
			t.Fatal(err)
		}
		if !n.Valid || math.Float64bits(n.V) != math.Float64bits(v) && v != 0 {
			t.Errorf("%v → %s → %+v", v, b, n)
		}
	}
	for _, n := range []Num{{}, {V: math.NaN(), Valid: true}, {V: math.Inf(1), Valid: true}, Some(math.Inf(-1))} {
		b, _ := json.Marshal(n)
		if string(b) != "null" {
			t.Errorf("%+v marshals to %s, want null", n, b)
		}
	}
}

// TestMarshalKeepsHTML: Marshal does not escape <, > and & (encoding/json
// would write \u003c).
func TestMarshalKeepsHTML(t *testing.T) {
	b, err := Marshal(map[string]any{"s": "Oil & Gas <E&P>", "l": NonNil[int](nil)})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"l":[],"s":"Oil & Gas <E&P>"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
}
