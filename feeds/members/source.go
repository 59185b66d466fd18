package members

import (
	"context"
	"fmt"
	"strings"

	"github.com/capwatch/capwatch/feeds/daycache"
)

// DefaultBaseURL is where the iShares holdings files are published.
const DefaultBaseURL = "https://www.ishares.com"

// holdingsPath is each universe's holdings CSV on DefaultBaseURL.
var holdingsPath = map[string]string{
	IWM: "/us/products/239710/ishares-russell-2000-etf/1467271812596.ajax?fileType=csv&fileName=IWM_holdings&dataType=fund",
	IJR: "/us/products/239774/ishares-core-sp-smallcap-etf/1467271812596.ajax?fileType=csv&fileName=IJR_holdings&dataType=fund",
}

// IsFund reports whether universe names an iShares fund ("iwm", "ijr")
// rather than a file path.
func IsFund(universe string) bool {
	_, ok := holdingsPath[strings.ToLower(universe)]
	return ok
}

// Source loads members lists: the iShares funds through a daily cache,
// anything else as a file path.
type Source struct {
	Cache   *daycache.Cache // required for the funds
	BaseURL string          // default DefaultBaseURL
}

// Load returns the members of universe ("iwm", "ijr" or a path). For a
// fund, the holdings file is downloaded at most once a New York day and
// cached; when a refresh fails the cached list is returned with File.Stale
// and File.Err set. A file path is read every time (File is zero).
func (s *Source) Load(ctx context.Context, universe string) (List, daycache.File, error) {
	u := strings.ToLower(strings.TrimSpace(universe))
	path, ok := holdingsPath[u]
	if !ok {
		l, err := ReadFile(universe)
		return l, daycache.File{}, err
	}
	if s.Cache == nil {
		return List{}, daycache.File{}, fmt.Errorf("members: %s: no download cache", u)
	}
	base := s.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	check := func(b []byte) error {
		l, err := Parse(b)
		if err == nil && l.Format != FormatIShares {
			err = fmt.Errorf("not an iShares holdings file (no Asset Class column)")
		}
		return err
	}
	f, err := s.Cache.Get(ctx, u+"_holdings.csv", strings.TrimRight(base, "/")+path, check)
	if err != nil {
		return List{}, f, fmt.Errorf("members: %s holdings: %w", strings.ToUpper(u), err)
	}
	l, err := Parse(f.Body)
	return l, f, err
}
