package ta

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"flag"
	"fmt"
	"hash"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	talib "github.com/markcheno/go-talib"
)

var updateDigests = flag.Bool("update-digests", false,
	"rewrite testdata/talib_digests.txt from the go-talib ORACLE (only on linux/amd64 with default GOAMD64)")

const digestFile = "testdata/talib_digests.txt"

func putBits(h hash.Hash, vs ...float64) {
	var b [8]byte
	for _, v := range vs {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
}

func sum12(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)[:12]) }

// digests returns, per "series/indicator/period", the SHA-256 of the
// post-lookback outputs of the oracle (go-talib) and of the streams.
func digests(t *testing.T) (oracle, streams map[string]string) {
	oracle, streams = map[string]string{}, map[string]string{}
	for _, s := range testSeries() {
		for _, sc := range scalarCases() {
			for _, p := range parityPeriods {
				if p < sc.minP {
					continue
				}
				st := must(sc.newS(p))
				ho, hs := sha256.New(), sha256.New()
				want := sc.oracle(s.c, p)
				for i, x := range s.c {
					v, ok, err := st.Update(x)
					if err != nil {
						t.Fatal(err)
					}
					if ok {
						putBits(hs, v)
					}
					if i >= st.Lookback() {
						putBits(ho, want[i])
					}
				}
				k := fmt.Sprintf("%s/%s/%d", s.name, sc.name, p)
				oracle[k], streams[k] = sum12(ho), sum12(hs)
			}
		}
		for _, p := range parityPeriods {
			a := must(NewATR(p))
			want := talib.Atr(s.h, s.l, s.c, p)
			ho, hs := sha256.New(), sha256.New()
			for i := range s.c {
				if v, ok, _ := a.Update(s.h[i], s.l[i], s.c[i]); ok {
					putBits(hs, v)
				}
				if i >= p {
					putBits(ho, want[i])
				}
			}
			k := fmt.Sprintf("%s/ATR/%d", s.name, p)
			oracle[k], streams[k] = sum12(ho), sum12(hs)
			if p < 2 {
				continue
			}
			bb := must(NewBBands(p, 2.1, 1.9)) // inexact products, so a fused multiply-add would show
			u, m, l := talib.BBands(s.c, p, 2.1, 1.9, talib.SMA)
			ho, hs = sha256.New(), sha256.New()
			for i, x := range s.c {
				if v, ok, _ := bb.Update(x); ok {
					putBits(hs, v.Upper, v.Middle, v.Lower)
				}
				if i >= p-1 {
					putBits(ho, u[i], m[i], l[i])
				}
			}
			k = fmt.Sprintf("%s/BBANDS/%d", s.name, p)
			oracle[k], streams[k] = sum12(ho), sum12(hs)
		}
	}
	return oracle, streams
}

// TestPlatformDigests makes the "same bits as TA-Lib classic" claim hold on
// every platform, not only where go-talib itself is compiled without FMA:
// testdata holds digests of the ORACLE's outputs computed on linux/amd64
// (GOAMD64=v1), and the streams must reproduce them exactly everywhere
// (arm64 and GOAMD64=v3 fuse x*y+z unless the code prevents it). On the
// reference platform the oracle is re-checked against the file too, so the
// file can never drift towards the code under test.
func TestPlatformDigests(t *testing.T) {
	if testing.Short() {
		t.Skip("digests need the full-length series")
	}
	oracle, streams := digests(t)
	if *updateDigests {
		if !exactParity {
			t.Fatal("-update-digests must run on linux/amd64 with the default GOAMD64")
		}
		var b strings.Builder
		b.WriteString("# SHA-256 (first 12 bytes) of go-talib outputs after the lookback, per series/indicator/period.\n")
		b.WriteString("# Generated from the oracle by: go test ./engine/ta -run TestPlatformDigests -update-digests\n")
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range oracle {
				if !yield(k) {
					return
				}
			}
		}) {
			fmt.Fprintf(&b, "%s %s\n", k, oracle[k])
		}
		if err := os.MkdirAll(filepath.Dir(digestFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(digestFile, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(digestFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	golden := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		if !ok {
			t.Fatalf("%s: bad line %q", digestFile, line)
		}
		golden[k] = v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(streams) {
		t.Fatalf("%s has %d entries, the test computes %d (regenerate with -update-digests)", digestFile, len(golden), len(streams))
	}
	for k, want := range golden {
		if exactParity && oracle[k] != want {
			t.Errorf("%s: oracle digest %s != file %s (inputs changed? regenerate with -update-digests)", k, oracle[k], want)
		}
		if streams[k] != want {
			t.Errorf("%s: stream digest %s != oracle digest %s", k, streams[k], want)
		}
	}
}
