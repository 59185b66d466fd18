package alpaca

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/feeds/httpx"
	"github.com/capwatch/capwatch/internal/calendar"
	"github.com/capwatch/capwatch/internal/clock"
)

// REST details (Alpaca market data API v2, GET /v2/stocks/bars).
const (
	pageLimit      = 10000 // the documented maximum of limit
	symbolsPerCall = 100   // symbols per request chain (keeps URLs short)
	maxPages       = 2000  // safety bound on one paginated request chain
	maxResetWait   = time.Minute
)

// resetTransport reads Alpaca's documented rate-limit headers: a 429 that
// has no Retry-After gets one from X-RateLimit-Reset (unix seconds), so that
// the shared client (httpx) pauses the shared limiter for exactly that long.
// The key headers are added by the client (httpx.Spec.Header).
type resetTransport struct {
	base http.RoundTripper
	clk  clock.Clock
}

func (t *resetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusTooManyRequests && resp.Header.Get("Retry-After") == "" {
		if wait, ok := resetWait(resp.Header.Get("X-RateLimit-Reset"), t.clk.Now()); ok {
			resp.Header.Set("Retry-After", strconv.Itoa(int(math.Ceil(max(wait, time.Second).Seconds()))))
		}
	}
	return resp, nil
}

// resetWait reads X-RateLimit-Reset (unix seconds) relative to now, capped
// at maxResetWait.
func resetWait(v string, now time.Time) (time.Duration, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	d := time.Unix(n, 0).Sub(now)
	return min(max(d, 0), maxResetWait), true
}

// barsQuery is one GET /v2/stocks/bars request chain.
type barsQuery struct {
	Symbols    []string
	Timeframe  string // "1Day" | "1Min"
	Start, End time.Time
	Feed       string // "iex" | "sip" | "delayed_sip"
	Adjustment string // "all" | "raw"
}

// barJSON is one bar of the REST reply.
type barJSON struct {
	T string  `json:"t"`
	O float64 `json:"o"`
	H float64 `json:"h"`
	L float64 `json:"l"`
	C float64 `json:"c"`
	V float64 `json:"v"`
}

// barsReply is the multi-symbol reply.
type barsReply struct {
	Bars          map[string][]barJSON `json:"bars"`
	NextPageToken *string              `json:"next_page_token"`
}

// apiError is Alpaca's error body.
type apiError struct {
	Message string `json:"message"`
	Code    int    `json:"code"`
}

// barsURL builds the request URL of one page.
func (f *Feed) barsURL(q barsQuery, syms []string, token string) string {
	v := url.Values{}
	v.Set("symbols", strings.Join(syms, ","))
	v.Set("timeframe", q.Timeframe)
	if !q.Start.IsZero() {
		v.Set("start", q.Start.UTC().Format(time.RFC3339))
	}
	if !q.End.IsZero() {
		v.Set("end", q.End.UTC().Format(time.RFC3339))
	}
	v.Set("limit", strconv.Itoa(pageLimit))
	if q.Adjustment != "" {
		v.Set("adjustment", q.Adjustment)
	}
	if q.Feed != "" {
		v.Set("feed", q.Feed)
	}
	v.Set("sort", "asc")
	if token != "" {
		v.Set("page_token", token)
	}
	return f.base + "/v2/stocks/bars?" + v.Encode()
}

// fetchBars runs the request chain for every symbol group and returns the
// bars per symbol (oldest first). Daily bars are keyed by midnight New York
// of their trading date; minute bars by their start. Every page waits for
// the shared limiter. Errors are *httpx.Error values whose Detail carries
// Alpaca's message (with the keys removed).
func (f *Feed) fetchBars(ctx context.Context, q barsQuery) (map[string][]engine.Bar, error) {
	out := make(map[string][]engine.Bar, len(q.Symbols))
	daily := q.Timeframe == "1Day"
	for i := 0; i < len(q.Symbols); i += symbolsPerCall {
		syms := q.Symbols[i:min(i+symbolsPerCall, len(q.Symbols))]
		token := ""
		for page := 0; ; page++ {
			if page >= maxPages {
				return out, &httpx.Error{Op: "alpaca: bars", Source: "Alpaca", Kind: httpx.KindParse, Detail: "too many pages"}
			}
			var rep barsReply
			err := httpx.Retry(ctx, f.o.Clock, f.back, 3, 30*time.Second, func(ctx context.Context) error {
				r, err := f.getBarsPage(ctx, q, syms, token)
				rep = r
				return err
			})
			if err != nil {
				return out, err
			}
			for sym, bars := range rep.Bars {
				for _, b := range bars {
					eb, ok := convertBar(sym, b, daily)
					if !ok {
						continue
					}
					out[sym] = append(out[sym], eb)
				}
			}
			if rep.NextPageToken == nil || *rep.NextPageToken == "" {
				break
			}
			if *rep.NextPageToken == token {
				return out, &httpx.Error{Op: "alpaca: bars", Source: "Alpaca", Kind: httpx.KindParse, Detail: "the same page token twice"}
			}
			token = *rep.NextPageToken
		}
	}
	return out, nil
}

// getBarsPage fetches and parses one page.
func (f *Feed) getBarsPage(ctx context.Context, q barsQuery, syms []string, token string) (barsReply, error) {
	rep, _, err := f.barsPageReply(ctx, q, syms, token)
	return rep, err
}

// barsPageReply is getBarsPage that also describes the reply.
func (f *Feed) barsPageReply(ctx context.Context, q barsQuery, syms []string, token string) (barsReply, httpx.Reply, error) {
	op := "alpaca: bars " + q.Timeframe
	body, reply, err := f.http.GetReply(ctx, op, f.barsURL(q, syms, token))
	if err != nil {
		var he *httpx.Error
		if errors.As(err, &he) {
			if len(he.Body) > 0 {
				var ae apiError
				if json.Unmarshal(he.Body, &ae) == nil && ae.Message != "" {
					he.Detail = httpx.Sanitize(f.redact(ae.Message))
				}
			}
			switch he.Status {
			case http.StatusUnauthorized:
				he.Detail = joinDetail("check APCA_API_KEY_ID and APCA_API_SECRET_KEY", he.Detail)
			case http.StatusForbidden:
				if strings.Contains(strings.ToLower(he.Detail), "sip") {
					he.Detail = joinDetail(he.Detail, "the free plan has SIP data only up to 15 minutes ago")
				} else {
					he.Detail = joinDetail(he.Detail, "check the keys and the data plan")
				}
			}
		}
		return barsReply{}, reply, err
	}
	var rep barsReply
	if err := json.Unmarshal(body, &rep); err != nil {
		return barsReply{}, reply, &httpx.Error{Op: op, Source: "Alpaca", Kind: httpx.KindParse, Detail: httpx.Sanitize(err.Error()), Err: err}
	}
	return rep, reply, nil
}

func joinDetail(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// convertBar turns a REST bar into an engine bar; ok is false for a bar
// that cannot be used (bad time or non-positive price).
func convertBar(sym string, b barJSON, daily bool) (engine.Bar, bool) {
	t, err := parseTime([]byte(b.T))
	if err != nil || !(b.C > 0) || !(b.O > 0) || !(b.H > 0) || !(b.L > 0) || b.V < 0 {
		return engine.Bar{}, false
	}
	if daily {
		ny := t.In(calendar.Location())
		t = time.Date(ny.Year(), ny.Month(), ny.Day(), 0, 0, 0, 0, calendar.Location())
	}
	return engine.Bar{Symbol: sym, Time: t, Open: b.O, High: b.H, Low: b.L, Close: b.C, Volume: b.V}, true
}

// redact removes the keys from a string that came back from the network.
func (f *Feed) redact(s string) string {
	for _, k := range []string{f.o.KeyID, f.o.SecretKey} {
		if len(k) >= 4 {
			s = strings.ReplaceAll(s, k, "[redacted]")
		}
	}
	return s
}

// errorf builds a feed error with a sanitised, key-free message.
func (f *Feed) errorf(format string, a ...any) error {
	return errors.New(httpx.Sanitize(f.redact(fmt.Sprintf(format, a...))))
}
