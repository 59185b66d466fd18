// Package ta implements incremental ("streaming") technical-analysis
// indicators that reproduce TA-Lib's classic algorithms bit for bit, as
// ported by github.com/markcheno/go-talib, when fed from the same first bar.
//
// Every stream follows the same contract:
//
//   - Update commits one closed bar and returns the new output; ok is false
//     during the warm-up (the TA-Lib lookback).
//   - Peek evaluates a forming bar without mutating the stream; its result is
//     bit-identical to the Update that would follow with the same input.
//   - Value returns the last committed output.
//   - Lookback returns TA-Lib's lookback: the number of inputs consumed before
//     the first output.
//   - Reset returns the stream to its freshly-constructed state without
//     allocating.
//
// Inputs are validated before they touch any state: non-finite and
// non-positive prices (and negative volumes) are rejected with an error
// wrapping ErrBadInput, and the stream is left unchanged. Constructors
// validate their periods and return an error wrapping ErrPeriod instead of
// panicking.
//
// Numerics: the streams copy TA-Lib's operation order exactly, accumulate
// running sums from 0.0 in input order and never re-anchor them, and wrap
// every product that feeds an addition in an explicit float64 conversion so
// the compiler cannot fuse it into an FMA (which would change the rounding on
// arm64 or GOAMD64=v3).
//
// Update and Peek do not allocate (except to build an error); all buffers are
// sized at construction, and Clone gives an independent deep copy for
// rollback/replay of revised bars. A stream is not safe for concurrent use.
//
// Parity with TA-Lib is tested against github.com/markcheno/go-talib over
// 100,000-bar series (bit-identical on linux/amd64), and testdata holds
// digests of the oracle's outputs so other platforms are held to the same
// bits.
package ta

import (
	"errors"
	"fmt"
	"math"
)

// ErrPeriod is wrapped by constructor errors for an invalid period or
// parameter.
var ErrPeriod = errors.New("ta: invalid period")

// ErrBadInput is wrapped by Update/Peek errors for an input that is NaN,
// ±Inf, a zero or negative price, or a negative volume.
var ErrBadInput = errors.New("ta: invalid input")

// Stream is a scalar indicator stream (one float64 in, one float64 out).
type Stream interface {
	// Update commits one closed bar; ok is false during the warm-up.
	Update(x float64) (v float64, ok bool, err error)
	// Peek evaluates a forming bar without mutating the stream.
	Peek(x float64) (v float64, ok bool, err error)
	// Value returns the last committed output.
	Value() (v float64, ok bool)
	// Lookback returns the TA-Lib lookback.
	Lookback() int
	// Reset returns the stream to its freshly-constructed state.
	Reset()
}

// Compile-time conformance of the scalar streams.
var (
	_ Stream = (*SMA)(nil)
	_ Stream = (*EMA)(nil)
	_ Stream = (*WMA)(nil)
	_ Stream = (*RSI)(nil)
	_ Stream = (*VAR)(nil)
	_ Stream = (*StdDev)(nil)
	_ Stream = (*MAX)(nil)
	_ Stream = (*MIN)(nil)
	_ Stream = (*ROC)(nil)
	_ Stream = (*ROCP)(nil)
	_ Stream = (*RVOL)(nil)
)

// validPrice reports whether x is a finite, strictly positive number.
func validPrice(x float64) bool { return x > 0 && x <= math.MaxFloat64 }

// validVolume reports whether v is a finite, non-negative number.
func validVolume(v float64) bool { return v >= 0 && v <= math.MaxFloat64 }

// inputError is the error for a rejected scalar input: op names the method
// ("SMA.Update") and x the input. It wraps ErrBadInput. The hot paths build
// it as a literal, a few nodes for the inliner (formatting waits for Error),
// so Update and Peek stay small enough to inline; only the error path
// allocates.
type inputError struct {
	op string
	x  float64
}

func (e inputError) Error() string {
	return fmt.Sprintf("ta: %s: input %v: %v", e.op, e.x, ErrBadInput)
}

func (e inputError) Unwrap() error { return ErrBadInput }

// barError is a rejected OHLC bar, like inputError.
type barError struct {
	op      string
	h, l, c float64
}

func (e barError) Error() string {
	return fmt.Sprintf("ta: %s: bar high=%v low=%v close=%v: %v", e.op, e.h, e.l, e.c, ErrBadInput)
}

func (e barError) Unwrap() error { return ErrBadInput }

// validBar reports whether h, l, c are valid prices with h >= l (l > 0 and
// h finite bound h and l from both sides; NaN fails every comparison).
func validBar(h, l, c float64) bool {
	return l > 0 && h >= l && h <= math.MaxFloat64 && validPrice(c)
}

// MaxPeriod is the largest accepted period (TA-Lib's limit). It bounds the
// ring buffers a constructor allocates.
const MaxPeriod = 100_000

// checkPeriod validates least <= p <= MaxPeriod.
func checkPeriod(op string, p, least int) error {
	if p < least || p > MaxPeriod {
		return fmt.Errorf("ta: %s: period %d (want %d..%d): %w", op, p, least, MaxPeriod, ErrPeriod)
	}
	return nil
}
