package engine

import (
	"fmt"
	"regexp"
	"time"

	"github.com/capwatch/capwatch/engine/rotation"
)

// SectorPair is one small-cap vs large-cap sector ETF pair.
type SectorPair struct {
	Name  string `toml:"name"`
	Large string `toml:"large"`
	Small string `toml:"small"`
}

// DefaultSectors are the small-cap sector ETFs (S&P SmallCap 600 sectors)
// against the large-cap Select Sector SPDRs.
func DefaultSectors() []SectorPair {
	return []SectorPair{
		{"Technology", "XLK", "PSCT"},
		{"Health Care", "XLV", "PSCH"},
		{"Financials", "XLF", "PSCF"},
		{"Energy", "XLE", "PSCE"},
		{"Industrials", "XLI", "PSCI"},
		{"Consumer Discretionary", "XLY", "PSCD"},
		{"Consumer Staples", "XLP", "PSCC"},
		{"Materials", "XLB", "PSCM"},
		{"Utilities", "XLU", "PSCU"},
	}
}

// IndustrySectors is the alternative preset: liquid, equal-weighted industry
// ETFs that lean to smaller companies.
func IndustrySectors() []SectorPair {
	return []SectorPair{
		{"Biotech", "XLV", "XBI"},
		{"Regional Banks", "XLF", "KRE"},
		{"Oil & Gas E&P", "XLE", "XOP"},
		{"Retail", "XLY", "XRT"},
		{"Metals & Mining", "XLB", "XME"},
		{"Semiconductors", "XLK", "XSD"},
	}
}

// Thresholds for the breakout flags.
type Thresholds struct {
	SmallLeadsPts    float64 `toml:"small_leads_pts"`    // small_leads_21d: percentage points (default 2.0)
	VolumeSurgeRVOL  float64 `toml:"volume_surge_rvol"`  // small_volume_surge: RVOL20 (default 1.5)
	SectorBreadth    float64 `toml:"sector_breadth"`     // sector_breadth: share 0..1 (default 0.6)
	Hysteresis       float64 `toml:"hysteresis"`         // relative band around a threshold (default 0)
	ThinDollarVolume float64 `toml:"thin_dollar_volume"` // sector small leg 20d $ volume floor (default 5e6)
}

// Config configures an Engine.
type Config struct {
	Small      string        // small-cap leg of the pair (default IWM)
	Large      string        // large-cap leg (default SPY)
	Extras     []string      // extra watchlist symbols
	Sectors    []SectorPair  // sector pairs
	Thresholds Thresholds    // flag thresholds
	Intraday   Timeframe     // intraday bar timeframe for the 1D chart (default Minute1)
	StaleAfter time.Duration // data older than this (exchange time vs now) is stale; 0 = never
	DailyKeep  int           // daily bars kept per symbol for charts/studies (default 300 for charts; the study keeps all)
	// Confirm are the symbols the confirmation strip and the pair cycle need
	// (other pairs, credit): watched like the others, not listed as quotes
	// unless they are also extras or sector legs (RoleConfirm).
	Confirm []string
	// Rotation sets the rotation map's window N and tail T (zero values:
	// N 10 weeks, T 8 points).
	Rotation rotation.Config
}

// DefaultConfig returns the defaults: IWM/SPY, a few extras, the small-cap sector pairs.
func DefaultConfig() Config {
	return Config{
		Small:   "IWM",
		Large:   "SPY",
		Extras:  []string{"QQQ", "DIA", "MDY"},
		Sectors: DefaultSectors(),
		Thresholds: Thresholds{
			SmallLeadsPts:    2.0,
			VolumeSurgeRVOL:  1.5,
			SectorBreadth:    0.6,
			Hysteresis:       0,
			ThinDollarVolume: 5e6,
		},
		Intraday:   Minute1,
		StaleAfter: 0,
		DailyKeep:  300,
	}
}

var symbolRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9.\-^=]{0,14}$`)

// ValidSymbol reports whether s looks like a ticker symbol (upper-case letters,
// digits, '.', '-', '^', '=', at most 15 characters).
func ValidSymbol(s string) bool { return symbolRE.MatchString(s) }

// Symbols returns every watched symbol once, pair first, then extras, then sector legs.
func (c Config) Symbols() []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	add(c.Small)
	add(c.Large)
	for _, s := range c.Extras {
		add(s)
	}
	for _, p := range c.Sectors {
		add(p.Small)
		add(p.Large)
	}
	for _, s := range c.Confirm {
		add(s)
	}
	return out
}

// Validate checks the configuration and says what to fix.
func (c Config) Validate() error {
	if !ValidSymbol(c.Small) {
		return fmt.Errorf("pair.small %q is not a valid symbol", c.Small)
	}
	if !ValidSymbol(c.Large) {
		return fmt.Errorf("pair.large %q is not a valid symbol", c.Large)
	}
	if c.Small == c.Large {
		return fmt.Errorf("pair.small and pair.large are both %q", c.Small)
	}
	for _, s := range c.Extras {
		if !ValidSymbol(s) {
			return fmt.Errorf("watchlist symbol %q is not a valid symbol", s)
		}
	}
	for _, s := range c.Confirm {
		if !ValidSymbol(s) {
			return fmt.Errorf("confirmation symbol %q is not a valid symbol", s)
		}
	}
	for i, p := range c.Sectors {
		if p.Name == "" {
			return fmt.Errorf("sectors[%d].name is empty", i)
		}
		if !ValidSymbol(p.Large) || !ValidSymbol(p.Small) {
			return fmt.Errorf("sectors[%d] (%s): invalid symbol large=%q small=%q", i, p.Name, p.Large, p.Small)
		}
	}
	t := c.Thresholds
	if t.SmallLeadsPts < 0 || t.VolumeSurgeRVOL <= 0 || t.SectorBreadth < 0 || t.SectorBreadth > 1 || t.Hysteresis < 0 || t.ThinDollarVolume < 0 {
		return fmt.Errorf("thresholds out of range: %+v", t)
	}
	return nil
}
