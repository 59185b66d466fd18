// Package httpx is the HTTP plumbing shared by capwatch's network feeds
// (feeds/yahoo, feeds/stooq): a token-bucket rate limiter driven by an
// injected clock, exponential backoff with full jitter, Retry-After parsing,
// a GET helper that classifies failures (rate limited, server error, timeout,
// HTML consent/block page, oversized body...) and a sanitiser for every string
// that comes from the network before it can reach a terminal.
//
// Nothing here keeps package-level mutable state; clocks, HTTP clients and
// random sources are injected.
package httpx
