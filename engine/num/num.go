// Package num holds the optional number of capwatch's JSON contract and the
// small JSON helpers its result types share. It is a leaf: engine and its
// sub-packages (rotation, breadth, study) all import it, so a value means
// the same thing, and marshals the same way, wherever it is computed.
package num

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
)

// Num is an optional number: Valid=false means "absent" (warm-up, not enough
// history, undefined). It marshals to JSON null when absent. Never use a zero
// to mean "missing".
type Num struct {
	V     float64
	Valid bool
}

// Some returns a present Num (absent if v is not finite).
func Some(v float64) Num {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return Num{}
	}
	return Num{V: v, Valid: true}
}

// Get returns the value and whether it is present.
func (n Num) Get() (float64, bool) { return n.V, n.Valid }

// MarshalJSON renders null when absent.
func (n Num) MarshalJSON() ([]byte, error) {
	if !n.Valid || math.IsNaN(n.V) || math.IsInf(n.V, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, n.V, 'g', -1, 64), nil
}

// UnmarshalJSON accepts null or a number.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num{}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*n = Some(v)
	return nil
}

// Marshal is json.Marshal without HTML escaping: the caller's encoder
// decides that ("<" in a flag's text, "&" in "Oil & Gas E&P" stay as they
// are in `capwatch snapshot`).
func Marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// NonNil returns s, or an empty slice for nil (lists are [] in the JSON,
// never null).
func NonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
