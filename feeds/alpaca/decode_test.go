package alpaca

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"
)

// decoded is a copy of a Msg with strings (Msg's slices do not outlive the callback).
type decoded struct {
	Type                  MsgType
	Symbol, Text          string
	Price, Size           float64
	O, H, L, C, V         float64
	Time                  time.Time
	Code                  int
	Trades, Bars, Updated []string
}

func decodeAll(t *testing.T, frame string) ([]decoded, error) {
	t.Helper()
	var d Decoder
	var out []decoded
	err := d.Decode([]byte(frame), func(m *Msg) error {
		out = append(out, decoded{Type: m.Type, Symbol: string(m.Symbol), Text: string(m.Text), Price: m.Price, Size: m.Size,
			O: m.Open, H: m.High, L: m.Low, C: m.Close, V: m.Volume, Time: m.Time, Code: m.Code,
			Trades: strs(m.Trades), Bars: strs(m.Bars), Updated: strs(m.UpdatedBars)})
		return nil
	})
	return out, err
}

// The frames are the documented examples (Alpaca market data v2 stream).
func TestDecodeDocumentedMessages(t *testing.T) {
	ts := func(s string) time.Time {
		tt, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tt.UTC()
	}
	cases := []struct {
		name  string
		frame string
		want  []decoded
	}{
		{"welcome", `[{"T":"success","msg":"connected"}]`, []decoded{{Type: MsgSuccess, Text: "connected", Trades: []string{}, Bars: []string{}, Updated: []string{}}}},
		{"auth error", `[{"T":"error","code":402,"msg":"auth failed"}]`, []decoded{{Type: MsgError, Code: 402, Text: "auth failed", Trades: []string{}, Bars: []string{}, Updated: []string{}}}},
		{"subscription", `[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["IBM","AAPL","VOO"],"updatedBars":[],"dailyBars":["VOO"],"statuses":["*"],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]`,
			[]decoded{{Type: MsgSubscription, Trades: []string{"AAPL"}, Bars: []string{"IBM", "AAPL", "VOO"}, Updated: []string{}}}},
		{"trade", `[{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"}]`,
			[]decoded{{Type: MsgTrade, Symbol: "AAPL", Price: 126.55, Size: 1, Time: ts("2021-02-22T15:51:44.208Z"), Trades: []string{}, Bars: []string{}, Updated: []string{}}}},
		{"bar", `[{"T":"b","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":49378,"t":"2021-02-22T19:15:00Z"}]`,
			[]decoded{{Type: MsgBar, Symbol: "SPY", O: 388.985, H: 389.13, L: 388.975, C: 389.12, V: 49378, Time: ts("2021-02-22T19:15:00Z"), Trades: []string{}, Bars: []string{}, Updated: []string{}}}},
		{"quotes are other, then an updated bar", `[{"T":"q","S":"AMD","bx":"U","bp":87.66,"bs":1,"ax":"Q","ap":87.68,"as":4,"t":"2021-02-22T15:51:45.335689322Z","c":["R"],"z":"C"},{"T":"u","S":"SPY","o":1,"h":2,"l":0.5,"c":1.5,"v":10,"t":"2021-02-22T19:15:00Z","n":3,"vw":1.2}]`,
			[]decoded{
				{Type: MsgOther, Symbol: "AMD", Time: ts("2021-02-22T15:51:45.335689322Z"), Trades: []string{}, Bars: []string{}, Updated: []string{}},
				{Type: MsgUpdatedBar, Symbol: "SPY", O: 1, H: 2, L: 0.5, C: 1.5, V: 10, Time: ts("2021-02-22T19:15:00Z"), Trades: []string{}, Bars: []string{}, Updated: []string{}},
			}},
		{"fields in any order, spaces, escapes, offset time", "[ {\"t\" : \"2024-03-01T09:31:00.5-05:00\", \"p\":1e2, \"S\":\"BR\\u004b.B\", \"T\":\"t\"} ]",
			[]decoded{{Type: MsgTrade, Symbol: "BRK.B", Price: 100, Time: ts("2024-03-01T14:31:00.5Z"), Trades: []string{}, Bars: []string{}, Updated: []string{}}}},
		{"empty array", `[]`, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := decodeAll(t, c.frame)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			gj, _ := json.Marshal(got)
			wj, _ := json.Marshal(c.want)
			if string(gj) != string(wj) {
				t.Errorf("got  %s\nwant %s", gj, wj)
			}
		})
	}
}

func TestDecodeMalformed(t *testing.T) {
	for _, f := range []string{``, `[`, `[{`, `[{"T":"t","p":}]`, `[{"T":"t","p":1.2.3}]`, `{"T":1}`, `[{"T":"t","t":"yesterday"}]`,
		`[{"T":"t"}] x`, `[{"T":"t","S":"A` + "\x01" + `"}]`, `[{"T":"t","S":"\q"}]`, `[1]`, `[{"T":"t",}]`} {
		_, err := decodeAll(t, f)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err = %v, want a *SyntaxError", f, err)
		}
	}
}

// Numbers: the fast path must agree with strconv on every decimal it takes.
func TestParseFloatMatchesStrconv(t *testing.T) {
	for _, s := range []string{"0", "1", "-1", "126.55", "388.985", "0.0001", "49378", "123456789012345", "1234567890123456",
		"0.1", "0.3", "9007199254740993", "1e5", "1.5E-3", "-0.0", "99999999999999.9", "0.000000000000000001", "12.3456789012345678"} {
		want, werr := strconv.ParseFloat(s, 64)
		got, gerr := parseFloat([]byte(s))
		if (werr != nil) != (gerr != nil) || (werr == nil && math.Float64bits(got) != math.Float64bits(want)) {
			t.Errorf("parseFloat(%q) = %v, %v; strconv %v, %v", s, got, gerr, want, werr)
		}
	}
}

func TestParseTimeMatchesTimeParse(t *testing.T) {
	for _, s := range []string{"2021-02-22T15:51:44.208Z", "2021-02-22T15:51:45.335689322Z", "2024-03-01T09:31:00-05:00",
		"2024-03-01T09:31:00.123+01:30", "2024-02-29T23:59:59Z", "2021-02-22T19:15:00Z"} {
		want, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		got, err := parseTime([]byte(s))
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
}

// The steady state (frames of trades and bars) allocates nothing.
func TestDecodeDoesNotAllocate(t *testing.T) {
	frame := []byte(`[{"T":"t","i":1,"S":"IWM","x":"V","p":201.37,"s":100,"t":"2026-03-04T15:01:02.123456789Z","c":["@"],"z":"B"},` +
		`{"T":"b","S":"SPY","o":512.1,"h":512.5,"l":511.9,"c":512.3,"v":48211,"t":"2026-03-04T15:01:00Z","n":310,"vw":512.2}]`)
	var d Decoder
	sum := 0.0
	fn := func(m *Msg) error { sum += m.Price + m.Close; return nil }
	allocs := testing.AllocsPerRun(200, func() {
		if err := d.Decode(frame, fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Decode allocates %v times per frame, want 0", allocs)
	}
	if sum == 0 {
		t.Fatal("nothing decoded")
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(`[{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"],"z":"C"}]`)
	f.Add(`[{"T":"subscription","trades":["AAPL"],"bars":["*"]}]`)
	f.Add(`[{"T":"error","code":406,"msg":"connection limit exceeded"}]`)
	f.Add(`[{"T":"b","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":49378,"t":"2021-02-22T19:15:00Z"}]`)
	f.Fuzz(func(t *testing.T, s string) {
		var d Decoder
		n := 0
		err := d.Decode([]byte(s), func(m *Msg) error { n++; return nil })
		// Property: a frame the decoder accepts in full is valid JSON (an
		// array, or one object); what encoding/json rejects is never
		// accepted silently.
		if err == nil && !json.Valid([]byte(s)) {
			t.Errorf("accepted invalid JSON %q", s)
		}
	})
}
