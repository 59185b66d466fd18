package alpaca

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unicode/utf8"
)

// MsgType is the "T" field of a stream message.
type MsgType uint8

// Stream message types (Alpaca market data v2, stocks).
const (
	MsgOther        MsgType = iota // a type capwatch does not use (quotes, statuses, LULDs...)
	MsgSuccess                     // {"T":"success","msg":"connected"|"authenticated"}
	MsgError                       // {"T":"error","code":402,"msg":"auth failed"}
	MsgSubscription                // {"T":"subscription","trades":[...],"bars":[...],...}
	MsgTrade                       // {"T":"t","S":"SPY","p":512.1,"s":100,"t":"..."}
	MsgBar                         // {"T":"b",...} a minute bar, sent just after the minute ends
	MsgUpdatedBar                  // {"T":"u",...} a minute bar corrected by late trades
	MsgDailyBar                    // {"T":"d",...} the day's bar so far
)

func (t MsgType) String() string {
	switch t {
	case MsgSuccess:
		return "success"
	case MsgError:
		return "error"
	case MsgSubscription:
		return "subscription"
	case MsgTrade:
		return "t"
	case MsgBar:
		return "b"
	case MsgUpdatedBar:
		return "u"
	case MsgDailyBar:
		return "d"
	}
	return "other"
}

// Msg is one decoded stream message. Its byte slices point into the frame
// or the decoder's scratch space and are valid only during the callback.
type Msg struct {
	Type   MsgType
	Symbol []byte    // S
	Price  float64   // p (trade)
	Size   float64   // s (trade)
	Open   float64   // o
	High   float64   // h
	Low    float64   // l
	Close  float64   // c (bar)
	Volume float64   // v
	Time   time.Time // t
	Code   int       // code (error)
	Text   []byte    // msg (success, error)
	// Subscription lists (subscription messages only).
	Trades, Quotes, Bars, UpdatedBars, DailyBars [][]byte
}

// Decoder decodes the JSON frames of Alpaca's market-data stream: an array
// of objects, each with a "T" type field. It is hand-written so that the
// steady state (trades and bars) allocates nothing: numbers and timestamps
// are parsed in place, symbols are handed out as slices of the frame. Field
// order is free and unknown fields (and message types) are skipped.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	buf  []byte // the frame
	pos  int
	msg  Msg
	tmp  []byte // unescaped strings
	subs [5][][]byte
}

// SyntaxError is a malformed frame.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("alpaca: malformed stream message at byte %d: %s", e.Offset, e.Msg)
}

// ErrStop may be returned by a Decode callback to stop early without error.
var ErrStop = errors.New("stop")

// Decode calls fn for every message of the frame, in order. A callback error
// stops decoding and is returned (ErrStop is returned as nil). Malformed JSON
// is a *SyntaxError; the messages before it have been delivered.
func (d *Decoder) Decode(frame []byte, fn func(*Msg) error) error {
	d.buf, d.pos = frame, 0
	d.tmp = d.tmp[:0]
	err := d.decode(fn)
	d.buf = nil
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

func (d *Decoder) decode(fn func(*Msg) error) error {
	d.ws()
	if !d.eat('[') {
		if d.peek() == '{' { // tolerate a single bare object
			if err := d.object(fn); err != nil {
				return err
			}
			return d.end()
		}
		return d.fail("expected '['")
	}
	d.ws()
	if d.eat(']') {
		return d.end()
	}
	for {
		d.ws()
		if d.peek() != '{' {
			return d.fail("expected an object")
		}
		if err := d.object(fn); err != nil {
			return err
		}
		d.ws()
		if d.eat(',') {
			continue
		}
		if d.eat(']') {
			return d.end()
		}
		return d.fail("expected ',' or ']'")
	}
}

func (d *Decoder) end() error {
	d.ws()
	if d.pos != len(d.buf) {
		return d.fail("data after the message array")
	}
	return nil
}

// object decodes one message object and calls fn.
func (d *Decoder) object(fn func(*Msg) error) error {
	d.pos++ // '{'
	m := &d.msg
	*m = Msg{}
	for i := range d.subs {
		d.subs[i] = d.subs[i][:0]
	}
	d.tmp = d.tmp[:0]
	d.ws()
	if d.eat('}') {
		return fn(m)
	}
	for {
		d.ws()
		key, err := d.str()
		if err != nil {
			return err
		}
		d.ws()
		if !d.eat(':') {
			return d.fail("expected ':'")
		}
		d.ws()
		if err := d.field(m, key); err != nil {
			return err
		}
		d.ws()
		if d.eat(',') {
			continue
		}
		if d.eat('}') {
			break
		}
		return d.fail("expected ',' or '}'")
	}
	if m.Type == MsgSubscription {
		m.Trades, m.Quotes, m.Bars, m.UpdatedBars, m.DailyBars = d.subs[0], d.subs[1], d.subs[2], d.subs[3], d.subs[4]
	}
	return fn(m)
}

// field decodes the value of key into m (or skips it).
func (d *Decoder) field(m *Msg, key []byte) error {
	var err error
	switch string(key) {
	case "T":
		var v []byte
		if v, err = d.str(); err == nil {
			m.Type = msgType(v)
		}
	case "S":
		m.Symbol, err = d.str()
	case "p":
		m.Price, err = d.num()
	case "s":
		m.Size, err = d.num()
	case "o":
		m.Open, err = d.num()
	case "h":
		m.High, err = d.num()
	case "l":
		m.Low, err = d.num()
	case "c":
		if d.peek() == '[' { // trade/quote conditions
			return d.skip()
		}
		m.Close, err = d.num()
	case "v":
		m.Volume, err = d.num()
	case "t":
		var v []byte
		if v, err = d.str(); err == nil {
			m.Time, err = parseTime(v)
			if err != nil {
				err = d.fail("bad timestamp " + strconv.Quote(string(v)))
			}
		}
	case "code":
		var f float64
		if f, err = d.num(); err == nil {
			m.Code = int(f)
		}
	case "msg":
		m.Text, err = d.str()
	case "trades":
		d.subs[0], err = d.strList(d.subs[0])
	case "quotes":
		d.subs[1], err = d.strList(d.subs[1])
	case "bars":
		d.subs[2], err = d.strList(d.subs[2])
	case "updatedBars":
		d.subs[3], err = d.strList(d.subs[3])
	case "dailyBars":
		d.subs[4], err = d.strList(d.subs[4])
	default:
		err = d.skip()
	}
	return err
}

func msgType(v []byte) MsgType {
	switch string(v) {
	case "t":
		return MsgTrade
	case "b":
		return MsgBar
	case "u":
		return MsgUpdatedBar
	case "d":
		return MsgDailyBar
	case "success":
		return MsgSuccess
	case "error":
		return MsgError
	case "subscription":
		return MsgSubscription
	}
	return MsgOther
}

func (d *Decoder) fail(msg string) error { return &SyntaxError{Offset: d.pos, Msg: msg} }

func (d *Decoder) peek() byte {
	if d.pos < len(d.buf) {
		return d.buf[d.pos]
	}
	return 0
}

func (d *Decoder) eat(c byte) bool {
	if d.pos < len(d.buf) && d.buf[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

func (d *Decoder) ws() {
	for d.pos < len(d.buf) {
		switch d.buf[d.pos] {
		case ' ', '\t', '\r', '\n':
			d.pos++
		default:
			return
		}
	}
}

// str reads a JSON string. Without escapes it is a slice of the frame; with
// escapes it is unescaped into the decoder's scratch space.
func (d *Decoder) str() ([]byte, error) {
	if !d.eat('"') {
		return nil, d.fail("expected a string")
	}
	start := d.pos
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		switch {
		case c == '"':
			s := d.buf[start:d.pos]
			d.pos++
			return s, nil
		case c == '\\':
			return d.strEscaped(start)
		case c < 0x20:
			return nil, d.fail("control character in a string")
		}
		d.pos++
	}
	return nil, d.fail("unterminated string")
}

// strEscaped finishes a string that contains escapes (rare: symbols and
// control messages are plain ASCII).
func (d *Decoder) strEscaped(start int) ([]byte, error) {
	t0 := len(d.tmp)
	d.tmp = append(d.tmp, d.buf[start:d.pos]...)
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		switch {
		case c == '"':
			d.pos++
			return d.tmp[t0:len(d.tmp):len(d.tmp)], nil
		case c < 0x20:
			return nil, d.fail("control character in a string")
		case c != '\\':
			d.tmp = append(d.tmp, c)
			d.pos++
			continue
		}
		if d.pos+1 >= len(d.buf) {
			break
		}
		e := d.buf[d.pos+1]
		d.pos += 2
		switch e {
		case '"', '\\', '/':
			d.tmp = append(d.tmp, e)
		case 'b':
			d.tmp = append(d.tmp, '\b')
		case 'f':
			d.tmp = append(d.tmp, '\f')
		case 'n':
			d.tmp = append(d.tmp, '\n')
		case 'r':
			d.tmp = append(d.tmp, '\r')
		case 't':
			d.tmp = append(d.tmp, '\t')
		case 'u':
			if d.pos+4 > len(d.buf) {
				return nil, d.fail("short \\u escape")
			}
			v, err := strconv.ParseUint(string(d.buf[d.pos:d.pos+4]), 16, 16)
			if err != nil {
				return nil, d.fail("bad \\u escape")
			}
			d.pos += 4
			r := rune(v)
			if utf8.ValidRune(r) {
				d.tmp = utf8.AppendRune(d.tmp, r)
			} else {
				d.tmp = utf8.AppendRune(d.tmp, utf8.RuneError)
			}
		default:
			return nil, d.fail("bad escape")
		}
	}
	return nil, d.fail("unterminated string")
}

// num reads a JSON number.
func (d *Decoder) num() (float64, error) {
	start := d.pos
	for d.pos < len(d.buf) {
		c := d.buf[d.pos]
		if (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			d.pos++
			continue
		}
		break
	}
	if d.pos == start {
		if d.peek() == 'n' && d.lit("null") {
			return 0, nil
		}
		return 0, d.fail("expected a number")
	}
	f, err := parseFloat(d.buf[start:d.pos])
	if err != nil || !jsonNumber(d.buf[start:d.pos]) {
		return 0, d.fail("bad number")
	}
	return f, nil
}

// parseFloat parses a number. Plain decimals of up to 15 significant digits
// (prices, sizes, volumes) are parsed exactly here; anything else goes to
// strconv (the conversion of a short slice does not escape, so it stays on
// the stack).
func parseFloat(b []byte) (float64, error) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		neg, i = true, 1
	}
	var mant uint64
	digits, frac := 0, 0
	dot := false
	for ; i < len(b); i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			if digits > 0 || c != '0' {
				digits++
			}
			mant = mant*10 + uint64(c-'0')
			if dot {
				frac++
			}
		case c == '.' && !dot:
			dot = true
		default:
			return strconv.ParseFloat(string(b), 64)
		}
	}
	if digits > 15 || frac >= len(pow10) || (dot && frac == 0) || len(b) == 0 || (neg && len(b) == 1) || b[len(b)-1] == '.' {
		return strconv.ParseFloat(string(b), 64)
	}
	f := float64(mant) // exact: mant < 10^15 < 2^53
	if frac > 0 {
		f /= pow10[frac] // one correctly rounded division: the nearest float64
	}
	if neg {
		f = -f
	}
	return f, nil
}

// jsonNumber reports whether b follows JSON's number grammar.
func jsonNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
			n++
		}
		return n
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16}

func (d *Decoder) lit(s string) bool {
	if len(d.buf)-d.pos >= len(s) && string(d.buf[d.pos:d.pos+len(s)]) == s {
		d.pos += len(s)
		return true
	}
	return false
}

// strList reads an array of strings into dst (reused).
func (d *Decoder) strList(dst [][]byte) ([][]byte, error) {
	if d.peek() == 'n' && d.lit("null") {
		return dst, nil
	}
	if !d.eat('[') {
		return dst, d.fail("expected a list")
	}
	d.ws()
	if d.eat(']') {
		return dst, nil
	}
	for {
		d.ws()
		s, err := d.str()
		if err != nil {
			return dst, err
		}
		dst = append(dst, s)
		d.ws()
		if d.eat(',') {
			continue
		}
		if d.eat(']') {
			return dst, nil
		}
		return dst, d.fail("expected ',' or ']'")
	}
}

// skip skips any JSON value, checking its grammar.
func (d *Decoder) skip() error { return d.skipDepth(0) }

func (d *Decoder) skipDepth(depth int) error {
	if depth > 64 {
		return d.fail("nested too deep")
	}
	switch c := d.peek(); {
	case c == '"':
		_, err := d.str()
		return err
	case c == '[':
		d.pos++
		d.ws()
		if d.eat(']') {
			return nil
		}
		for {
			d.ws()
			if err := d.skipDepth(depth + 1); err != nil {
				return err
			}
			d.ws()
			if d.eat(',') {
				continue
			}
			if d.eat(']') {
				return nil
			}
			return d.fail("expected ',' or ']'")
		}
	case c == '{':
		d.pos++
		d.ws()
		if d.eat('}') {
			return nil
		}
		for {
			d.ws()
			if _, err := d.str(); err != nil {
				return err
			}
			d.ws()
			if !d.eat(':') {
				return d.fail("expected ':'")
			}
			d.ws()
			if err := d.skipDepth(depth + 1); err != nil {
				return err
			}
			d.ws()
			if d.eat(',') {
				continue
			}
			if d.eat('}') {
				return nil
			}
			return d.fail("expected ',' or '}'")
		}
	case c == 't':
		if d.lit("true") {
			return nil
		}
	case c == 'f':
		if d.lit("false") {
			return nil
		}
	case c == 'n':
		if d.lit("null") {
			return nil
		}
	default:
		_, err := d.num()
		return err
	}
	return d.fail("expected a value")
}

// parseTime parses an RFC 3339 timestamp ("2024-03-01T14:31:00Z",
// "2021-02-22T15:51:45.335689322Z", "...-05:00") without allocating.
func parseTime(b []byte) (time.Time, error) {
	n := len(b)
	if n < 20 || b[4] != '-' || b[7] != '-' || (b[10] != 'T' && b[10] != 't' && b[10] != ' ') || b[13] != ':' || b[16] != ':' {
		return parseTimeSlow(b)
	}
	year, ok1 := atoiN(b[0:4])
	mon, ok2 := atoiN(b[5:7])
	day, ok3 := atoiN(b[8:10])
	hh, ok4 := atoiN(b[11:13])
	mm, ok5 := atoiN(b[14:16])
	ss, ok6 := atoiN(b[17:19])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6) || mon < 1 || mon > 12 || day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 {
		return parseTimeSlow(b)
	}
	i := 19
	nsec := 0
	if i < n && b[i] == '.' {
		i++
		digits := 0
		for i < n && b[i] >= '0' && b[i] <= '9' {
			if digits < 9 {
				nsec = nsec*10 + int(b[i]-'0')
			}
			digits++
			i++
		}
		if digits == 0 {
			return parseTimeSlow(b)
		}
		for k := digits; k < 9; k++ {
			nsec *= 10
		}
	}
	if i == n-1 && (b[i] == 'Z' || b[i] == 'z') {
		return time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, time.UTC), nil
	}
	if i+6 == n && (b[i] == '+' || b[i] == '-') && b[i+3] == ':' {
		oh, okh := atoiN(b[i+1 : i+3])
		om, okm := atoiN(b[i+4 : i+6])
		if okh && okm && oh < 24 && om < 60 {
			off := (oh*60 + om) * 60
			if b[i] == '-' {
				off = -off
			}
			t := time.Date(year, time.Month(mon), day, hh, mm, ss, nsec, time.UTC)
			return t.Add(-time.Duration(off) * time.Second), nil
		}
	}
	return parseTimeSlow(b)
}

func parseTimeSlow(b []byte) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, string(b))
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func atoiN(b []byte) (int, bool) {
	v := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}
