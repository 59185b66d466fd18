package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

// TestGlossaryWrapsOnce (QA-2 C1): the help's glossary is wrapped once,
// from unbroken paragraphs: at every pane width no line is wider than the
// pane, no word is lost or split, and a line ends a paragraph or is full
// (the next word would not have fitted) — no one-word lines left over by a
// second wrap of pre-broken lines.
func TestGlossaryWrapsOnce(t *testing.T) {
	var words []string
	var ends []int // cumulative word counts at which a paragraph ends
	for _, e := range glossary() {
		for i, p := range e.paras {
			if i == 0 {
				words = append(words, strings.Fields(e.term)...)
			}
			words = append(words, strings.Fields(p)...)
			ends = append(ends, len(words))
		}
	}
	for w := 24; w <= 160; w++ { // from the width where the longest word fits beside the indent
		lines := glossaryLines(w)
		set := min(w, glossaryW)
		var got []string
		end := 0
		for i, l := range lines {
			if lw := ansi.StringWidth(l); lw > set {
				t.Fatalf("%d cols: line %d is %d cells: %q", w, i, lw, l)
			}
			got = append(got, strings.Fields(l)...)
			for end < len(ends) && ends[end] < len(got) {
				end++
			}
			if end < len(ends) && ends[end] == len(got) {
				end++
				continue // the paragraph's last line
			}
			if i+1 < len(lines) && len(got) < len(words) {
				if next := words[len(got)]; ansi.StringWidth(strings.TrimRight(l, " "))+1+ansi.StringWidth(next) <= set {
					t.Errorf("%d cols: line %d %q ends before %q, which fits", w, i, l, next)
				}
			}
		}
		if strings.Join(got, " ") != strings.Join(words, " ") {
			t.Fatalf("%d cols: the words changed:\n%q\nwant\n%q", w, strings.Join(got, " "), strings.Join(words, " "))
		}
	}
}
