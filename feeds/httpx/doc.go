// Package httpx is the HTTP plumbing shared by capwatch's network feeds
// (feeds/yahoo, feeds/stooq, feeds/alpaca): one options type (FeedOptions)
// whose zero values take each feed's defaults (its Spec), and a Base that a
// feed embeds — the token-bucket rate limiter driven by an injected clock,
// exponential backoff with full jitter, Retry-After parsing, a GET helper
// that classifies failures (rate limited, server error, timeout, HTML
// consent/block page, oversized body...), the poll loop (Poller) and the
// one daily-history loader (LoadDaily: errgroup with a limit, retries,
// today's unfinished bar dropped) — plus a sanitiser for every string that
// comes from the network before it can reach a terminal.
//
// Nothing here keeps package-level mutable state; clocks, HTTP clients and
// random sources are injected.
package httpx
