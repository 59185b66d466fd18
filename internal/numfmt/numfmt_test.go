package numfmt

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestSignedProperties: for any value and precision the text parses back to
// the rounded value; it carries a sign exactly when that value is not zero
// (never "-0.0", "+0.00"); the arrow and Dir agree with the text.
func TestSignedProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	vals := []float64{0, math.Copysign(0, -1), 0.004, -0.004, 0.005, -0.005, 0.0049999, -0.049, 0.05, -0.05,
		1e-12, -1e-12, 9.95, -9.95, 123.456, -0.0001}
	for range 20000 {
		vals = append(vals, (r.Float64()*2-1)*math.Pow(10, float64(r.IntN(8)-5)))
	}
	for _, v := range vals {
		for prec := 0; prec <= 4; prec++ {
			s := Signed(v, prec)
			got, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("Signed(%v, %d) = %q does not parse", v, prec, s)
			}
			// Oracle: fmt's own rounding of v.
			want, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'f', prec, 64), 64)
			if got != want {
				t.Errorf("Signed(%v, %d) = %q, want the value %v", v, prec, s, want)
			}
			signed := strings.HasPrefix(s, "+") || strings.HasPrefix(s, "-")
			if signed != (want != 0) {
				t.Errorf("Signed(%v, %d) = %q: sign shown %v for the value %v", v, prec, s, signed, want)
			}
			d := Dir(v, prec)
			switch {
			case want > 0 && (d != 1 || Arrow(v, prec) != "▲" || s[0] != '+'),
				want < 0 && (d != -1 || Arrow(v, prec) != "▼" || s[0] != '-'),
				want == 0 && (d != 0 || Arrow(v, prec) != "="):
				t.Errorf("v=%v prec=%d: %q, Dir %d, Arrow %s disagree", v, prec, s, d, Arrow(v, prec))
			}
		}
	}
	for _, bad := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if s := Signed(bad, 2); s != "—" {
			t.Errorf("Signed(%v) = %q, want —", bad, s)
		}
	}
}

func TestSignedExamples(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		prec int
		want string
	}{{-0.001, 2, "0.00"}, {0.004, 2, "0.00"}, {-0.04, 1, "0.0"}, {0.05, 1, "+0.1"}, {-1.25, 2, "-1.25"}, {12, 0, "+12"}, {-0.4, 0, "0"}} {
		if got := Signed(tc.v, tc.prec); got != tc.want {
			t.Errorf("Signed(%v, %d) = %q, want %q", tc.v, tc.prec, got, tc.want)
		}
	}
}
