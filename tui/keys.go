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

// allKeys is a binding with every key in its help ("z/enter"), for the help
// screen.
func allKeys(b key.Binding) key.Binding {
	h := b.Help()
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(strings.Join(b.Keys(), "/"), h.Desc))
}
