package tui

import (
	"image/color"
	"math"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
	"github.com/capwatch/capwatch/tui/breadth"
	"github.com/capwatch/capwatch/tui/draw"
	"github.com/capwatch/capwatch/tui/nowwhat"
	"github.com/capwatch/capwatch/tui/rotation"
	"github.com/guptarohit/asciigraph"
)

// Palette names accepted in Options.Palette.
const (
	PaletteDefault    = "default"
	PaletteColorblind = "colorblind"
)

// theme is a palette resolved for one background: 256-colour indices, so the
// dashboard reads the same in tmux's default 256 colours and in true colour.
type theme struct {
	up, down, warn, bad, accent, muted, text string
	heatPos, heatNeg                         [4]string // weakest → strongest
	heatFgPos, heatFgNeg                     [4]string
	series                                   [3]asciigraph.AnsiColor // ratio, 50-day, 200-day
	axis                                     asciigraph.AnsiColor
}

func newTheme(palette string, isDark bool) theme {
	cb := palette == PaletteColorblind
	var t theme
	if isDark {
		t.warn, t.bad, t.accent, t.muted, t.text = "214", "203", "75", "244", "252"
		t.axis = asciigraph.AnsiColor(244)
		t.heatFgPos = [4]string{"252", "255", "255", "16"}
		t.heatFgNeg = [4]string{"252", "255", "255", "16"}
		if cb {
			t.up, t.down = "75", "208"
			t.heatPos = [4]string{"17", "19", "26", "75"}
			t.heatNeg = [4]string{"52", "94", "166", "208"}
			t.series = [3]asciigraph.AnsiColor{75, 208, 250}
		} else {
			t.up, t.down = "41", "203"
			t.heatPos = [4]string{"22", "28", "34", "41"}
			t.heatNeg = [4]string{"52", "88", "124", "203"}
			t.series = [3]asciigraph.AnsiColor{81, 220, 177}
		}
	} else {
		t.warn, t.bad, t.accent, t.muted, t.text = "130", "160", "25", "242", "235"
		t.axis = asciigraph.AnsiColor(242)
		t.heatFgPos = [4]string{"16", "16", "16", "231"}
		t.heatFgNeg = [4]string{"16", "16", "16", "231"}
		if cb {
			t.up, t.down = "25", "166"
			t.heatPos = [4]string{"195", "153", "111", "25"}
			t.heatNeg = [4]string{"230", "223", "215", "166"}
			t.series = [3]asciigraph.AnsiColor{25, 166, 240}
		} else {
			t.up, t.down = "28", "160"
			t.heatPos = [4]string{"194", "157", "114", "28"}
			t.heatNeg = [4]string{"224", "217", "210", "160"}
			t.series = [3]asciigraph.AnsiColor{25, 130, 90}
		}
	}
	return t
}

// Styles are every style the dashboard uses, built at runtime from the
// palette, the detected background and NO_COLOR. Never a package variable.
type Styles struct {
	NoColor bool

	Title, Muted, Bold, Text lipgloss.Style
	Border, FocusBorder      lipgloss.Style
	Up, Down, Warn, Bad      lipgloss.Style
	Badge, Paused            lipgloss.Style
	Confirmed, Forming, Off  lipgloss.Style
	heatPos, heatNeg         [4]lipgloss.Style
	heatZero                 lipgloss.Style
	Series                   [3]asciigraph.AnsiColor
	Axis                     asciigraph.AnsiColor
	Help                     help.Styles
	NowWhat                  nowwhat.Styles
	Breadth                  breadth.Styles
	Rotation                 rotation.Styles

	// Pre-rendered SGR wrappers of the styles used per table cell: a cell
	// is then a concatenation instead of a lipgloss Render.
	inkHeatPos, inkHeatNeg                         [4]ink
	inkHeatZero, inkUp, inkDown, inkText, inkMuted ink
	inkBold, inkWarn                               ink
}

// ink is a style's escape sequences (draw.Ink, shared with the panel
// subpackages).
type ink = draw.Ink

// withInks fills the pre-rendered wrappers from the styles.
func (s Styles) withInks() Styles {
	for i := range s.heatPos {
		s.inkHeatPos[i], s.inkHeatNeg[i] = draw.NewInk(s.heatPos[i]), draw.NewInk(s.heatNeg[i])
	}
	s.inkHeatZero, s.inkUp, s.inkDown = draw.NewInk(s.heatZero), draw.NewInk(s.Up), draw.NewInk(s.Down)
	s.inkText, s.inkMuted, s.inkBold, s.inkWarn = draw.NewInk(s.Text), draw.NewInk(s.Muted), draw.NewInk(s.Bold), draw.NewInk(s.Warn)
	return s
}

// heatInk is Heat as a pre-rendered wrapper.
func (s Styles) heatInk(v, scale float64) ink {
	if v == 0 || math.IsNaN(v) || scale <= 0 {
		return s.inkHeatZero
	}
	lvl := min(int(math.Abs(v)/scale*4), 3)
	if v > 0 {
		return s.inkHeatPos[lvl]
	}
	return s.inkHeatNeg[lvl]
}

// signInk is Sign as a pre-rendered wrapper.
func (s Styles) signInk(v float64) ink {
	switch {
	case v > 0:
		return s.inkUp
	case v < 0:
		return s.inkDown
	}
	return s.inkText
}

// NewStyles builds the styles for a palette ("default" or "colorblind"), a
// dark or light background, and with or without colour.
func NewStyles(palette string, isDark, noColor bool) Styles {
	plain := lipgloss.NewStyle()
	if noColor {
		s := Styles{NoColor: true,
			Title: plain.Bold(true), Muted: plain, Bold: plain.Bold(true), Text: plain,
			Border: plain, FocusBorder: plain.Bold(true),
			Up: plain, Down: plain, Warn: plain.Bold(true), Bad: plain.Bold(true),
			Badge: plain.Bold(true).Reverse(true), Paused: plain.Bold(true).Reverse(true),
			Confirmed: plain.Bold(true), Forming: plain, Off: plain,
			heatZero: plain,
		}
		for i := range s.heatPos {
			s.heatPos[i], s.heatNeg[i] = plain, plain
		}
		s.NowWhat = nowwhat.NewStyles(isDark, true)
		s.Breadth = breadth.NewStyles(isDark, false, true)
		s.Rotation = rotation.NewStyles(palette == PaletteColorblind, isDark, true)
		s.Help = help.Styles{ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
			FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain, Ellipsis: plain}
		return s.withInks()
	}
	t := newTheme(palette, isDark)
	c := func(s string) color.Color { return lipgloss.Color(s) }
	s := Styles{
		Title:       plain.Bold(true).Foreground(c(t.accent)),
		Muted:       plain.Foreground(c(t.muted)),
		Bold:        plain.Bold(true),
		Text:        plain.Foreground(c(t.text)),
		Border:      plain.Foreground(c(t.muted)),
		FocusBorder: plain.Foreground(c(t.accent)).Bold(true),
		Up:          plain.Foreground(c(t.up)),
		Down:        plain.Foreground(c(t.down)),
		Warn:        plain.Foreground(c(t.warn)).Bold(true),
		Bad:         plain.Foreground(c(t.bad)).Bold(true),
		Badge:       plain.Bold(true).Foreground(c("16")).Background(c(t.warn)),
		Paused:      plain.Bold(true).Foreground(c("16")).Background(c(t.warn)),
		Confirmed:   plain.Bold(true).Foreground(c(t.up)),
		Forming:     plain.Foreground(c(t.warn)),
		Off:         plain.Foreground(c(t.muted)),
		heatZero:    plain.Foreground(c(t.muted)),
		Series:      t.series,
		Axis:        t.axis,
		Help:        help.DefaultStyles(isDark),
		NowWhat:     nowwhat.NewStyles(isDark, false),
		Breadth:     breadth.NewStyles(isDark, palette == PaletteColorblind, false),
		Rotation:    rotation.NewStyles(palette == PaletteColorblind, isDark, false),
	}
	for i := range s.heatPos {
		s.heatPos[i] = plain.Background(c(t.heatPos[i])).Foreground(c(t.heatFgPos[i]))
		s.heatNeg[i] = plain.Background(c(t.heatNeg[i])).Foreground(c(t.heatFgNeg[i]))
	}
	return s.withInks()
}

// Heat returns the diverging-scale style for v, where scale is the magnitude
// that gets the strongest colour. Zero (and absent values) are neutral.
func (s Styles) Heat(v, scale float64) lipgloss.Style {
	if v == 0 || math.IsNaN(v) || scale <= 0 {
		return s.heatZero
	}
	lvl := int(math.Abs(v) / scale * 4)
	if lvl > 3 {
		lvl = 3
	}
	if v > 0 {
		return s.heatPos[lvl]
	}
	return s.heatNeg[lvl]
}

// Sign styles a number by its sign: up, down or plain text for zero.
func (s Styles) Sign(v float64) lipgloss.Style {
	switch {
	case v > 0:
		return s.Up
	case v < 0:
		return s.Down
	}
	return s.Text
}
