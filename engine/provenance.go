package engine

import "time"

// Provenance says where a feed's numbers come from, so that the dashboard,
// the status line and the JSON can tell real-time from delayed data and
// consolidated (all venues) volume from one venue's (Alpaca's free IEX
// plan). The zero value means "not stated" (demo, replay, Yahoo, Stooq).
type Provenance struct {
	// Prices is where live prices come from: "IEX" (one exchange, real
	// time), "SIP" (the consolidated tape, real time) or "SIP delayed 15m".
	Prices string `json:"prices,omitempty"`
	// Volume describes today's volume, e.g. "SIP" (consolidated), "SIP to
	// 14:45, IEX after" or "IEX only".
	Volume string `json:"volume,omitempty"`
	// VolumePartial is true when today's volume is not all consolidated:
	// RVOL and the volume-surge flag then compare part of the day's volume
	// with full consolidated averages and must be read as a lower bound.
	VolumePartial bool `json:"volume_partial"`
	// VolumeConsolidatedTo, with VolumePartial, is the exchange time up to
	// which today's volume is consolidated: the minute bars that end by it
	// are SIP's, the later ones one venue's (IEX). At or before the
	// session's open nothing is ("IEX only"); zero: not known (the engine
	// then takes none of it to be). The engine counts each symbol's
	// consolidated volume from its own minute bars up to this time and
	// paces its RVOL to it (SymbolSnapshot.RVOLAsOf). JSON
	// volume_consolidated_to (RFC 3339 or null), after history.
	VolumeConsolidatedTo time.Time `json:"-"`
	// History lists which source each part of the daily history came from.
	History []HistorySpan `json:"history,omitempty"`
}

// HistorySpan is a part of the daily history that came from one source.
type HistorySpan struct {
	Source  string `json:"source"`  // e.g. "yahoo", "alpaca"
	From    string `json:"from"`    // first date, YYYY-MM-DD
	To      string `json:"to"`      // last date, YYYY-MM-DD
	Symbols int    `json:"symbols"` // how many symbols have bars from this source
}

// IsZero reports whether nothing is stated.
func (p Provenance) IsZero() bool {
	return p.Prices == "" && p.Volume == "" && !p.VolumePartial && len(p.History) == 0 && p.VolumeConsolidatedTo.IsZero()
}

// Label is the short form for a status line: "IEX", "SIP", "delayed 15m",
// followed by " · vol partial" when the volume is not all consolidated.
func (p Provenance) Label() string {
	s := p.Prices
	if s == "SIP delayed 15m" {
		s = "delayed 15m"
	}
	if p.VolumePartial {
		if s != "" {
			s += " · "
		}
		s += "vol partial"
	}
	return s
}
