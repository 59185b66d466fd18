package tui

import (
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/capwatch/capwatch/engine"
)

// panelID names a panel. It indexes the root's registry (Model.panels), and
// the focus order is the order of the IDs.
type panelID int

const (
	panelChart panelID = iota
	panelFlags
	panelSectors
	panelQuotes
	panelNowWhat
	panelBreadth
	panelRotation
	panelCount

	// panelNone is a layout slot without a panel (the column separator).
	panelNone = panelCount
)

// panelNames name the panels on the help screen.
var panelNames = [panelCount]string{"chart", "flags", "sectors", "quotes", "now what?", "breadth", "rotation map"}

// panel is what every dashboard panel provides. A panel embeds panelBase,
// which holds what all panels share (styles, the snapshot, the size and
// frame the root's layout gave it, focus, the render cache) and supplies
// defaults for the optional parts (a panel without keys, a panel that
// redraws on every snapshot).
//
// Adding a panel: a type embedding panelBase with a draw method (usually a
// call into a tui subpackage that renders from plain data, like tui/nowwhat),
// a panelID, a line in Model.register and a slot in layoutSpec.
type panel interface {
	base() *panelBase
	// SetSnapshot hands the panel a new snapshot. The default redraws; a
	// panel whose content changes rarely compares what it shows.
	SetSnapshot(s *engine.Snapshot)
	// Update handles a message the root routes to the panel (keys). Panels
	// are pointers, so only the command is returned.
	Update(msg tea.Msg) tea.Cmd
	// Bindings are the panel's own keys, for the help screen.
	Bindings() []key.Binding
}

// drawFunc renders a panel's content for a cw×ch content area: its title
// and its body lines (the frame fits them to the area).
type drawFunc func(cw, ch int) (title string, body []string)

// panelBase is the part every panel shares. Its place (size, border,
// focus, compact) is set by the root's layout in Update, never in View;
// its lines are rendered once per change and served from the cache.
type panelBase struct {
	st   *Styles
	draw drawFunc
	snap *engine.Snapshot

	w, h     int
	bordered bool // a rounded box with the title in its top edge (else a title line)
	focus    bool // the focused panel: ▶ and an accent border

	dirty bool
	lines []string
}

// newBase returns a panel base that renders with draw.
func newBase(st *Styles, draw drawFunc) panelBase {
	return panelBase{st: st, draw: draw, dirty: true}
}

func (b *panelBase) base() *panelBase { return b }

// SetSnapshot stores the snapshot and redraws.
func (b *panelBase) SetSnapshot(s *engine.Snapshot) { b.snap, b.dirty = s, true }

// Update ignores messages (panels with keys override it).
func (b *panelBase) Update(tea.Msg) tea.Cmd { return nil }

// Bindings is none (panels with keys override it).
func (b *panelBase) Bindings() []key.Binding { return nil }

// invalidate marks the cached lines out of date (styles or options changed).
func (b *panelBase) invalidate() { b.dirty = true }

// SetSize sets the panel's size in cells, frame included.
func (b *panelBase) SetSize(w, h int) {
	if w != b.w || h != b.h {
		b.w, b.h, b.dirty = w, h, true
	}
}

// place puts the panel in the layout: its size and frame.
func (b *panelBase) place(w, h int, bordered, focus bool) {
	b.SetSize(w, h)
	if bordered != b.bordered || focus != b.focus {
		b.bordered, b.focus, b.dirty = bordered, focus, true
	}
}

// boxed reports whether the panel is drawn in a box (it asked for one and
// the box fits).
func (b *panelBase) boxed() bool { return b.bordered && b.w >= 4 && b.h >= 3 }

// inner is the content area inside the frame: the box, or the title line.
func (b *panelBase) inner() (cw, ch int) {
	if b.boxed() {
		return b.w - 2, b.h - 2
	}
	return b.w, b.h - 1
}

// render returns the panel's h lines of w cells, drawing them only when
// something they depend on changed.
func (b *panelBase) render() []string {
	if !b.dirty && len(b.lines) == max(b.h, 0) {
		return b.lines
	}
	b.dirty = false
	cw, ch := b.inner()
	title, body := b.draw(cw, ch)
	b.lines = frame(b.st, title, body, b.w, b.h, b.bordered, b.focus)
	return b.lines
}

// View is the panel's lines as one string.
func (b *panelBase) View() string { return strings.Join(b.render(), "\n") }

// clocked is a panel that shows ages: the root gives it the clock, the
// stale limit and the feed's health (in Update).
type clocked interface {
	setNow(now time.Time, stale time.Duration, feedOK bool)
}

var (
	_ panel   = (*chartPanel)(nil)
	_ panel   = (*flagsPanel)(nil)
	_ panel   = (*sectorsPanel)(nil)
	_ panel   = (*quotesPanel)(nil)
	_ panel   = (*nowWhatPanel)(nil)
	_ panel   = (*breadthPanel)(nil)
	_ panel   = (*rotationPanel)(nil)
	_ clocked = (*quotesPanel)(nil)
	_ clocked = (*breadthPanel)(nil)
)
