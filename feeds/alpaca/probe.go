package alpaca

import (
	"context"

	"github.com/capwatch/capwatch/feeds/httpx"
)

// Probe asks for SPY's daily bars of the last week (one small REST request
// with the keys, consolidated data ending SIPDelay ago as History asks) and
// describes the reply, for `capwatch doctor`: refused keys are a 401/403
// whose detail says what to check; nothing of the keys is in it.
func (f *Feed) Probe(ctx context.Context) (httpx.Reply, error) {
	now := f.o.Clock.Now()
	q := barsQuery{Symbols: []string{"SPY"}, Timeframe: "1Day", Start: now.AddDate(0, 0, -7), End: now.Add(-SIPDelay),
		Feed: "sip", Adjustment: "all"}
	_, r, err := f.barsPageReply(ctx, q, q.Symbols, "")
	return r, err
}
