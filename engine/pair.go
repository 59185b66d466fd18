package engine

import (
	"time"

	"github.com/capwatch/capwatch/engine/ta"
)

// pairState is the daily ratio close(small) ÷ close(large), joined on the
// dates both legs have, with its indicator streams.
type pairState struct {
	small, large *symState

	dates []time.Time
	ratio []float64
	si    []int // index of the joined bar in small.daily
	li    []int // index in large.daily
	sma50h, sma200h,
	maxP20h, maxP252h []Num // per joined bar; maxP* = max of the N ratio closes before it

	sma50, sma200 *ta.SMA
	rsi14         *ta.RSI
	roc20         *ta.ROC
	max20, max252 *ta.MAX

	closed pairVals
	live   pairLive
	gen    uint64 // bumped whenever the joined series changes (snapshot cache)
}

// pairVals are the ratio indicators of one bar.
type pairVals struct {
	sma50, sma200, rsi, roc Num
	high20, high252         Num // max of the prior 20 / 252 ratio closes
}

// pairLive is the ratio as shown: the forming day (via Peek) when both legs
// have a bar for a day not yet committed, else the last committed day.
type pairLive struct {
	ok        bool
	forming   bool
	date      time.Time
	ratio     Num
	changePct Num
	vals      pairVals
}

func newPairState(small, large *symState) (*pairState, error) {
	p := &pairState{small: small, large: large}
	var err error
	if p.sma50, err = ta.NewSMA(50); err != nil {
		return nil, err
	}
	if p.sma200, err = ta.NewSMA(200); err != nil {
		return nil, err
	}
	if p.rsi14, err = ta.NewRSI(14); err != nil {
		return nil, err
	}
	if p.roc20, err = ta.NewROC(20); err != nil {
		return nil, err
	}
	if p.max20, err = ta.NewMAX(20); err != nil {
		return nil, err
	}
	if p.max252, err = ta.NewMAX(252); err != nil {
		return nil, err
	}
	return p, nil
}

// rebuild recomputes the joined series from scratch (after a load or a
// revision of either leg).
func (p *pairState) rebuild() {
	p.dates, p.ratio, p.si, p.li = p.dates[:0], p.ratio[:0], p.si[:0], p.li[:0]
	p.sma50h, p.sma200h, p.maxP20h, p.maxP252h = p.sma50h[:0], p.sma200h[:0], p.maxP20h[:0], p.maxP252h[:0]
	p.sma50.Reset()
	p.sma200.Reset()
	p.rsi14.Reset()
	p.roc20.Reset()
	p.max20.Reset()
	p.max252.Reset()
	p.closed = pairVals{}
	p.gen++
	p.extend()
}

// extend appends the joined days after the last joined one. It reports
// whether anything was appended.
func (p *pairState) extend() bool {
	i, j := 0, 0
	if n := len(p.si); n > 0 {
		i, j = p.si[n-1]+1, p.li[n-1]+1
	}
	sd, ld := p.small.daily, p.large.daily
	added := false
	for i < len(sd) && j < len(ld) {
		switch a, b := sd[i].Time, ld[j].Time; {
		case a.Before(b):
			i++
		case b.Before(a):
			j++
		default:
			p.append(a, sd[i].Close/ld[j].Close, i, j)
			added = true
			i++
			j++
		}
	}
	return added
}

func (p *pairState) append(d time.Time, r float64, i, j int) {
	var v pairVals
	v.high20 = val(p.max20.Value())
	v.high252 = val(p.max252.Value())
	v.sma50 = streamNum(p.sma50.Update(r))
	v.sma200 = streamNum(p.sma200.Update(r))
	v.rsi = streamNum(p.rsi14.Update(r))
	v.roc = streamNum(p.roc20.Update(r))
	_, _, _ = p.max20.Update(r)
	_, _, _ = p.max252.Update(r)
	p.closed = v
	p.gen++
	p.dates = append(p.dates, d)
	p.ratio = append(p.ratio, r)
	p.si = append(p.si, i)
	p.li = append(p.li, j)
	p.sma50h = append(p.sma50h, v.sma50)
	p.sma200h = append(p.sma200h, v.sma200)
	p.maxP20h = append(p.maxP20h, v.high20)
	p.maxP252h = append(p.maxP252h, v.high252)
}

// latest returns a leg's latest bar (forming or closed).
func latest(s *symState) (Bar, bool) {
	if s.hasForm {
		return s.forming, true
	}
	if n := len(s.daily); n > 0 {
		return s.daily[n-1], true
	}
	return Bar{}, false
}

// computeLive refreshes p.live.
func (p *pairState) computeLive() {
	var l pairLive
	n := len(p.ratio)
	sb, sok := latest(p.small)
	lb, lok := latest(p.large)
	if sok && lok && (p.small.hasForm || p.large.hasForm) && sb.Time.Equal(lb.Time) &&
		(n == 0 || p.dates[n-1].Before(sb.Time)) {
		r := sb.Close / lb.Close
		l.ok, l.forming, l.date, l.ratio = true, true, sb.Time, Some(r)
		l.vals.sma50 = streamNum(p.sma50.Peek(r))
		l.vals.sma200 = streamNum(p.sma200.Peek(r))
		l.vals.rsi = streamNum(p.rsi14.Peek(r))
		l.vals.roc = streamNum(p.roc20.Peek(r))
		l.vals.high20 = val(p.max20.Value())
		l.vals.high252 = val(p.max252.Value())
		if n > 0 {
			l.changePct = Some((r/p.ratio[n-1] - 1) * 100)
		}
		p.live = l
		return
	}
	if n == 0 {
		p.live = l
		return
	}
	l.ok, l.date, l.ratio, l.vals = true, p.dates[n-1], Some(p.ratio[n-1]), p.closed
	if n > 1 {
		l.changePct = Some((p.ratio[n-1]/p.ratio[n-2] - 1) * 100)
	}
	p.live = l
}

// val converts a stream's Value into a Num.
func val(v float64, ok bool) Num {
	if !ok {
		return Num{}
	}
	return Some(v)
}
