package engine

import "fmt"

// PairChoice names a small/large pair (Input.Pair, the pair key).
type PairChoice struct {
	Small, Large string
}

// String is "SMALL/LARGE".
func (p PairChoice) String() string { return p.Small + "/" + p.Large }

// SetPair makes small/large the charted pair: the ratio, its flags, the
// risk context and the "Now what?" study follow; both must be watched
// symbols and differ. The breadth universe keeps its own leg (the pair's
// small leg at New). It is a no-op for the current pair.
func (e *Engine) SetPair(small, large string) error {
	if small == e.small.sym && large == e.large.sym {
		return nil
	}
	si, ok1 := e.index[small]
	li, ok2 := e.index[large]
	switch {
	case !ok1 || !ok2:
		return fmt.Errorf("engine: pair %s/%s: both legs must be watched symbols", sanitize(small, 20), sanitize(large, 20))
	case small == large:
		return fmt.Errorf("engine: pair %s/%s: the legs must differ", sanitize(small, 20), sanitize(large, 20))
	}
	p, err := newPairState(e.syms[si], e.syms[li])
	if err != nil {
		return fmt.Errorf("engine: pair %s/%s: %w", small, large, err)
	}
	e.small, e.large, e.pair = e.syms[si], e.syms[li], p
	e.cfg.Small, e.cfg.Large = small, large
	e.texts = flagTexts(e.cfg)
	e.pub = pubCache{} // the published series were the other pair's
	e.pairRebuild, e.closedDirty, e.pairChanged = true, true, true
	e.risk, e.analogs = nil, nil
	e.settle()
	return nil
}
