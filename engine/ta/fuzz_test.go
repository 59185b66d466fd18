package ta

import (
	"encoding/binary"
	"testing"
)

// FuzzParity feeds arbitrary short price series (tie-heavy, with repeats and
// jumps) to every scalar stream and compares each output with go-talib.
// Run with: go test ./engine/ta -run '^$' -fuzz FuzzParity -fuzztime 30s
func FuzzParity(f *testing.F) {
	f.Add(uint8(3), []byte{0, 1, 0, 1, 0, 2, 0, 2, 0, 3, 1, 0, 0, 1})
	f.Add(uint8(1), []byte{9, 9, 9, 9, 9, 9, 9, 9})
	f.Add(uint8(14), make([]byte, 64))
	f.Add(uint8(20), []byte("the quick brown fox jumps over the lazy dog, twice: the quick brown fox"))
	f.Fuzz(func(t *testing.T, period uint8, raw []byte) {
		p := 1 + int(period)%30
		in := make([]float64, 0, len(raw)/2)
		for i := 0; i+1 < len(raw); i += 2 {
			in = append(in, 1+float64(binary.LittleEndian.Uint16(raw[i:]))/64)
		}
		scale := maxSquare(in)
		for _, sc := range scalarCases() {
			if p < sc.minP {
				continue
			}
			st := must(sc.newS(p))
			if len(in) < st.Lookback()+1 {
				continue // go-talib panics on short inputs
			}
			want := sc.oracle(in, p)
			for i, x := range in {
				pv, pok, _ := st.Peek(x)
				v, ok, err := st.Update(x)
				if err != nil {
					t.Fatalf("%s(%d) Update(%v): %v", sc.name, p, x, err)
				}
				if pv != v || pok != ok || ok != (i >= st.Lookback()) {
					t.Fatalf("%s(%d) bar %d: Peek (%v,%v) Update (%v,%v)", sc.name, p, i, pv, pok, v, ok)
				}
				same := sameNum(v, want[i])
				if sc.varFamily {
					same = sameVarFamily(v, want[i], sc.name != "VAR", sc.nbDev, scale, false)
				}
				if ok && !same {
					t.Fatalf("%s(%d) bar %d: got %v, want %v", sc.name, p, i, v, want[i])
				}
			}
		}
	})
}
