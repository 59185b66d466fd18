package yahoo

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/capwatch/capwatch/engine"
)

// stdDecode is the oracle for decodeChart: the same reply through
// encoding/json with plain reflection ([]*float64: null → NaN).
func stdDecode(data []byte) (*wireResult, *APIError, error) {
	type quote struct {
		Open   []*float64 `json:"open"`
		High   []*float64 `json:"high"`
		Low    []*float64 `json:"low"`
		Close  []*float64 `json:"close"`
		Volume []*float64 `json:"volume"`
	}
	var rep struct {
		Chart struct {
			Result []struct {
				Meta       wireMeta   `json:"meta"`
				Timestamp  []*float64 `json:"timestamp"`
				Indicators struct {
					Quote []quote `json:"quote"`
				} `json:"indicators"`
			} `json:"result"`
			Error *struct {
				Code        string `json:"code"`
				Description string `json:"description"`
			} `json:"error"`
		} `json:"chart"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, nil, err
	}
	var fin struct {
		Finance struct {
			Error *struct {
				Code        string `json:"code"`
				Description string `json:"description"`
			} `json:"error"`
		} `json:"finance"`
	}
	if err := json.Unmarshal(data, &fin); err != nil {
		return nil, nil, err
	}
	var ae *APIError
	if e := fin.Finance.Error; e != nil {
		ae = &APIError{Code: e.Code, Description: e.Description}
	}
	if e := rep.Chart.Error; e != nil {
		ae = &APIError{Code: e.Code, Description: e.Description}
	}
	if len(rep.Chart.Result) == 0 {
		return nil, ae, nil
	}
	conv := func(p []*float64) floats {
		if p == nil {
			return nil
		}
		out := make(floats, len(p))
		for i, v := range p {
			out[i] = math.NaN()
			if v != nil {
				out[i] = *v
			}
		}
		return out
	}
	r0 := rep.Chart.Result[0]
	r := &wireResult{Meta: r0.Meta, Timestamp: conv(r0.Timestamp)}
	if len(r0.Indicators.Quote) > 0 {
		q := r0.Indicators.Quote[0]
		r.hasQuote = true
		r.Open, r.High, r.Low, r.Close, r.Volume = conv(q.Open), conv(q.High), conv(q.Low), conv(q.Close), conv(q.Volume)
	}
	return r, ae, nil
}

func sameFloats(a, b floats) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			return false
		}
	}
	return true
}

// sameDecode compares decodeChart's and stdDecode's results.
func sameDecode(t *testing.T, data []byte) {
	t.Helper()
	want, wantAE, wantErr := stdDecode(data)
	got, gotAE, gotErr := decodeChart(data)
	if wantErr != nil {
		return // the oracle rejects it; decodeChart may be more lenient (e.g. 1e999 → +Inf, dropped later)
	}
	if gotErr != nil {
		t.Fatalf("decodeChart failed where encoding/json succeeded: %v", gotErr)
	}
	if (wantAE == nil) != (gotAE == nil) || wantAE != nil && *wantAE != *gotAE {
		t.Fatalf("error object: got %v want %v", gotAE, wantAE)
	}
	if (want == nil) != (got == nil) {
		t.Fatalf("result presence: got %v want %v", got != nil, want != nil)
	}
	if want == nil {
		return
	}
	if !got.hasQuote { // quote arrays are unused without a quote
		got.Open, got.High, got.Low, got.Close, got.Volume = nil, nil, nil, nil, nil
	}
	if got.Meta != want.Meta || got.hasQuote != want.hasQuote {
		t.Fatalf("meta/hasQuote differ:\n got %+v %v\nwant %+v %v", got.Meta, got.hasQuote, want.Meta, want.hasQuote)
	}
	for name, pair := range map[string][2]floats{
		"timestamp": {got.Timestamp, want.Timestamp}, "open": {got.Open, want.Open}, "high": {got.High, want.High},
		"low": {got.Low, want.Low}, "close": {got.Close, want.Close}, "volume": {got.Volume, want.Volume},
	} {
		if !sameFloats(pair[0], pair[1]) {
			t.Fatalf("%s differs:\n got %v\nwant %v", name, pair[0], pair[1])
		}
	}
}

func TestDecodeMatchesEncodingJSON(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	if len(files) < 4 {
		t.Fatalf("fixtures missing: %v", files)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(name), func(t *testing.T) { sameDecode(t, b) })
	}
	for i, p := range benchPayloads(3, 300) {
		t.Run("generated", func(t *testing.T) {
			if _, _, err := stdDecode(p); err != nil {
				t.Fatalf("payload %d: %v", i, err)
			}
			sameDecode(t, p)
		})
	}
	for _, s := range []string{
		`{"chart":{"result":[null],"error":null}}`,
		`{"chart":{"result":[{"indicators":{"quote":[null]}}]}}`,
		`{"chart":{"result":[{"indicators":{"quote":[]}}]}}`,
		`{"x":[1,{"y":"\"}"}],"chart":null}`,
		`{"chart":{"result":[{"timestamp":[1,2]}],"result":[{"timestamp":[3]}]}}`,
		`{"chart":{"result":[{"timestamp":[1,2],"meta":{"symbol":"A","currency":"USD"}}],"result":[],"result":[{"meta":{"symbol":"B"}}]}}`,
		`{"chart":{"result":[{"timestamp":[1]}],"result":null,"result":[{"meta":{"symbol":"B"}}]}}`,
		`{"chart":{"result":[{"indicators":{"quote":[{"close":[1]}]}}],"result":[{"indicators":{"quote":[]}}]}}`,
		`{"chart":{"result":[{"indicators":{"quote":[{"close":[1]}],"quote":null,"quote":[{"open":[2]}]}}]}}`,
		`{"chart":{"result":[{"indicators":{"quote":[{"close":[1]}],"quote":[],"quote":[null]}}]}}`,
		`{"chart":{"error":{"code":"a","description":"b"},"error":{"code":"c"}}}`,
		`null`,
		` {"chart" : { "result" : [ { "timestamp" : [ 1 , null ] , "indicators" : { "quote" : [ { "close" : [ 2.5e2 , -0 ] } ] } } , {} ] } } `,
	} {
		t.Run("edge", func(t *testing.T) { sameDecode(t, []byte(s)) })
	}
}

func TestDecodeRejects(t *testing.T) {
	for _, s := range []string{
		``, `{`, `{"chart":`, `{"chart":{"result":[{"timestamp":[1,2`, `{"chart":{}} x`, `{"chart":{"result":[{"timestamp":[1,]}]}}`,
		`{"chart":{"result":[{"timestamp":["1"]}]}}`, `{"chart":{"result":[{"timestamp":[0x10]}]}}`, `{"a":tru}`, `{"a":"\u0001` + "\x01" + `"}`,
		`[` + string(make([]byte, 0)) + `]`, `{"a":` + deep(1000) + `}`,
	} {
		if _, _, err := decodeChart([]byte(s)); err == nil {
			t.Errorf("decodeChart(%.40q) accepted", s)
		}
	}
}

func deep(n int) string {
	b := make([]byte, 0, 2*n)
	for range n {
		b = append(b, '[')
	}
	for range n {
		b = append(b, ']')
	}
	return string(b)
}

// FuzzDecodeChart: whenever encoding/json accepts a reply, decodeChart
// accepts it too and reads the same values.
func FuzzDecodeChart(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, data)
		_, _ = ParseChart(data, "X", engine.Daily)
	})
}

func TestDecodeFinanceError(t *testing.T) {
	_, ae, err := decodeChart([]byte(`{"finance":{"result":null,"error":{"code":"Unauthorized","description":"Invalid Crumb"}}}`))
	if err != nil || ae == nil || ae.Code != "Unauthorized" || ae.Description != "Invalid Crumb" {
		t.Fatalf("got %v, %v", ae, err)
	}
}
