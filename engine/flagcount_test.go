package engine

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCountFlags: the one count every view shows. A flag is judged unless
// it is off without a threshold, or off with no value on the live bar nor
// at the close (a flag held off on partial volume is judged: it keeps its
// close's state). Hand-built flags, hand-counted.
func TestCountFlags(t *testing.T) {
	flags := []Flag{
		{ID: "a", State: FlagConfirmed, Value: Some(2), Threshold: Some(1)},
		{ID: "b", State: FlagFading, Value: Some(0.5), Threshold: Some(1), CloseValue: Some(2)},
		{ID: "c", State: FlagForming, Value: Some(2), Threshold: Some(1)},
		{ID: "d", State: FlagOff, Value: Some(0.5), Threshold: Some(1)},                                    // judged: off
		{ID: "e", State: FlagOff, Value: Some(0.5)},                                                        // no threshold
		{ID: "f", State: FlagOff, Threshold: Some(1)},                                                      // no value anywhere
		{ID: "g", State: FlagOff, Threshold: Some(1), CloseValue: Some(0.5)},                               // the close judged it
		{ID: "h", State: FlagOff, Threshold: Some(1.5), Partial: true},                                     // held off on partial volume
		{ID: "i", State: FlagOff, Threshold: Some(1), Note: "only 1 of 9 sector pairs with data, needs 5"}, // coverage
	}
	want := map[string]bool{"e": true, "f": true, "i": true}
	for i := range flags {
		if got := flags[i].NoData(); got != want[flags[i].ID] {
			t.Errorf("flag %s: NoData %v, want %v", flags[i].ID, got, want[flags[i].ID])
		}
	}
	c := CountFlags(flags)
	if c != (FlagCounts{Total: 9, NoData: 3, Confirmed: 1, Fading: 1, Forming: 1}) || c.Judged() != 6 {
		t.Errorf("counts %+v (judged %d)", c, c.Judged())
	}
	if got, want := c.String(), "1/6 confirmed, 1 fading, 1 forming, 3 no data"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
	if got := CountFlags(flags[4:6]).String(); got != "2 no data" {
		t.Errorf("nothing judged: %q, want \"2 no data\" (no 0/0)", got)
	}
	if got := CountFlags(nil).String(); got != "" {
		t.Errorf("no flags: %q", got)
	}
	// The JSON says it per flag, after the other fields.
	b, err := json.Marshal(flags[5])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(string(b), `"close_note":null,"no_data":true}`) {
		t.Errorf("JSON %s: want no_data true last", b)
	}
	if b, _ = json.Marshal(flags[3]); !strings.HasSuffix(string(b), `"no_data":false}`) {
		t.Errorf("JSON %s: want no_data false", b)
	}
}
