// Package study computes capwatch's "Now what?" context for the small/large
// pair: the analog study (what followed past breakouts of the ratio like
// today's, against the every-day base rate) and the risk context (volatility,
// beta, drawdown and dollar volume of both legs at the latest bar).
//
// The package is pure: it works on the pair's joined daily series (closed bars
// only, oldest first) and returns the engine's result types. It is meant to be
// recomputed once per closed daily bar, never per quote; Compute is the hook
// the engine calls.
//
// Definitions (the JSON contract is engine.Risk and engine.Analogs):
//
//   - ratio r = close(small) / close(large) on the joined series.
//   - event at bar i (0-based): i ≥ 200, r[i] > SMA200(r)[i],
//     r[i−1] ≤ SMA200(r)[i−1] and r[i] > max(r[i−20 … i−1]); an event 63 bars
//     or fewer after the previous counted event is not counted. SMA200 follows
//     TA-Lib (first value at index 199, same running-sum operation order).
//   - outcomes at 21/63/126/252 bars: rel_pct = (r[i+h]/r[i] − 1)·100 and
//     large_pct = (close_large[i+h]/close_large[i] − 1)·100, null past the end.
//   - per horizon: n, hit rates (share > 0), median and p25/p75 (linear
//     interpolation, numpy's default) over the events that have the horizon;
//     the baseline is the same over every bar i ≥ 200 with i+h in the data.
//   - risk: TA-Lib STDDEV(63, 1) of daily log returns ×√252×100, beta of the
//     last 63 simple returns of small on large (TA-Lib BETA(large, small, 63)),
//     drawdown from the 252-bar closing high, mean close×volume over 20 bars.
package study
