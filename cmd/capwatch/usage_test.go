package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"regexp"
	"strings"
	"testing"

	"github.com/capwatch/capwatch/engine"
	"github.com/capwatch/capwatch/internal/app"
	"github.com/capwatch/capwatch/internal/config"
)

// TestUsageNamesEveryFlag: the hand-written usage of each command names
// every flag its parser accepts (the help drifted from the parser once:
// --stream-url was accepted but not documented).
func TestUsageNamesEveryFlag(t *testing.T) {
	for _, name := range []string{"", "snapshot", "analogs", "status", "doctor"} {
		var f flags
		fs, usage := commandFlags(name, &f)
		fs.VisitAll(func(fl *flag.Flag) {
			if !regexp.MustCompile(`(?m)--` + regexp.QuoteMeta(fl.Name) + `\b`).MatchString(usage) {
				t.Errorf("capwatch %s --help does not mention --%s", name, fl.Name)
			}
		})
	}
}

// TestUsageNamesEveryFeed: the --feed lines name every feed the config
// accepts.
func TestUsageNamesEveryFeed(t *testing.T) {
	line := regexp.MustCompile(`--feed NAME +([^\n]*)`).FindStringSubmatch(commonFlags)
	if line == nil {
		t.Fatal("no --feed line in the common flags")
	}
	for _, feed := range config.Feeds() {
		if !strings.Contains(line[1], feed) {
			t.Errorf("--feed line %q does not name %q", line[1], feed)
		}
	}
}

// TestSignalsUsageNamesEveryFlagID: `capwatch signals --help` lists every
// flag id --flag accepts.
func TestSignalsUsageNamesEveryFlagID(t *testing.T) {
	for _, id := range engine.FlagIDs {
		if !strings.Contains(signalsUsage, id) {
			t.Errorf("signals --help does not list the flag id %s", id)
		}
	}
}

// TestSnapshotUsageNamesEveryTopLevelField: the snapshot help lists every
// top-level field of the JSON document it prints.
func TestSnapshotUsageNamesEveryTopLevelField(t *testing.T) {
	var buf bytes.Buffer
	if err := app.WriteJSON(&buf, &engine.Snapshot{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`stable contract \(see README\):([^.]*)\.`).FindStringSubmatch(strings.Join(strings.Fields(snapshotUsage), " "))
	if m == nil {
		t.Fatal("snapshot --help has no list of the JSON's fields")
	}
	help := m[1]
	for k := range doc {
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(k) + `\b`).MatchString(help) {
			t.Errorf("snapshot --help does not name the JSON field %q", k)
		}
	}
}
