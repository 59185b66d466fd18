// Package breadth computes the breadth of a member universe (the Russell
// 2000 through IWM's holdings, the S&P SmallCap 600 through IJR's, or any
// list) and the confirmation strip. It is pure and incremental: no I/O, no
// clock, no goroutines; one goroutine owns a Universe.
//
// # Measures
//
// Breadth is evaluated on the closed daily dates of the small leg (IWM).
// Each member's windows run on its own bars; a member without a bar on a date
// is left out that day, never forward-filled. On a date:
//
//   - covered: members with at least one bar on or before the date; members:
//     the list's equities.
//   - pct_above_sma50/200: % of the members with ≥ 50/200 bars whose close is
//     above their TA-Lib SMA50/200 (null when none qualifies).
//   - new_highs_52w/new_lows_52w: members with ≥ 253 bars whose close is above
//     the highest / below the lowest of their 252 prior closes.
//   - advancers/decliners/unchanged: members with a bar on the date and on the
//     small leg's previous date, close against that previous close.
//   - ad_line: running sum of advancers − decliners from history_from, the
//     first date on which any member has a bar.
//   - zweig_ema10: TA-Lib EMA(10), seeded with the SMA of the first 10 values,
//     of advancers ÷ (advancers + decliners) over the dates where that sum is
//     positive (null on the others).
//   - a Zweig breadth thrust completes on a bar of that series where the EMA
//     is above 0.615 and was below 0.40 on at least one of the 10 bars before
//     it. A thrust fires once per wash-out: after it fires, the next one needs
//     a new bar below 0.40.
//   - ew_return_21d_pct: mean of the members' 21-bar returns (≥ 22 bars;
//     TA-Lib ROC); cw_return_21d_pct: the small leg's 21-bar return.
//
// The flags' inputs are AboveOn (pct_above_sma50 at or above the configured
// threshold, 60 by default; null counts as off) and ThrustRecent (a thrust
// completed on this bar or on one of the 20 bars before it).
//
// # Incremental updates
//
// Counts are kept per date as integers and the returns as fixed-point sums,
// so adding, replacing or extending one member costs O(its bars) and the
// result never depends on the order members were loaded in. The forming
// (live) date is evaluated from the members' quotes with the streams' Peek:
// one quote changes one member's contribution in O(1) without allocating.
package breadth
