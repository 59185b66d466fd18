package replay

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/capwatch/capwatch/internal/calendar"
)

// The files in testdata/replay are written by genTestdata (a small seeded
// random walk, independent of the demo market). Regenerate them with
//
//	go test ./feeds/replay -run TestTestdataUpToDate -update
var update = flag.Bool("update", false, "rewrite testdata/replay from the generator")

const (
	genDays = 320
	genEnd  = "2025-11-21"
)

// genTestdata returns file name → contents: IWM (Yahoo format, with Adj
// Close), SPY (Stooq format), XLK (lower-case headers in shuffled order, two
// null rows) and psct.csv (lower-case file name, Yahoo format with CRLF line
// ends, thin volume, one empty volume cell). The small caps lag for a while
// and lead over the last six weeks.
func genTestdata() map[string][]byte {
	cal := calendar.NYSE()
	loc := calendar.Location()
	end, _ := time.ParseInLocation(time.DateOnly, genEnd, loc)
	dates := make([]time.Time, genDays)
	d := end
	for i := genDays - 1; i >= 0; i-- {
		dates[i] = d
		d = cal.PrevTradingDate(d)
	}
	r := rand.New(rand.NewPCG(20251121, 7))
	type row struct{ o, h, l, c, v float64 }
	gen := func(level, beta, size, tech, idio, adv float64, mkt, sz, tk []float64) []row {
		ret := make([]float64, genDays)
		cum := 0.0
		for i := 1; i < genDays; i++ {
			ret[i] = beta*mkt[i] + size*sz[i] + tech*tk[i] + idio*r.NormFloat64()
			cum += ret[i]
		}
		p := level * math.Exp(-cum)
		rows := make([]row, genDays)
		for i := range rows {
			c := p * math.Exp(ret[i])
			o := p * math.Exp(0.3*ret[i]+0.002*r.NormFloat64())
			h := max(o, c) * math.Exp(0.004*math.Abs(r.NormFloat64()))
			l := min(o, c) * math.Exp(-0.004*math.Abs(r.NormFloat64()))
			v := adv * math.Exp(0.3*r.NormFloat64())
			rows[i] = row{round2(o), round2(h), round2(l), round2(c), math.Round(v)}
			rows[i].h = max(rows[i].h, rows[i].o, rows[i].c)
			rows[i].l = min(rows[i].l, rows[i].o, rows[i].c)
			p = c
		}
		return rows
	}
	mkt, sz, tk := make([]float64, genDays), make([]float64, genDays), make([]float64, genDays)
	for i := range genDays {
		mkt[i] = 0.0004 + 0.009*r.NormFloat64()
		drift := 0.0
		switch {
		case i >= genDays-30:
			drift = 0.0018
		case i >= 200:
			drift = -0.0008
		}
		sz[i] = drift + 0.004*r.NormFloat64()
		tk[i] = 0.006 * r.NormFloat64()
	}
	iwm := gen(240, 1.2, 1, 0, 0.001, 32e6, mkt, sz, tk)
	spy := gen(660, 1, 0, 0, 0, 70e6, mkt, sz, tk)
	xlk := gen(285, 1.15, 0, 1, 0.003, 8e6, mkt, sz, tk)
	psct := gen(52, 1.25, 1, 0.9, 0.006, 15e3, mkt, sz, tk)

	out := map[string][]byte{}
	var b bytes.Buffer
	b.WriteString("Date,Open,High,Low,Close,Adj Close,Volume\n")
	for i, x := range iwm {
		adj := x.c * math.Exp(-0.012*float64(genDays-1-i)/252) // dividends: Adj Close drifts below Close
		fmt.Fprintf(&b, "%s,%.2f,%.2f,%.2f,%.2f,%.6f,%.0f\n", dates[i].Format(time.DateOnly), x.o, x.h, x.l, x.c, adj, x.v)
	}
	out["IWM.csv"] = bytes.Clone(b.Bytes())

	b.Reset()
	b.WriteString("Date,Open,High,Low,Close,Volume\n")
	for i, x := range spy {
		fmt.Fprintf(&b, "%s,%.2f,%.2f,%.2f,%.2f,%.0f\n", dates[i].Format(time.DateOnly), x.o, x.h, x.l, x.c, x.v)
	}
	out["SPY.csv"] = bytes.Clone(b.Bytes())

	b.Reset()
	b.WriteString("volume,close,date,low,high,open\n")
	for i, x := range xlk {
		if i == 100 || i == 250 {
			fmt.Fprintf(&b, "null,null,%s,null,null,null\n", dates[i].Format(time.DateOnly))
			continue
		}
		fmt.Fprintf(&b, "%.0f,%.2f,%s,%.2f,%.2f,%.2f\n", x.v, x.c, dates[i].Format(time.DateOnly), x.l, x.h, x.o)
	}
	out["XLK.csv"] = bytes.Clone(b.Bytes())

	b.Reset()
	b.WriteString("Date,Open,High,Low,Close,Adj Close,Volume\r\n")
	for i, x := range psct {
		vol := fmt.Sprintf("%.0f", x.v)
		if i == 50 {
			vol = ""
		}
		fmt.Fprintf(&b, "%s,%.2f,%.2f,%.2f,%.2f,%.2f,%s\r\n", dates[i].Format(time.DateOnly), x.o, x.h, x.l, x.c, x.c, vol)
	}
	out["psct.csv"] = bytes.Clone(b.Bytes())
	return out
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func TestTestdataUpToDate(t *testing.T) {
	dir := filepath.Join("testdata", "replay")
	for name, want := range genTestdata() {
		p := filepath.Join(dir, name)
		if *update {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator; run with -update", p)
		}
	}
}
