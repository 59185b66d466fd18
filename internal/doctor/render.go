package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/x/ansi"
)

func anyUsed(r Report) bool {
	for _, f := range r.Feeds {
		if f.Used {
			return true
		}
	}
	return false
}

// WriteJSON writes the report as one indented JSON document.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// glyph marks a verdict with a symbol and a word (never colour alone).
func glyph(l Level) string {
	switch l {
	case OK:
		return "✓ ok  "
	case Info:
		return "· info"
	case Warn:
		return "⚠ warn"
	}
	return "✖ FAIL"
}

// row is one line of the table.
type row struct {
	name string
	v    Verdict
	more []string // extra detail lines
}

// WriteTable writes the report as an aligned table: one row per check
// (what, verdict, details), what to do under it, and the conclusion. Text
// is wrapped to width columns under its column (0: not wrapped).
func WriteTable(w io.Writer, r Report, width int) error {
	rows := []row{{name: "config", v: r.Config.Verdict}}
	if len(r.Config.Changed) > 0 {
		kv := settings(r.Config.Changed)
		rows[0].more = append(rows[0].more, "differs from the defaults: "+strings.Join(kv, ", "))
	}
	if len(r.Config.CommandLine) > 0 {
		rows[0].more = append(rows[0].more, "from the command line (not the file): "+strings.Join(settings(r.Config.CommandLine), ", "))
	}
	if r.Config.Mode != "" {
		rows[0].more = append(rows[0].more, "permissions "+r.Config.Mode)
	}
	if len(r.Config.Keys) > 0 {
		var ks []string
		for _, k := range r.Config.Keys {
			state := "not set"
			if k.Set {
				state = "set"
			}
			ks = append(ks, k.Name+" "+state)
		}
		rows[0].more = append(rows[0].more, "keys: "+strings.Join(ks, ", "))
	}
	rows = append(rows, row{name: "terminal", v: r.Terminal.Verdict}, row{name: "clock", v: r.Clock.Verdict})
	for _, f := range r.Feeds {
		name := "feed " + f.Name
		if f.Used {
			name += " *"
		}
		rows = append(rows, row{name: name, v: f.Verdict})
	}
	rows = append(rows, row{name: "history cache", v: r.Cache.Verdict}, row{name: "signal log", v: r.SignalLog.Verdict})

	nameW := 0
	for _, rw := range rows {
		nameW = max(nameW, len(rw.name))
	}
	col := nameW + 2 + 6 + 2
	indent := strings.Repeat(" ", col)
	// text writes s from the text column, wrapped, continuation lines
	// indented (first: the row's first line, already indented).
	text := func(b *strings.Builder, s string) {
		s = line(s)
		if width > col+20 {
			s = ansi.Wrap(s, width-col, " ,;")
		}
		b.WriteString(strings.ReplaceAll(s, "\n", "\n"+indent))
		b.WriteString("\n")
	}
	var b strings.Builder
	b.WriteString("capwatch doctor\n\n")
	for _, rw := range rows {
		fmt.Fprintf(&b, "%-*s  %s  ", nameW, rw.name, glyph(rw.v.Status))
		text(&b, rw.v.Detail)
		for _, m := range rw.more {
			b.WriteString(indent)
			text(&b, m)
		}
		if rw.v.Fix != "" {
			b.WriteString(indent)
			text(&b, "→ "+rw.v.Fix)
		}
	}
	b.WriteString("\n")
	var end string
	switch {
	case r.FeedWorks && r.Feed != "" && anyUsed(r):
		end = fmt.Sprintf("The configured feed (%s) works (it uses the feeds marked *).", r.Feed)
	case r.FeedWorks:
		end = fmt.Sprintf("The configured feed (%s) works (it needs no network).", r.Feed)
	default:
		end = fmt.Sprintf("The configured feed (%s) does not work: see the ✖ lines above (it uses the feeds marked *).", r.Feed)
	}
	end += " Checked in " + r.Took + "."
	if width > 20 {
		end = ansi.Wrap(end, width, " ")
	}
	b.WriteString(end + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// settings writes each setting as key = value (a secret as "key (set)").
func settings(ss []Setting) []string {
	var kv []string
	for _, s := range ss {
		if s.Secret {
			kv = append(kv, s.Key+" (set)")
		} else {
			kv = append(kv, s.Key+" = "+s.Value)
		}
	}
	return kv
}
