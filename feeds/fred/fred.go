// Package fred reads daily series from FRED (Federal Reserve Bank of St.
// Louis) as CSV, without an API key: the 2-year Treasury yield DGS2 for the
// confirmation strip. The file is `observation_date,DGS2` (older files:
// `DATE,DGS2`) then one `YYYY-MM-DD,value` row per business day; a missing
// value (a holiday) is written ".". It is fetched at most once a day and
// cached (feeds/daycache).
package fred

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/capwatch/capwatch/feeds/daycache"
	"github.com/capwatch/capwatch/internal/calendar"
)

// DefaultBaseURL is FRED's site.
const DefaultBaseURL = "https://fred.stlouisfed.org"

// Obs is one observation.
type Obs struct {
	Time  time.Time // midnight New York of the observation date
	Value float64
}

// Date formats the observation's date as YYYY-MM-DD.
func (o Obs) Date() string { return o.Time.Format("2006-01-02") }

var idRe = regexp.MustCompile(`^[A-Z0-9_]{1,30}$`)

// Parse reads a FRED graph CSV of series id. Missing values (".", empty)
// are left out; the observations are returned oldest first. A file without
// the series column, a bad date or a bad number is an error naming the line.
func Parse(data []byte, id string) ([]Obs, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("fred: %s: no header: %w", id, err)
	}
	dcol, vcol := -1, -1
	for j, f := range head {
		switch strings.ToUpper(strings.TrimSpace(f)) {
		case "DATE", "OBSERVATION_DATE":
			dcol = j
		case id:
			vcol = j
		}
	}
	if dcol < 0 || vcol < 0 {
		return nil, fmt.Errorf("fred: %s: header %q has no date and %s columns", id, clip(strings.Join(head, ",")), id)
	}
	loc := calendar.Location()
	var out []Obs
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			return nil, fmt.Errorf("fred: %s: line %d: %w", id, line, err)
		}
		if len(rec) <= max(dcol, vcol) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue
			}
			return nil, fmt.Errorf("fred: %s: line %d: %d fields", id, line, len(rec))
		}
		d, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(rec[dcol]), loc)
		if err != nil {
			return nil, fmt.Errorf("fred: %s: line %d: bad date %q", id, line, clip(rec[dcol]))
		}
		v := strings.TrimSpace(rec[vcol])
		if v == "." || v == "" {
			continue
		}
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x != x || x > 1e6 || x < -1e6 {
			return nil, fmt.Errorf("fred: %s: line %d: bad value %q", id, line, clip(v))
		}
		if n := len(out); n > 0 && !d.After(out[n-1].Time) {
			return nil, fmt.Errorf("fred: %s: line %d: date %s not after %s", id, line, d.Format("2006-01-02"), out[n-1].Date())
		}
		out = append(out, Obs{Time: d, Value: x})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("fred: %s: no observations", id)
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Source downloads FRED series through a daily cache.
type Source struct {
	Cache   *daycache.Cache // required
	BaseURL string          // default DefaultBaseURL
}

// Series returns series id (e.g. "DGS2"), downloaded at most once a New
// York day. When a refresh fails the cached copy is returned with
// File.Stale and File.Err set; the error is non-nil only without any copy.
func (s *Source) Series(ctx context.Context, id string) ([]Obs, daycache.File, error) {
	if !idRe.MatchString(id) {
		return nil, daycache.File{}, fmt.Errorf("fred: bad series id %q", id)
	}
	if s.Cache == nil {
		return nil, daycache.File{}, errors.New("fred: no download cache")
	}
	base := s.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	url := strings.TrimRight(base, "/") + "/graph/fredgraph.csv?id=" + id
	check := func(b []byte) error { _, err := Parse(b, id); return err }
	f, err := s.Cache.Get(ctx, "fred_"+id+".csv", url, check)
	if err != nil {
		return nil, f, fmt.Errorf("fred: %s: %w", id, err)
	}
	obs, err := Parse(f.Body, id)
	return obs, f, err
}
