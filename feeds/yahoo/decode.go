package yahoo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// decodeChart walks a chart reply in one pass. encoding/json alone spends
// most of its time scanning the big number arrays two or three times (it
// validates the whole document, then skips each value before decoding it);
// this walker reads the arrays directly and hands only the small meta and
// error objects to encoding/json. It returns chart.result[0] (nil if the
// result is null or empty) or the chart.error object.
func decodeChart(data []byte) (*wireResult, *APIError, error) {
	s := &scanner{b: data}
	var (
		res    *wireResult
		back   *wireResult
		apiErr *APIError // chart.error
		finErr *APIError // finance.error
	)
	err := s.nullOr(func() error { return s.object(s.topLevel(&res, &back, &apiErr, &finErr)) })
	if err != nil {
		return nil, nil, err
	}
	s.ws()
	if s.i != len(s.b) {
		return nil, nil, s.errorf("data after the top-level value")
	}
	if apiErr == nil {
		apiErr = finErr
	}
	return res, apiErr, nil
}

// topLevel returns the key handler of the reply's top-level object.
// back is the element chart.result[0] decodes into: kept across a repeated
// "result" key unless it was null or empty, as encoding/json reuses a
// slice's array.
func (s *scanner) topLevel(res, back **wireResult, apiErr, finErr **APIError) func(key []byte) error {
	return func(key []byte) error {
		switch keyIndex(key, "chart", "finance") {
		case -1:
			return s.skip(1)
		case 1:
			// {"finance":{"result":null,"error":{"code":"Unauthorized",...}}}:
			// Yahoo's generic error envelope (e.g. 401 Invalid Crumb).
			return s.nullOr(func() error {
				return s.object(func(key []byte) error {
					if keyIndex(key, "error") < 0 {
						return s.skip(2)
					}
					var err error
					*finErr, err = s.errorObject(*finErr)
					return err
				})
			})
		}
		return s.nullOr(func() error {
			return s.object(func(key []byte) error {
				switch keyIndex(key, "result", "error") {
				case 0:
					*res = nil
					if s.peek() == 'n' {
						*back = nil
						return s.literal("null")
					}
					empty := true
					err := s.array(func(i int) error {
						if i > 0 {
							return s.skip(3)
						}
						empty = false
						if *back == nil {
							*back = &wireResult{}
						}
						*res = *back
						return s.nullOr(func() error { return s.result(*back) })
					})
					if empty {
						*back = nil
					}
					return err
				case 1:
					var err error
					*apiErr, err = s.errorObject(*apiErr)
					return err
				}
				return s.skip(2)
			})
		})
	}
}

// errorObject reads null or {"code":...,"description":...}, merging into
// prev like encoding/json does for a repeated key.
func (s *scanner) errorObject(prev *APIError) (*APIError, error) {
	raw, err := s.raw()
	if err != nil || string(raw) == "null" {
		return nil, err
	}
	var e struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	}
	if prev != nil {
		e.Code, e.Description = prev.Code, prev.Description
	}
	if err := json.Unmarshal(raw, &e); err != nil {
		return nil, fmt.Errorf("error object: %w", err)
	}
	return &APIError{Code: e.Code, Description: e.Description}, nil
}

// result reads one element of chart.result into r. Like encoding/json, it
// decodes into what r already holds, so a repeated key merges the same way.
func (s *scanner) result(r *wireResult) error {
	return s.object(func(key []byte) error {
		switch keyIndex(key, "meta", "timestamp", "indicators") {
		case 0:
			raw, err := s.raw()
			if err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &r.Meta); err != nil {
				return fmt.Errorf("meta: %w", err)
			}
			return nil
		case 1:
			var err error
			r.Timestamp, err = s.floats(0)
			return err
		case 2:
			return s.nullOr(func() error {
				return s.object(func(key []byte) error {
					if keyIndex(key, "quote") < 0 {
						return s.skip(5)
					}
					r.hasQuote = false
					if s.peek() == 'n' {
						r.quoteBacking = false
						return s.literal("null")
					}
					empty := true
					err := s.array(func(i int) error {
						if i > 0 {
							return s.skip(6)
						}
						empty = false
						if !r.quoteBacking {
							r.Open, r.High, r.Low, r.Close, r.Volume = nil, nil, nil, nil, nil
						}
						r.hasQuote, r.quoteBacking = true, true
						return s.nullOr(func() error { return s.quote(r) })
					})
					if empty {
						r.quoteBacking = false
					}
					return err
				})
			})
		}
		return s.skip(4)
	})
}

// quote reads indicators.quote[0].
func (s *scanner) quote(r *wireResult) error {
	hint := len(r.Timestamp)
	return s.object(func(key []byte) error {
		var dst *floats
		switch keyIndex(key, "open", "high", "low", "close", "volume") {
		case 0:
			dst = &r.Open
		case 1:
			dst = &r.High
		case 2:
			dst = &r.Low
		case 3:
			dst = &r.Close
		case 4:
			dst = &r.Volume
		default:
			return s.skip(8)
		}
		var err error
		*dst, err = s.floats(hint)
		return err
	})
}

// keyIndex returns the index of the first name that the raw (escaped) key
// matches, or -1. Like encoding/json, it unescapes the key and ignores case
// (Unicode simple folding), so both decoders read the same fields.
func keyIndex(raw []byte, names ...string) int {
	key := raw
	if bytes.IndexByte(raw, '\\') >= 0 {
		var u string
		if err := json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &u); err != nil {
			return -1
		}
		key = []byte(u)
	}
	for i, n := range names {
		if len(key) == len(n) && string(key) == n {
			return i
		}
	}
	for i, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return i
		}
	}
	return -1
}

// maxDepth bounds nesting so that hostile input cannot recurse deeply.
const maxDepth = 256

// scanner is a minimal JSON reader over b.
type scanner struct {
	b []byte
	i int
}

func (s *scanner) errorf(format string, args ...any) error {
	if s.i >= len(s.b) {
		return fmt.Errorf("unexpected end of JSON input")
	}
	return fmt.Errorf("offset %d: %s", s.i, fmt.Sprintf(format, args...))
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) ws() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

// peek returns the next non-blank byte (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	if s.peek() != c {
		return s.errorf("expected %q", c)
	}
	s.i++
	return nil
}

// literal consumes the literal word (true, false, null).
func (s *scanner) literal(word string) error {
	if !bytes.HasPrefix(s.b[s.i:], []byte(word)) {
		return s.errorf("invalid literal")
	}
	s.i += len(word)
	return nil
}

// nullOr consumes null, or calls fn to read the value.
func (s *scanner) nullOr(fn func() error) error {
	if s.peek() == 'n' {
		return s.literal("null")
	}
	return fn()
}

// str reads a string and returns its raw (still escaped) contents.
func (s *scanner) str() ([]byte, error) {
	if err := s.expect('"'); err != nil {
		return nil, err
	}
	start := s.i
	for s.i < len(s.b) {
		switch c := s.b[s.i]; {
		case c == '"':
			out := s.b[start:s.i]
			s.i++
			return out, nil
		case c == '\\':
			s.i += 2
		case c < 0x20:
			return nil, s.errorf("control character in string")
		default:
			s.i++
		}
	}
	s.i = len(s.b)
	return nil, s.errorf("unterminated string")
}

// object reads an object, calling fn for each key; fn must read the value.
func (s *scanner) object(fn func(key []byte) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.i++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := fn(key); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			return nil
		default:
			return s.errorf("expected ',' or '}' in object")
		}
	}
}

// array reads an array, calling fn for each element; fn must read it.
func (s *scanner) array(fn func(i int) error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.i++
		return nil
	}
	for n := 0; ; n++ {
		if err := fn(n); err != nil {
			return err
		}
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			return nil
		default:
			return s.errorf("expected ',' or ']' in array")
		}
	}
}

// skip reads and discards one value at the given nesting depth.
func (s *scanner) skip(depth int) error {
	if depth > maxDepth {
		return s.errorf("nested too deeply")
	}
	switch c := s.peek(); {
	case c == '{':
		return s.object(func([]byte) error { return s.skip(depth + 1) })
	case c == '[':
		return s.array(func(int) error { return s.skip(depth + 1) })
	case c == '"':
		_, err := s.str()
		return err
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.skipNumber()
	}
	return s.errorf("unexpected character")
}

// raw skips one value and returns its bytes.
func (s *scanner) raw() ([]byte, error) {
	s.ws()
	start := s.i
	if err := s.skip(1); err != nil {
		return nil, err
	}
	return s.b[start:s.i], nil
}

// numberToken consumes the characters of a number and reports whether they
// are all decimal digits.
func (s *scanner) numberToken() (tok []byte, digits bool) {
	start := s.i
	digits = true
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c >= '0' && c <= '9' {
			s.i++
			continue
		}
		if c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			digits = false
			s.i++
			continue
		}
		break
	}
	return s.b[start:s.i], digits
}

// skipNumber consumes a number without converting it.
func (s *scanner) skipNumber() error {
	start := s.i
	tok, _ := s.numberToken()
	if len(tok) == 0 || !(tok[0] == '-' || tok[0] >= '0' && tok[0] <= '9') || tok[len(tok)-1] < '0' || tok[len(tok)-1] > '9' {
		s.i = start
		return s.errorf("invalid number")
	}
	return nil
}

// number reads a JSON number token. Plain integers of up to 15 digits
// (timestamps, volumes) are converted exactly by hand; anything else goes
// through strconv.ParseFloat.
func (s *scanner) number() (float64, error) {
	start := s.i
	tok, digits := s.numberToken()
	if digits && len(tok) > 0 && len(tok) <= 15 {
		var n int64
		for _, c := range tok {
			n = n*10 + int64(c-'0')
		}
		return float64(n), nil
	}
	if len(tok) == 0 || !(tok[0] == '-' || tok[0] >= '0' && tok[0] <= '9') {
		s.i = start
		return 0, s.errorf("invalid number")
	}
	v, err := strconv.ParseFloat(string(tok), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		s.i = start
		return 0, s.errorf("invalid number %q", tok)
	}
	return v, nil // out of range: ±Inf or 0, filtered by the caller
}

// floats reads null or an array of numbers and nulls (null → NaN). hint is
// the expected length.
func (s *scanner) floats(hint int) (floats, error) {
	if s.peek() == 'n' {
		return nil, s.literal("null")
	}
	out := make(floats, 0, hint)
	err := s.array(func(int) error {
		if s.peek() == 'n' {
			out = append(out, math.NaN())
			return s.literal("null")
		}
		v, err := s.number()
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
