package engine

import (
	"time"

	"github.com/capwatch/capwatch/engine/num"
)

// The JSON contract of `capwatch snapshot` (and `capwatch analogs --format
// json`) is these result types, through their json tags and the
// MarshalJSON methods below. Fields are only ever added to it, never
// renamed, retyped or removed; a field that is not part of it is tagged
// "-". Times are RFC 3339 strings (whole seconds, the value's own offset)
// or null when zero; absent numbers (Num) and "" dates are null; lists
// are [] when empty, never null.
//
// MarshalJSON methods keep the documented key order: a time field is
// rendered by an outer field of the same JSON name, which hides the inner
// one (encoding/json: the shallower field wins).

// MarshalJSON renders the snapshot document: as_of first, the lists never
// null.
func (s Snapshot) MarshalJSON() ([]byte, error) {
	type plain Snapshot // the fields without this method
	p := plain(s)
	p.Symbols, p.Flags, p.Sectors, p.Errors = nonNil(p.Symbols), nonNil(p.Flags), nonNil(p.Sectors), nonNil(p.Errors)
	p.Notices = nonNil(p.Notices)
	p.Confirmations = nonNil(p.Confirmations)
	return marshalJSON(struct {
		AsOf *string `json:"as_of"`
		plain
	}{rfc3339(s.AsOf), p})
}

// MarshalJSON renders the session; a snapshot taken without a time (no
// session known) says "closed".
func (s SessionInfo) MarshalJSON() ([]byte, error) {
	type plain SessionInfo
	p := plain(s)
	if p.State == "" {
		p.State = "closed"
	}
	return marshalJSON(struct {
		plain
		NextChange *string `json:"next_change"`
	}{p, rfc3339(s.NextChange)})
}

// MarshalJSON renders one symbol with data_time as RFC 3339 or null, then
// the skipped rows (first_skipped_line null when none), then whether its
// RVOL is partial and the time it is counted to (rvol_as_of, null unless
// earlier than the data).
func (s SymbolSnapshot) MarshalJSON() ([]byte, error) {
	type plain SymbolSnapshot
	var first *int
	if s.FirstSkippedLine > 0 {
		first = &s.FirstSkippedLine
	}
	return marshalJSON(struct {
		plain
		DataTime         *string `json:"data_time"`
		Stale            bool    `json:"stale"` // after data_time, as always
		SkippedRows      int     `json:"skipped_rows"`
		FirstSkippedLine *int    `json:"first_skipped_line"`
		RVOLPartial      bool    `json:"rvol_partial"` // added fields: last
		RVOLAsOf         *string `json:"rvol_as_of"`
	}{plain(s), rfc3339(s.DataTime), s.Stale, s.SkippedRows, first, s.RVOLPartial, rfc3339(s.RVOLAsOf)})
}

// MarshalJSON renders one flag with since and close_date as YYYY-MM-DD or
// null, and no_data (Flag.NoData: off, not judged).
func (f Flag) MarshalJSON() ([]byte, error) {
	type plain Flag
	since := (*string)(nil)
	if f.Since != "" {
		since = &f.Since
	}
	closeDate := (*string)(nil)
	if f.CloseDate != "" {
		closeDate = &f.CloseDate
	}
	return marshalJSON(struct {
		ID    string    `json:"id"` // id, state, since come first, as always
		State FlagState `json:"state"`
		Since *string   `json:"since"`
		plain
		CloseDate      *string `json:"close_date"` // the last close's date, value and threshold (added fields: last)
		CloseValue     Num     `json:"close_value"`
		CloseThreshold Num     `json:"close_threshold"`
		Partial        bool    `json:"partial"`
		Note           *string `json:"note"`
		CloseNote      *string `json:"close_note"`
		NoData         bool    `json:"no_data"` // added fields: last
	}{f.ID, f.State, since, plain(f), closeDate, f.CloseValue, f.CloseThreshold, f.Partial, strOrNil(f.Note), strOrNil(f.CloseNote), f.NoData()})
}

// MarshalJSON renders the provenance with volume_consolidated_to (RFC 3339
// or null) after its other fields.
func (p Provenance) MarshalJSON() ([]byte, error) {
	type plain Provenance
	return marshalJSON(struct {
		plain
		VolumeConsolidatedTo *string `json:"volume_consolidated_to"`
	}{plain(p), rfc3339(p.VolumeConsolidatedTo)})
}

// MarshalJSON renders the members' load with its lists never null.
func (l BreadthLoad) MarshalJSON() ([]byte, error) {
	type plain BreadthLoad
	p := plain(l)
	p.FailedMembers, p.MemberSkips = nonNil(p.FailedMembers), nonNil(p.MemberSkips)
	return marshalJSON(p)
}

// MarshalJSON renders the study with its lists never null.
func (a Analogs) MarshalJSON() ([]byte, error) {
	type plain Analogs
	p := plain(a)
	p.Events, p.Horizons = nonNil(p.Events), nonNil(p.Horizons)
	return marshalJSON(p)
}

// rfc3339 is t in RFC 3339 (whole seconds), or nil (JSON null) when zero.
// strOrNil is s, or nil (JSON null) when empty.
func strOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func rfc3339(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.RFC3339)
	return &s
}

func nonNil[T any](s []T) []T { return num.NonNil(s) }

// marshalJSON is json.Marshal without HTML escaping (num.Marshal).
func marshalJSON(v any) ([]byte, error) { return num.Marshal(v) }
