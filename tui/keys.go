package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
)

// keyMap declares every key binding once; the help screen is generated from it.
type keyMap struct {
	Quit, Help, CloseHelp, Pause, NextFocus, PrevFocus, Zoom, NextPair key.Binding

	TF1D, TF5D, TF1M, TF6M, TF1Y, TFPrev, TFNext key.Binding

	SectorMetric, SectorRelative key.Binding

	QuoteSort key.Binding

	RotationView, TailShorter, TailLonger key.Binding

	// The help screen's scroll keys (they act only while it is shown).
	HelpDown, HelpUp, HelpPageDown, HelpPageUp, HelpTop, HelpBottom key.Binding
}

// defaultKeyMap returns the dashboard's bindings.
func defaultKeyMap() keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		Quit:      b([]string{"q", "ctrl+c"}, "q", "quit"),
		Help:      b([]string{"?"}, "?", "help"),
		CloseHelp: b([]string{"esc"}, "esc", "close help"),
		Pause:     b([]string{"p"}, "p", "pause display"),
		NextFocus: b([]string{"tab"}, "tab", "next panel"),
		PrevFocus: b([]string{"shift+tab"}, "shift+tab", "previous panel"),
		Zoom:      b([]string{"z", "enter"}, "z", "zoom panel"),
		NextPair:  b([]string{"P"}, "P", "next pair"),

		TF1D:   b([]string{"1"}, "1", "chart 1 day"),
		TF5D:   b([]string{"2"}, "2", "chart 5 days"),
		TF1M:   b([]string{"3"}, "3", "chart 1 month"),
		TF6M:   b([]string{"4"}, "4", "chart 6 months"),
		TF1Y:   b([]string{"5"}, "5", "chart 1 year"),
		TFPrev: b([]string{"["}, "[", "shorter timeframe"),
		TFNext: b([]string{"]"}, "]", "longer timeframe"),

		SectorMetric:   b([]string{"m"}, "m", "sector horizon"),
		SectorRelative: b([]string{"r"}, "r", "legs vs benchmark"),

		QuoteSort: b([]string{"s"}, "s", "sort quotes"),

		RotationView: b([]string{"v"}, "v", "rotation view"),
		TailShorter:  b([]string{"-"}, "-", "shorter tails"),
		TailLonger:   b([]string{"+", "="}, "+", "longer tails"),

		HelpDown:     b([]string{"down", "j"}, "↓/j", "line down"),
		HelpUp:       b([]string{"up", "k"}, "↑/k", "line up"),
		HelpPageDown: b([]string{"pgdown", "space", "f"}, "pgdn/space", "page down"),
		HelpPageUp:   b([]string{"pgup", "b"}, "pgup/b", "page up"),
		HelpTop:      b([]string{"g", "home"}, "g", "top"),
		HelpBottom:   b([]string{"G", "end"}, "G", "bottom"),
	}
}

// ShortHelp is the one-line help at the bottom of the screen, most
// important first; keyLine drops from the end (never help or quit) until
// it fits.
func (k keyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Help, k.TFPrev, k.TFNext, k.NextFocus, k.Zoom, k.NextPair, k.SectorMetric, k.QuoteSort, k.Pause, k.Quit}
}

// Global are the keys the root handles, for the help screen (each panel
// lists its own: panel.Bindings). The help screen names every key of a
// binding ("q/ctrl+c"); the key line only the first.
func (k keyMap) Global() []key.Binding {
	return []key.Binding{k.Help, k.CloseHelp, k.NextFocus, k.PrevFocus, k.Zoom, k.NextPair, k.Pause, k.Quit}
}

// HelpScroll are the help screen's scroll keys, for the help screen and
// the key line shown under it.
func (k keyMap) HelpScroll() []key.Binding {
	return []key.Binding{k.HelpDown, k.HelpUp, k.HelpPageDown, k.HelpPageUp, k.HelpTop, k.HelpBottom}
}

// HelpLine is the key line under the help screen: how to scroll it, close
// it and quit (the scroll keys paired, in short).
func (k keyMap) HelpLine() []key.Binding {
	pair := func(a, b key.Binding, keys, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(append(a.Keys(), b.Keys()...)...), key.WithHelp(keys, desc))
	}
	return []key.Binding{
		pair(k.HelpDown, k.HelpUp, "↓/j ↑/k", "scroll"),
		pair(k.HelpPageDown, k.HelpPageUp, "pgdn/space pgup", "page"),
		pair(k.HelpTop, k.HelpBottom, "g/G", "top/bottom"),
		key.NewBinding(key.WithKeys(k.CloseHelp.Keys()...), key.WithHelp(k.CloseHelp.Help().Key, "close")),
		k.Quit,
	}
}

// allKeys is a binding with every key in its help ("z/enter"), for the help
// screen.
func allKeys(b key.Binding) key.Binding {
	h := b.Help()
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(strings.Join(b.Keys(), "/"), h.Desc))
}
