package app

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds"
	"github.com/capwatch/capwatch/internal/termsafe"
)

// Default history retry backoff (Pipeline.HistoryRetry, HistoryRetryMax).
const (
	DefaultHistoryRetry    = 5 * time.Second
	DefaultHistoryRetryMax = 5 * time.Minute
)

// historyRetry tracks the symbols whose daily history could not be loaded and
// when to ask the feed for it again: capped exponential backoff with jitter,
// or at once when the live feed delivers a quote for such a symbol after it
// had failed (the feed recovered). It is owned by the pipeline goroutine.
type historyRetry struct {
	base, max time.Duration
	rand      func() float64
	symbols   []string // the pipeline's symbols (request order)
	feed      string   // the feed's name (its errors may start with it)

	pending  map[string]bool // symbols without history
	liveFail map[string]bool // pending symbols that failed since the last attempt
	fails    int             // consecutive failed attempts (backoff exponent)
	next     time.Time       // when the next attempt is due
	last     time.Time       // when the last attempt started
	inFlight bool
	reason   string // why the history is missing (sanitised): the cause
	down     string // the same for a down status: the cause said once, named as history's if it does not say so itself
	hanging  bool   // the last attempt failed because the source did not answer
}

func newHistoryRetry(symbols []string, base, maxDelay time.Duration, rnd func() float64) *historyRetry {
	if base <= 0 {
		base = DefaultHistoryRetry
	}
	if maxDelay < base {
		maxDelay = max(base, DefaultHistoryRetryMax)
	}
	if rnd == nil {
		rnd = rand.Float64
	}
	return &historyRetry{base: base, max: maxDelay, rand: rnd, symbols: symbols,
		pending: map[string]bool{}, liveFail: map[string]bool{}}
}

// delay is the wait after the given number of consecutive failed attempts
// (1 = the first): base·2^(fails-1) capped at max, times a jitter factor
// uniform in [0.75, 1.25), never above max.
func (r *historyRetry) delay(fails int) time.Duration {
	c := r.base
	for i := 1; i < fails && c < r.max; i++ {
		c *= 2
	}
	c = min(c, r.max)
	d := time.Duration(float64(c) * (0.75 + 0.5*r.rand()))
	return min(max(d, time.Second), r.max)
}

// missing returns the symbols of h without daily bars, from syms: all of them
// after a total failure (err != nil), else those named in h.Errors.
func missing(syms []string, h feeds.History, err error) []string {
	if err != nil {
		return syms
	}
	var out []string
	for _, se := range h.Errors {
		if len(h.Daily[se.Symbol]) == 0 && !containsStr(out, se.Symbol) && containsStr(syms, se.Symbol) {
			out = append(out, se.Symbol)
		}
	}
	return out
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// startup records the result of the first load: the symbols that failed
// become pending and count as failed live too, so the first live quote for
// one of them retries at once.
func (r *historyRetry) startup(now time.Time, h feeds.History, err error) {
	miss := missing(r.symbols, h, err)
	r.failed(now, miss, h, err)
	for _, s := range miss {
		r.liveFail[s] = true
	}
}

// failed schedules the next attempt for the symbols miss (none: all loaded).
func (r *historyRetry) failed(now time.Time, miss []string, h feeds.History, err error) {
	clear(r.pending)
	for _, s := range miss {
		r.pending[s] = true
	}
	for s := range r.liveFail {
		if !r.pending[s] {
			delete(r.liveFail, s)
		}
	}
	r.hanging = err != nil && errors.Is(err, feeds.ErrNotAnswering)
	if len(miss) == 0 {
		r.fails, r.reason, r.down, r.next = 0, "", "", time.Time{}
		return
	}
	r.fails++
	r.next = now.Add(r.delay(r.fails))
	r.reason = reasonOf(miss, h, err)
	r.down = "history: " + r.reason
	if err != nil {
		r.down = termsafe.Line(reasonFor("history", r.feed, err), 300)
	}
}

// reasonOf says why the history of miss is missing, in one clean line.
func reasonOf(miss []string, h feeds.History, err error) string {
	var s string
	if err != nil {
		s = feeds.Reason(err)
	} else {
		for _, se := range h.Errors {
			if se.Symbol == miss[0] {
				s = se.Symbol + ": " + se.Message
				break
			}
		}
		if s == "" {
			s = miss[0] + ": no data"
		}
		if len(miss) > 1 {
			s += fmt.Sprintf(" (and %d more)", len(miss)-1)
		}
	}
	return termsafe.Line(s, 300)
}

// due reports whether an attempt should start now (backoff elapsed).
func (r *historyRetry) due(now time.Time) bool {
	return len(r.pending) > 0 && !r.inFlight && !now.Before(r.next)
}

// observe notes a live batch and reports whether an attempt should start at
// once: a pending symbol got a quote after failing (the feed recovered),
// and the last attempt is at least the base delay ago.
func (r *historyRetry) observe(now time.Time, b feeds.Batch) bool {
	if len(r.pending) == 0 {
		return false
	}
	for _, se := range b.Errors {
		if r.pending[se.Symbol] {
			r.liveFail[se.Symbol] = true
		}
	}
	recovered := false
	for _, q := range b.Quotes {
		if r.liveFail[q.Symbol] {
			delete(r.liveFail, q.Symbol)
			recovered = true
		}
	}
	return recovered && !r.inFlight && (r.last.IsZero() || now.Sub(r.last) >= r.base)
}

// start marks an attempt in flight and returns the symbols to load, in the
// pipeline's order. Live failures before it no longer count: only a live
// failure after this attempt makes the next quote retry at once.
func (r *historyRetry) start(now time.Time) []string {
	r.inFlight, r.last = true, now
	clear(r.liveFail)
	var out []string
	for _, s := range r.symbols {
		if r.pending[s] {
			out = append(out, s)
		}
	}
	return out
}

// done records an attempt's result for the symbols requested and returns
// the daily bars that were loaded (nil if none).
func (r *historyRetry) done(now time.Time, requested []string, h feeds.History, err error) map[string][]engine.Bar {
	r.inFlight = false
	var loaded map[string][]engine.Bar
	if err == nil {
		for _, s := range requested {
			if bars := h.Daily[s]; len(bars) > 0 {
				if loaded == nil {
					loaded = map[string][]engine.Bar{}
				}
				loaded[s] = bars
			}
		}
	}
	var miss []string
	for _, s := range r.symbols {
		if r.pending[s] && (err != nil || loaded[s] == nil) {
			miss = append(miss, s)
		}
	}
	r.failed(now, miss, h, err)
	return loaded
}

// note is the status text while history is missing ("" when none is):
// "history unavailable: <reason>, retry in 30s" (or ", retrying").
func (r *historyRetry) note(now time.Time) string {
	if len(r.pending) == 0 {
		return ""
	}
	s := "history unavailable: " + r.reason
	if d := r.next.Sub(now); !r.inFlight && d >= time.Second {
		return s + ", retry in " + fmtWait(d)
	}
	return s + ", retrying"
}

// merge adds the missing history to a live feed status: a healthy feed is
// reported degraded with the note; a degraded or down feed already says
// what is wrong and is passed through.
func (r *historyRetry) merge(now time.Time, s feeds.Status) feeds.Status {
	if s.State != feeds.StateOK || len(r.pending) == 0 {
		return s
	}
	s.State = feeds.StateDegraded
	s.LastError = r.note(now)
	return s
}

// fmtWait formats a wait in whole seconds: "30s", "2m05s".
func fmtWait(d time.Duration) string {
	sec := int((d + time.Second/2) / time.Second)
	if sec < 60 {
		return fmt.Sprintf("%ds", sec)
	}
	return fmt.Sprintf("%dm%02ds", sec/60, sec%60)
}
