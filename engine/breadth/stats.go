package breadth

// Periods of a member's indicators.
const (
	sma50Period  = 50
	sma200Period = 200
	roc21Period  = 21
)

// stats are a member's indicators over its committed closes, closes[:n]:
// SMA50 and SMA200, ROC21 and the 52-week high and low. They read the
// closes that leave their windows from the member's own closes, which it
// keeps anyway, where a ta.SMA/ta.ROC stream kept a ring of copies (2.2 KB a
// member for the three). The arithmetic is ta.SMA's and ta.ROC's, operation
// for operation (the window sum (sum − leaving) + x, the leaving close 0
// during the warm-up as their zeroed rings give it, ((x/old) − 1) × 100), so
// the values are TA-Lib's SMA and ROC exactly (tested against go-talib).
//
// A member's closes[:n] must not change while its stats stand on them
// (SetMember keeps them when its processed bars are unchanged and resets
// the stats otherwise; quotesToBars only appends).
type stats struct {
	n             int // closes committed
	sum50, sum200 float64
	ext           extremes
}

// at is closes[i], 0 before the first close.
func at(closes []float64, i int) float64 {
	if i < 0 {
		return 0
	}
	return closes[i]
}

// statVals are the indicators' values for one close (ok: defined).
type statVals struct {
	v50, v200, roc     float64
	ok50, ok200, okRoc bool
}

// push commits closes[j], the member's next close (j == s.n), and returns
// the indicators with it.
func (s *stats) push(closes []float64, j int) statVals {
	x := closes[j]
	s.sum50 = (s.sum50 - at(closes, j-sma50Period)) + x
	s.sum200 = (s.sum200 - at(closes, j-sma200Period)) + x
	s.ext.push(closes, j)
	s.n = j + 1
	return s.vals(x, s.sum50, s.sum200, at(closes, j-roc21Period), s.n)
}

// peek returns what push would with a next close x, without committing it.
func (s *stats) peek(closes []float64, x float64) statVals {
	n := s.n
	return s.vals(x, (s.sum50-at(closes, n-sma50Period))+x, (s.sum200-at(closes, n-sma200Period))+x,
		at(closes, n-roc21Period), n+1)
}

// vals are the indicators of close x given the window sums ending at it,
// the close 21 before it (0: none) and the number of closes up to it.
func (s *stats) vals(x, sum50, sum200, old float64, count int) statVals {
	var v statVals
	if count >= sma50Period {
		v.v50, v.ok50 = sum50/sma50Period, true
	}
	if count >= sma200Period {
		v.v200, v.ok200 = sum200/sma200Period, true
	}
	if old != 0 {
		v.roc, v.okRoc = ((x/old)-1.0)*100.0, true
	}
	return v
}

func (s *stats) reset() { *s = stats{} }
