package alpaca

import (
	"context"
	"time"

	"github.com/capwatch/capwatch/engine"
)

// syncResult is the outcome of one REST synchronisation.
type syncResult struct {
	backfill bool
	what     string
	err      error
}

// sync fills the current session's minute bars over REST. With backfill it
// first fetches the minutes since the newest bar held (or since the open)
// from the stream's own feed: the minutes missed while disconnected. Then,
// on the IEX feed, it replaces the bars older than 15 minutes by
// consolidated SIP bars (free on every plan once 15 minutes old).
func (f *Feed) sync(ctx context.Context, st *state, symbols []string, backfill bool) syncResult {
	now := f.o.Clock.Now()
	open, close, ok := sessionAt(f.o.Calendar, now)
	if !ok {
		return syncResult{backfill: backfill}
	}
	end := now
	if end.After(close) {
		end = close
	}
	if backfill {
		from := st.lastBar(open)
		if from.IsZero() {
			from = open
		}
		feed, to := f.o.Feed, end
		if feed == "delayed_sip" {
			feed, to = "sip", minTime(end, now.Add(-SIPDelay))
		}
		if from.Before(to) {
			bars, err := f.fetchBars(ctx, barsQuery{Symbols: symbols, Timeframe: "1Min", Start: from, End: to, Feed: feed, Adjustment: "raw"})
			f.apply(st, bars, feed != "iex", open, time.Time{})
			if err != nil {
				return syncResult{backfill: true, what: "back-fill of missed minutes", err: err}
			}
		}
	}
	if f.o.Feed == "iex" {
		horizon := minTime(now.Add(-SIPDelay), close).Truncate(time.Minute)
		through := st.sipThrough(open)
		if horizon.After(through) {
			bars, err := f.fetchBars(ctx, barsQuery{Symbols: symbols, Timeframe: "1Min", Start: through, End: horizon.Add(-time.Second), Feed: "sip", Adjustment: "raw"})
			if err != nil {
				return syncResult{backfill: backfill, what: "consolidated (SIP) volume", err: err}
			}
			f.apply(st, bars, true, open, horizon)
		}
	}
	return syncResult{backfill: backfill}
}

// apply folds REST minute bars into the state. With a non-zero sipTo the
// bars are the consolidated ones of every symbol's minutes up to sipTo:
// they replace what the symbol held there (an IEX bar of a minute the SIP
// reply lacks is dropped) and the symbol's bars before sipTo are marked
// consolidated.
func (f *Feed) apply(st *state, bars map[string][]engine.Bar, consolidated bool, open, sipTo time.Time) {
	st.mu.Lock()
	for sym, bs := range bars {
		i, ok := st.index[sym]
		if !ok {
			continue
		}
		for _, b := range bs {
			if !sipTo.IsZero() && (b.Time.Before(st.syms[i].sip) || !b.Time.Before(sipTo)) && st.syms[i].dayOpen.Equal(open) {
				continue
			}
			st.upsert(i, b, consolidated)
		}
	}
	if !sipTo.IsZero() {
		for i := range st.syms {
			st.dropUnconsolidated(i, open, sipTo, bars[st.syms[i].sym])
			st.consolidate(i, open, sipTo)
		}
	}
	dirty := len(st.dirty) > 0
	st.mu.Unlock()
	if dirty || !sipTo.IsZero() {
		st.markStatus()
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
